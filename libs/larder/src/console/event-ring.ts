import type { ConsoleEvent, ConsoleEventDraft } from './console-event';

/**
 * Turns what a service emitted into what the page receives (redacted, flat). It runs when an
 * event is sent or replayed, not when it is recorded, so a console nobody watches never pays it.
 */
export type ConsoleConverter = (type: string, payload: unknown, at: number) => ConsoleEventDraft;

/**
 * The last `capacity` events, oldest first, numbered by a sequence that never repeats. Each slot
 * keeps what the service emitted as it came (its payload, its time, and how to convert it), in
 * columns allocated once: recording an event, on the app's request path, allocates nothing, and
 * memory stays at `capacity` slots whatever the event rate. Conversion and redaction happen in
 * `since`, for events about to leave for a page.
 */
export class EventRing {
  private readonly at: Float64Array;
  private readonly types: string[];
  private readonly payloads: unknown[];
  private readonly converters: ConsoleConverter[];
  /** Sequence number of the next event pushed (the first is 1). */
  private next = 1;

  constructor(readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.types = new Array<string>(capacity).fill('');
    this.payloads = new Array<unknown>(capacity).fill(undefined);
    this.converters = new Array<ConsoleConverter>(capacity);
  }

  /** The sequence number of the newest event (0 when empty). */
  get last(): number {
    return this.next - 1;
  }

  /** How many events are held now (at most `capacity`). */
  get size(): number {
    return Math.min(this.last, this.capacity);
  }

  push(type: string, payload: unknown, at: number, convert: ConsoleConverter): number {
    const seq = this.next++;
    const slot = seq % this.capacity;
    this.types[slot] = type;
    this.payloads[slot] = payload;
    this.at[slot] = at;
    this.converters[slot] = convert;
    return seq;
  }

  /** Events with a sequence number above `after` and at most `upTo` that are still held, oldest first, converted. */
  since(after: number, upTo = this.last): ConsoleEvent[] {
    const from = Math.max(after + 1, this.next - this.capacity);
    const out: ConsoleEvent[] = [];
    for (let seq = from; seq <= upTo; seq++) {
      const slot = seq % this.capacity;
      const event = this.converters[slot](
        this.types[slot],
        this.payloads[slot],
        this.at[slot],
      ) as ConsoleEvent;
      event.seq = seq;
      out.push(event);
    }
    return out;
  }
}
