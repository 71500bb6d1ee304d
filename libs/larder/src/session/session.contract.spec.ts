import { LARDER_REDIS, LARDER_SESSION_STORE, type SessionStore } from '@larder/nestjs';
import {
  describeSessionContract,
  type LarderTestingModule,
  type SessionStoreInspector,
} from '@larder/nestjs/testing';
import { createLarderModule, testRedisUrl } from '#test/test-helpers';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import { MemorySessionStore } from './memory-session.store';
import { RedisSessionStore } from './redis-session.store';
import { sessionKeys } from './session-keys';

/** The memory store's own records, which the service API does not show. */
function inspectMemory(store: MemorySessionStore): SessionStoreInspector {
  const sessions = (store as unknown as { sessions: Map<string, unknown> }).sessions;
  return {
    indexSize: async (userKey) => store.indexSize(userKey),
    holds: async (handle) => sessions.has(handle),
  };
}

function inspectRedis(moduleRef: LarderTestingModule, namespace: string): SessionStoreInspector {
  const { client } = moduleRef.get<RedisCoordinator>(LARDER_REDIS);
  const keys = sessionKeys(namespace);
  return {
    indexSize: (userKey) => client.zcard(keys.userIndex(userKey)),
    holds: async (handle) => (await client.exists(keys.session(handle))) === 1,
  };
}

/** A store of the application's: the memory store behind a layer of its own, as a wrapper would be. */
class WrappedStore implements SessionStore {
  readonly inner = new MemorySessionStore();
  write: SessionStore['write'] = (request) => this.inner.write(request);
  read: SessionStore['read'] = (handle, rolling) => this.inner.read(handle, rolling);
  update: SessionStore['update'] = (handle, merge, rolling) => this.inner.update(handle, merge, rolling);
  touch: SessionStore['touch'] = (handle) => this.inner.touch(handle);
  destroy: SessionStore['destroy'] = (handle) => this.inner.destroy(handle);
  list: SessionStore['list'] = (userKey) => this.inner.list(userKey);
  destroyAll: SessionStore['destroyAll'] = (userKey) => this.inner.destroyAll(userKey);
  close: SessionStore['close'] = () => this.inner.close();
}

describeSessionContract('memory', {
  options: () => ({}),
  inspect: (moduleRef) => inspectMemory(moduleRef.get(LARDER_SESSION_STORE)),
});

describeSessionContract('Redis', { options: () => ({ redis: testRedisUrl() }), inspect: inspectRedis });

describeSessionContract('a SessionStore of the application (session.store)', {
  options: () => ({ session: { store: new WrappedStore() } }),
  inspect: (moduleRef) => inspectMemory(moduleRef.get<WrappedStore>(LARDER_SESSION_STORE).inner),
});

it.each([
  ['memory', {}, MemorySessionStore],
  ['Redis', { redis: testRedisUrl() }, RedisSessionStore],
] as const)('the %s setup runs on its own store', async (_name, options, type) => {
  const moduleRef = await createLarderModule(options);
  try {
    expect(moduleRef.get(LARDER_SESSION_STORE)).toBeInstanceOf(type);
  } finally {
    await moduleRef.close();
  }
});
