import { EventEmitter } from 'node:events';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import type { RedisClient } from '../../redis/redis-coordinator';
import { isCluster } from '../../redis/is-cluster';
import { groupBySlot } from '../../redis/key-slot';
import { scanAndUnlink, unlinkKeys } from '../../redis/scan-unlink';
import { KEY_SEPARATOR } from '../cache-keys';

/**
 * A Keyv store over an existing ioredis connection. It lets cache values share the connection
 * the application already has (for example BullMQ's) instead of opening a second client.
 * Keys are laid out as `<namespace>::<key>`, exactly like @keyv/redis.
 *
 * @example
 * const keyv = new Keyv({ store: new IoredisKeyvStore(redis), namespace: 'app', useKeyPrefix: false });
 */
export class IoredisKeyvStore extends EventEmitter implements KeyvStoreAdapter {
  opts: Record<string, unknown> = {};
  namespace?: string;

  constructor(readonly client: RedisClient) {
    super();
  }

  private key(key: string): string {
    return this.namespace ? `${this.namespace}${KEY_SEPARATOR}${key}` : key;
  }

  private get isCluster(): boolean {
    return isCluster(this.client);
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const raw = await this.client.get(this.key(key));
    return (raw ?? undefined) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    if (keys.length === 0) return [];
    const full = keys.map((k) => this.key(k));
    const raws = this.isCluster ? await this.mgetBySlot(full) : await this.client.mget(...full);
    return raws.map((raw) => (raw ?? undefined) as StoredData<Value | undefined>);
  }

  /** On a cluster: one MGET per slot (a multi-key command must stay in one), side by side. */
  private async mgetBySlot(full: string[]): Promise<Array<string | null>> {
    const raws: Array<string | null> = new Array(full.length);
    await Promise.all(
      groupBySlot(full).map(async (group) => {
        const found = await this.client.mget(...group.map((i) => full[i]));
        group.forEach((i, j) => (raws[i] = found[j]));
      }),
    );
    return raws;
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    const full = this.key(key);
    if (ttl && ttl > 0) await this.client.set(full, value as string, 'PX', ttl);
    else await this.client.set(full, value as string);
    return true;
  }

  async setMany(entries: Array<{ key: string; value: unknown; ttl?: number }>): Promise<void> {
    if (entries.length === 0) return;
    if (this.isCluster) {
      await Promise.all(entries.map((e) => this.set(e.key, e.value, e.ttl)));
      return;
    }
    const multi = this.client.multi();
    for (const e of entries) {
      if (e.ttl && e.ttl > 0) multi.set(this.key(e.key), e.value as string, 'PX', e.ttl);
      else multi.set(this.key(e.key), e.value as string);
    }
    const results = await multi.exec();
    const failed = results?.find(([error]) => error);
    if (failed) throw failed[0];
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.unlink(this.key(key))) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    return (
      (await unlinkKeys(
        this.client,
        keys.map((k) => this.key(k)),
      )) > 0
    );
  }

  async has(key: string): Promise<boolean> {
    return (await this.client.exists(this.key(key))) > 0;
  }

  /** Removes this namespace only (SCAN + UNLINK). Without a namespace it refuses rather than wipe the database. */
  async clear(): Promise<void> {
    if (!this.namespace)
      throw new Error('IoredisKeyvStore.clear() needs a namespace; it never flushes a database');
    await scanAndUnlink(this.client, `${this.namespace}${KEY_SEPARATOR}`);
  }

  /** The connection is shared; closing it is its owner's job. */
  async disconnect(): Promise<void> {}
}
