import { systemClock, type LarderClock } from '../../common/clock';
import type { TagStore } from './tag-store';

interface Tagged {
  tags: string[];
  /** Epoch ms; Infinity without expiry. */
  expiresAt: number;
}

/**
 * Tag index in process memory (the in-memory setup, or a custom store without Redis). Each entry
 * remembers its tags, so a delete, an overwrite or an eviction takes it out of exactly those sets.
 * Entries past their expiry count as gone on every path, and are swept out as writes go on, so
 * the index stays the size of the live tagged entries even when nobody deletes them.
 */
export class MemoryTagStore implements TagStore {
  constructor(private readonly clock: LarderClock = systemClock) {}

  /** tag -> entries carrying it */
  private readonly tags = new Map<string, Set<string>>();
  private readonly entries = new Map<string, Tagged>();
  private writesSinceSweep = 0;

  async retag(key: string, tags: string[], ttl: number): Promise<void> {
    this.forgetNow([key]);
    if (tags.length === 0) return;
    const unique = [...new Set(tags)];
    this.entries.set(key, { tags: unique, expiresAt: ttl > 0 ? this.clock.now() + ttl : Infinity });
    for (const tag of unique) {
      let members = this.tags.get(tag);
      if (!members) this.tags.set(tag, (members = new Set()));
      members.add(key);
    }
    // Sweeping once per as many writes as there are entries keeps its cost constant per write.
    if (++this.writesSinceSweep >= Math.max(1024, this.entries.size)) this.sweep();
  }

  async retime(key: string, ttl: number): Promise<void> {
    const entry = this.entries.get(key);
    if (entry) entry.expiresAt = ttl > 0 ? this.clock.now() + ttl : Infinity;
  }

  async forget(keys: string[]): Promise<void> {
    this.forgetNow(keys);
  }

  /** `forget`, synchronously: for a store's eviction callback. */
  forgetNow(keys: Iterable<string>): void {
    for (const key of keys) {
      const entry = this.entries.get(key);
      if (!entry) continue;
      this.entries.delete(key);
      for (const tag of entry.tags) {
        const members = this.tags.get(tag);
        members?.delete(key);
        if (members?.size === 0) this.tags.delete(tag);
      }
    }
  }

  async take(tags: string[]): Promise<string[]> {
    const now = this.clock.now();
    const taken = new Set<string>();
    for (const tag of tags) {
      for (const key of this.tags.get(tag) ?? []) {
        if ((this.entries.get(key)?.expiresAt ?? 0) > now) taken.add(key);
      }
    }
    this.forgetNow(taken);
    for (const tag of tags) this.forgetNow([...(this.tags.get(tag) ?? [])]);
    return [...taken];
  }

  async clear(prefix: string): Promise<void> {
    if (prefix === '') {
      this.tags.clear();
      this.entries.clear();
      return;
    }
    this.forgetNow([...this.entries.keys()].filter((key) => key.startsWith(prefix)));
  }

  /** Entries plus memberships of live entries (a test accessor: zero when nothing tagged is left). */
  get size(): number {
    this.sweep();
    let memberships = 0;
    for (const members of this.tags.values()) memberships += members.size;
    return this.entries.size + memberships;
  }

  private sweep(): void {
    this.writesSinceSweep = 0;
    const now = this.clock.now();
    const expired: string[] = [];
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) expired.push(key);
    this.forgetNow(expired);
  }
}
