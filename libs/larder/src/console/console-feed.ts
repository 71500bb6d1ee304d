import type { ServerResponse } from 'node:http';
import { EventRing, type ConsoleConverter } from './event-ring';
import { SseClient, sseMessage, type SseClientStats } from './sse-client';

/** Pages connected at once; one more is refused (429) rather than given another buffer. */
export const MAX_CONSOLE_CLIENTS = 16;
/** How often new events go out to the pages, batched: well inside the second a person notices. */
const FLUSH_MS = 100;
/** One point of the time series a second; the page charts the last minute. */
const TICK_MS = 1000;
const SERIES_POINTS = 60;

/** Cache operations in one second, the page's hit ratio and ops/s charts. */
export interface SeriesPoint {
  at: number;
  hits: number;
  misses: number;
  writes: number;
  deletes: number;
  errors: number;
}

const emptyPoint = (at: number): SeriesPoint => ({
  at,
  hits: 0,
  misses: 0,
  writes: 0,
  deletes: 0,
  errors: 0,
});

/**
 * The console's server side of the stream: the last `bufferSize` events (replayed to a page that
 * connects), the per-second series, and the connected pages. Recording an event, on the app's
 * request path, is three stores into the ring's columns and a counter, with no allocation;
 * conversion, redaction and serialization happen once per batch for all pages, and only while a
 * page is connected, so the app pays little whether or not someone watches.
 */
export class ConsoleFeed {
  readonly ring: EventRing;
  private readonly clients = new Set<SseClient>();
  /** The last minute, one point a second, oldest first. */
  readonly series: SeriesPoint[] = [];
  private point = emptyPoint(Date.now());
  private flushedSeq = 0;
  private flushTimer?: NodeJS.Timeout;
  private tickTimer?: NodeJS.Timeout;
  private stateInFlight = false;

  constructor(
    private readonly bufferSize: number,
    /** The state message a page gets on connect and every second (see console-snapshot.ts). */
    private readonly state: () => Promise<unknown>,
  ) {
    this.ring = new EventRing(bufferSize);
  }

  /** Starts the per-second series (kept while nobody watches, so a page opens on the last minute). */
  start(): void {
    this.tickTimer = setInterval(() => this.tick(), TICK_MS);
    this.tickTimer.unref();
  }

  /** Stops the timers and ends every stream. */
  stop(): void {
    clearInterval(this.tickTimer);
    clearInterval(this.flushTimer);
    this.flushTimer = undefined;
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  /**
   * Records one event as the service emitted it; `convert` makes it what the page shows (redacted)
   * when it is sent. The payload is kept, not copied: events are not changed after they are emitted.
   */
  record(type: string, payload: unknown, convert: ConsoleConverter): void {
    this.ring.push(type, payload, Date.now(), convert);
    const p = this.point;
    switch (type) {
      case 'hit':
        p.hits++;
        break;
      case 'miss':
        p.misses++;
        break;
      case 'write':
        p.writes++;
        break;
      case 'delete':
        p.deletes++;
        break;
      case 'error':
        p.errors++;
        break;
    }
  }

  get clientCount(): number {
    return this.clients.size;
  }

  get clientStats(): SseClientStats[] {
    return [...this.clients].map((client) => client.stats);
  }

  /**
   * Turns `res` into an event stream: headers, a `hello`, the buffered events, the state, then
   * live batches. Returns false (writing nothing) when MAX_CONSOLE_CLIENTS pages are connected.
   */
  attach(res: ServerResponse, hello: object): boolean {
    if (this.clients.size >= MAX_CONSOLE_CLIENTS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // Proxies such as nginx would otherwise hold events back to fill their buffer.
      'x-accel-buffering': 'no',
    });
    const client = new SseClient(res, this.bufferSize, (gone) => {
      this.clients.delete(gone);
      if (this.clients.size === 0) this.stopFlushing();
    });
    this.clients.add(client);
    client.sendState(sseMessage('hello', hello));
    const replay = this.ring.since(0, this.flushedSeq);
    if (replay.length > 0) client.sendEvents(sseMessage('events', replay), replay.length);
    this.sendState([client]);
    if (!this.flushTimer) {
      this.flushTimer = setInterval(() => this.flush(), FLUSH_MS);
      this.flushTimer.unref();
    }
    return true;
  }

  private stopFlushing(): void {
    clearInterval(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Sends the events recorded since the last batch to every page, serialized once. */
  private flush(): void {
    if (this.ring.last === this.flushedSeq) return;
    const batch = this.ring.since(this.flushedSeq);
    // More events than the buffer holds arrived within one interval: the oldest are gone for everyone.
    const overrun = this.ring.last - this.flushedSeq - batch.length;
    this.flushedSeq = this.ring.last;
    const chunk = sseMessage('events', batch);
    for (const client of this.clients) {
      if (overrun > 0) client.lost(overrun);
      client.sendEvents(chunk, batch.length);
    }
  }

  private tick(): void {
    this.series.push(this.point);
    if (this.series.length > SERIES_POINTS) this.series.shift();
    this.point = emptyPoint(Date.now());
    if (this.clients.size === 0) {
      // Nobody to send to: what a page would replay starts here.
      this.flushedSeq = this.ring.last;
      return;
    }
    this.sendState([...this.clients]);
  }

  /** Builds the state once and sends it to `to`; a build still running (a slow Redis) is not doubled. */
  private sendState(to: SseClient[]): void {
    if (this.stateInFlight) return;
    this.stateInFlight = true;
    const done = () => {
      this.stateInFlight = false;
    };
    this.state().then(
      (state) => {
        done();
        const chunk = sseMessage('state', state);
        for (const client of to) client.sendState(chunk);
      },
      // The state sources fail soft themselves; this is a backstop so the next tick tries again.
      done,
    );
  }
}
