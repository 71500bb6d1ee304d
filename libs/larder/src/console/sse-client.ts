import type { ServerResponse } from 'node:http';

/** One Server-Sent Events message: `event: <name>` and its JSON data on one line. */
export function sseMessage(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface Pending {
  chunk: string;
  events: number;
}

/** What the console reports about one connected page. */
export interface SseClientStats {
  /** Events waiting in memory for a page that reads slower than the app writes. */
  queued: number;
  /** Events this page will never see: dropped while it was too far behind. */
  dropped: number;
  sent: number;
}

/**
 * One connected page. Writes go straight to the socket while it keeps up; once the socket's
 * buffer is full (`write` returns false) messages wait in a queue of at most `maxQueued` events
 * until `drain`, and past that they are dropped and counted, so a slow or paused page costs a
 * bounded amount of memory and never slows the app. After a gap the page is told how many it
 * missed. Only the newest state message is kept while blocked: an older one is out of date.
 */
export class SseClient {
  private readonly queue: Pending[] = [];
  private queuedEvents = 0;
  private pendingState?: string;
  private blocked = false;
  private droppedEvents = 0;
  private unreported = 0;
  private sentEvents = 0;
  private closed = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly maxQueued: number,
    onClose: (client: SseClient) => void,
  ) {
    res.on('drain', () => this.flush());
    res.on('close', () => {
      this.closed = true;
      this.queue.length = 0;
      this.queuedEvents = 0;
      onClose(this);
    });
  }

  get stats(): SseClientStats {
    return { queued: this.queuedEvents, dropped: this.droppedEvents, sent: this.sentEvents };
  }

  /** Sends a message carrying `events` events, or queues it, or drops it when the page is too far behind. */
  sendEvents(chunk: string, events: number): void {
    if (this.closed) return;
    if (!this.blocked) {
      this.write(chunk, events);
      return;
    }
    if (this.queuedEvents + events > this.maxQueued) {
      this.droppedEvents += events;
      this.unreported += events;
      return;
    }
    this.queue.push({ chunk, events });
    this.queuedEvents += events;
  }

  /** Counts `events` this page can no longer get (they left the server's buffer before being sent). */
  lost(events: number): void {
    if (this.closed) return;
    this.droppedEvents += events;
    this.unreported += events;
    if (!this.blocked) this.flush();
  }

  /** Sends a state message (stats, snapshot); while blocked only the newest one waits. */
  sendState(chunk: string): void {
    if (this.closed) return;
    if (this.blocked) this.pendingState = chunk;
    else this.write(chunk, 0);
  }

  /** Ends the stream (module shutdown). */
  end(): void {
    if (!this.closed) this.res.end();
  }

  private write(chunk: string, events: number): void {
    this.sentEvents += events;
    if (!this.res.write(chunk)) this.blocked = true;
  }

  private flush(): void {
    this.blocked = false;
    if (this.unreported > 0) {
      this.write(sseMessage('dropped', { dropped: this.unreported, total: this.droppedEvents }), 0);
      this.unreported = 0;
    }
    while (!this.blocked && this.queue.length > 0) {
      const next = this.queue.shift() as Pending;
      this.queuedEvents -= next.events;
      this.write(next.chunk, next.events);
    }
    if (!this.blocked && this.pendingState !== undefined) {
      const state = this.pendingState;
      this.pendingState = undefined;
      this.write(state, 0);
    }
  }
}
