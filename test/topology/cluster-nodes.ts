/** One line of CLUSTER NODES: how one node sees one member of the cluster. */
export interface ClusterNodeView {
  id: string;
  port: number;
  flags: Set<string>;
  /** The master's id for a replica, undefined for a master. */
  masterId: string | undefined;
  linkConnected: boolean;
  /** Slot ranges served by this member, inclusive. */
  slots: [number, number][];
}

export const SLOT_COUNT = 16384;

/** Parses a CLUSTER NODES reply. */
export function parseClusterNodes(reply: unknown): ClusterNodeView[] {
  if (typeof reply !== 'string') return [];
  return reply
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [id, address, flags, master, , , , link, ...slots] = line.trim().split(' ');
      return {
        id,
        port: Number(address.split('@')[0].split(':').pop()),
        flags: new Set(flags.split(',')),
        masterId: master === '-' ? undefined : master,
        linkConnected: link === 'connected',
        slots: slots
          .filter((slot) => !slot.startsWith('[')) // importing/migrating markers
          .map((slot) => {
            const [from, to] = slot.split('-').map(Number);
            return [from, to ?? from] as [number, number];
          }),
      };
    });
}

/** Whether the member is a master that no one flags as failing. */
export function isHealthyMaster(view: ClusterNodeView): boolean {
  return view.flags.has('master') && !view.flags.has('fail') && !view.flags.has('fail?');
}

/** The member that serves `slot` as master, as this view has it. */
export function ownerOfSlot(views: ClusterNodeView[], slot: number): ClusterNodeView | undefined {
  return views.find(
    (view) => view.flags.has('master') && view.slots.some(([from, to]) => slot >= from && slot <= to),
  );
}

/** Contiguous, near-equal slot ranges, one per master (0-5460, 5461-10921, 10922-16383 for three). */
export function slotRanges(masters: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let i = 0; i < masters; i++) {
    ranges.push([Math.floor((i * SLOT_COUNT) / masters), Math.floor(((i + 1) * SLOT_COUNT) / masters) - 1]);
  }
  return ranges;
}
