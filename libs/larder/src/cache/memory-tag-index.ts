import type { TagIndex } from './tag-index';

/** Tag index in process memory (the in-memory setup, or a custom store without Redis). */
export class MemoryTagIndex implements TagIndex {
  /** tag -> (key -> expiry in epoch ms, Infinity for none) */
  private readonly tags = new Map<string, Map<string, number>>();

  async add(tags: string[], key: string, ttl: number): Promise<void> {
    const expires = ttl > 0 ? Date.now() + ttl : Infinity;
    for (const tag of tags) {
      let members = this.tags.get(tag);
      if (!members) this.tags.set(tag, (members = new Map()));
      members.set(key, expires);
      if (members.size % 1024 === 0) this.prune(members);
    }
  }

  async take(tags: string[]): Promise<string[]> {
    const keys = new Set<string>();
    for (const tag of tags) {
      for (const key of this.tags.get(tag)?.keys() ?? []) keys.add(key);
      this.tags.delete(tag);
    }
    return [...keys];
  }

  async clear(): Promise<void> {
    this.tags.clear();
  }

  /** Drops members whose keys have expired, so a busy tag's set stays proportional to its live keys. */
  private prune(members: Map<string, number>): void {
    const now = Date.now();
    for (const [key, expires] of members) if (expires <= now) members.delete(key);
  }
}
