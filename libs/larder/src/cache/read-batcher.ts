import { CircuitOpenError } from '../errors';
import { isOutage } from '../redis/outage';
import type { CacheCore, Scope } from './cache-core';

/** What a caller does when its read fails: resolve to `fallback` (fail open) or reject (`rethrow`). */
export interface ReadFailure<F> {
  fallback: F;
  rethrow: boolean;
}

/**
 * Most entries one batched read asks for: a larger tick is split into several MGETs, so one reply
 * stays small enough not to hold up the event loop (or Redis) while it is parsed.
 */
export const MAX_BATCH_KEYS = 100;

interface PendingRead {
  scope: Scope;
  key: string;
  full: string;
  failure: ReadFailure<unknown>;
  resolve: (raw: unknown) => void;
  reject: (error: unknown) => void;
}

/**
 * Tick-level read batching: the single-entry reads started in one turn of the event loop go to the
 * value store together, as one `getMany` (one MGET, or one per cluster slot), once the turn's
 * promise callbacks have run. A read alone in its turn stays a plain `get`.
 *
 * Each caller keeps its own outcome: its raw entry, or on failure its own policy (miss, marker or
 * typed error) with its own `error` event and error count, exactly as an unbatched read. The store
 * call itself is bounded by `commandTimeout` and counted by the circuit breaker once per command,
 * not once per caller, so one failed MGET of 50 keys is one failure, not 50.
 */
export class ReadBatcher {
  private queue: PendingRead[] = [];
  private scheduled = false;

  constructor(private readonly core: CacheCore) {}

  /** The raw entry (as `keyv.get(full, { raw: true })` gives it), or what `failure` says on a store failure. */
  read<F>(scope: Scope, key: string, full: string, failure: ReadFailure<F>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ scope, key, full, failure, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      // process.nextTick runs once the microtask queue is empty: every caller resumed by the same
      // reply (or started by the same request) has queued its read by then.
      process.nextTick(this.flush);
    });
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    const queue = this.queue;
    this.queue = [];
    for (let i = 0; i < queue.length; i += MAX_BATCH_KEYS) {
      const batch = queue.length <= MAX_BATCH_KEYS ? queue : queue.slice(i, i + MAX_BATCH_KEYS);
      const groups = batch.length > 1 ? this.core.store.batches?.(batch.map((r) => r.full)) : undefined;
      if (groups && groups.length > 1) for (const group of groups) this.send(group.map((j) => batch[j]));
      else this.send(batch);
    }
  };

  private send(reads: PendingRead[]): void {
    if (reads.length === 1) {
      this.sendOne(reads[0]);
      return;
    }
    const fulls = reads.map((r) => r.full);
    const keyv = this.core.store.keyv;
    // Both handlers settle every caller themselves (the failure path catches the typed error each
    // policy throws), so the chain they end cannot reject.
    void this.core
      .sharedStoreCall('get', () => keyv.getMany(fulls, { raw: true }))
      .then(
        (raws) => {
          for (let i = 0; i < reads.length; i++) reads[i].resolve(raws[i]);
        },
        (error: unknown) => {
          // Redis answered, but the batch failed on one entry (one that does not decode, say): read
          // each again on its own, so that only that entry's caller sees the failure.
          if (!isOutage(error) && !(error instanceof CircuitOpenError)) {
            for (const read of reads) this.sendOne(read);
            return;
          }
          for (const read of reads) {
            try {
              read.resolve(this.core.failed('get', read.scope, read.key, error, read.failure));
            } catch (typed) {
              read.reject(typed);
            }
          }
        },
      );
  }

  /** A read alone in its turn, or re-read after its batch failed: a plain `get`, as without batching. */
  private sendOne(read: PendingRead): void {
    const get = () => this.core.store.keyv.get(read.full, { raw: true });
    void this.core
      .storeCall<unknown>('get', read.scope, read.key, get, read.failure)
      .then(read.resolve, read.reject);
  }
}
