import { CacheService, LockService, type LarderModuleOptions } from '@larder/nestjs';
import { watchHandles } from '#test/handle-watch';
import { createLarderModule, uniqueNamespace } from '#test/test-helpers';
import { startSentinelGroup, type SentinelGroup } from './sentinel-group';

const GROUP_TIMEOUT_MS = 60_000;

/**
 * Closing on Sentinel. ioredis' failover detector keeps a subscriber per sentinel, and those
 * subscribers do not take the connection's `disconnectTimeout`: one whose socket did not close at
 * once (a hung sentinel, or a socket still opening) kept a closed app, or a jest worker, alive for
 * ioredis' 2 s default after `app.close()`.
 */
describe('closing the module on Sentinel', () => {
  let group: SentinelGroup;

  beforeAll(async () => {
    group = await startSentinelGroup();
  }, GROUP_TIMEOUT_MS);

  afterAll(async () => {
    await group?.teardown();
  });

  function startOnSentinel(extra: Partial<LarderModuleOptions> = {}) {
    return createLarderModule({
      redis: { sentinels: group.sentinelAddresses(), name: group.masterName },
      namespace: uniqueNamespace(),
      throwOnError: true,
      ...extra,
    });
  }

  it('leaves nothing running when closed while a sentinel hangs', async () => {
    const moduleRef = await startOnSentinel();
    await moduleRef.get(CacheService).set('k', 'v');
    // A paused sentinel never answers the FIN of its subscriber's socket: only a timer closes it.
    const [hung] = group.sentinels;
    const handles = watchHandles();
    group.pause(hung);
    try {
      await moduleRef.close();
      expect(await handles.left()).toEqual([]);
    } finally {
      handles.stop();
      group.resume(hung);
    }
  });

  it.each<[string, Partial<LarderModuleOptions>]>([
    ['without L1', {}],
    ['with L1 (its invalidation bus subscribes through the sentinels too)', { memory: { ttl: '1m' } }],
  ])('leaves no timer or socket running once closed, %s', async (_name, extra) => {
    const handles = watchHandles();
    try {
      const moduleRef = await startOnSentinel(extra);
      const cache = moduleRef.get(CacheService);
      await cache.set('k', 'v');
      expect(await cache.get('k')).toBe('v');
      expect(await moduleRef.get(LockService).withLock('k', () => 'done', { ttl: '5s' })).toBe('done');
      await moduleRef.close();
      expect(await handles.left()).toEqual([]);
    } finally {
      handles.stop();
    }
  });
});
