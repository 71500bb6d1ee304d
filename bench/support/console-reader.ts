/**
 * The console bench's stand-in for a browser tab, in a process of its own so that reading the
 * stream does not take CPU from the load generator's process (a real page runs in a browser,
 * usually on another machine). Run with
 * `node -r @swc-node/register bench/support/console-reader.ts <eventsUrl> <token>`.
 * It opens the event stream, prints `ready` once the app answered 200, and then reads and parses
 * every message as the page's script does: `events` batches are JSON-parsed and the last 500 kept,
 * `state` and `dropped` messages parsed too. For each line on stdin it prints one JSON line of
 * what it received so far (see ReaderCounts); it exits when its stdin ends.
 */
import { request, type IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { runAsProcess } from './serve-apps';

/** What the reader has received since it connected. */
export interface ReaderCounts {
  /** Cache events received in `events` batches (the replayed buffer included). */
  events: number;
  batches: number;
  states: number;
  /** The app's running total of events this page missed (its last `dropped` message), 0 if none. */
  dropped: number;
  bytes: number;
  /** Events held, as the page holds its last MAX_ROWS for the table. */
  kept: number;
  /** CPU time this reader used (user + system), so the bench can say what the stand-in itself took. */
  cpuMs: number;
}

/** Rows the page keeps in memory (MAX_ROWS in console-page.script.ts). */
const MAX_ROWS = 500;

function open(url: string, token: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` } }, (res) => {
      if (res.statusCode === 200) resolve(res);
      else reject(new Error(`console stream answered ${res.statusCode}`));
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const [url, token] = process.argv.slice(2);
  if (!url || !token) throw new Error('usage: console-reader.ts <eventsUrl> <token>');
  const counts: ReaderCounts = { events: 0, batches: 0, states: 0, dropped: 0, bytes: 0, kept: 0, cpuMs: 0 };
  let rows: unknown[] = [];
  let partial = '';
  const handle = (message: string) => {
    let name = 'message';
    let data = '';
    for (const line of message.split('\n')) {
      if (line.startsWith('event: ')) name = line.slice(7);
      else if (line.startsWith('data: ')) data += line.slice(6);
    }
    if (name === 'events') {
      const batch = JSON.parse(data) as unknown[];
      counts.events += batch.length;
      counts.batches++;
      rows = rows.concat(batch).slice(-MAX_ROWS);
      counts.kept = rows.length;
    } else if (name === 'state') {
      JSON.parse(data);
      counts.states++;
    } else if (name === 'dropped') {
      counts.dropped = (JSON.parse(data) as { total: number }).total;
    }
  };
  const res = await open(url, token);
  res.setEncoding('utf8');
  res.on('data', (chunk: string) => {
    counts.bytes += Buffer.byteLength(chunk);
    // Messages end with a blank line; a chunk may end inside one.
    const messages = (partial + chunk).split('\n\n');
    partial = messages.pop() as string;
    for (const message of messages) handle(message);
  });
  res.on('error', () => undefined);
  process.stdout.write('ready\n');
  const lines = createInterface({ input: process.stdin });
  for await (const _line of lines) {
    const cpu = process.cpuUsage();
    counts.cpuMs = (cpu.user + cpu.system) / 1000;
    process.stdout.write(`${JSON.stringify(counts)}\n`);
  }
  res.destroy();
  process.exit(0);
}

runAsProcess(main);
