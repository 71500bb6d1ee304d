import { CacheService, LockService, type LarderModuleOptions } from '@larder/nestjs';
import { watchHandles } from '#test/handle-watch';
import { createLarderModule, eventually, uniqueNamespace } from '#test/test-helpers';
import { startSentinelGroup, type SentinelGroup } from './sentinel-group';

const GROUP_TIMEOUT_MS = 60_000;

/**
 * Closing on Sentinel. ioredis' failover detector keeps a subscriber per sentinel, and those
 * subscribers do not take the connection's `disconnectTimeout`: one whose socket did not close at
 * once (a hung sentinel, a socket still opening, or one closed a second time after a failover)
 * kept a closed app, or a jest worker, alive for ioredis' 2 s default after `app.close()`
 * (redis/sentinel-clients.ts).
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

  // Last: it fails the master over, and the group is torn down after it.
  it(
    'leaves nothing running when closed just after following a failover',
    async () => {
      const handles = watchHandles();
      const master = await group.master();
      try {
        const moduleRef = await startOnSentinel({ memory: { ttl: '1m' } });
        const cache = moduleRef.get(CacheService);
        await cache.set('k', 'v0');
        // A hung master keeps its sockets open: the connection moves on when the sentinels announce
        // the promotion, which closes its sentinel subscribers, and opens new ones once reconnected.
        group.pause(master);
        await group.waitForPromotion(master);
        await eventually(
          () =>
            cache.set('k', 'v1').then(
              () => true,
              () => false,
            ),
          30_000,
          'a write on the promoted master',
        );
        await moduleRef.close();
        expect(await handles.left()).toEqual([]);
      } finally {
        handles.stop();
        group.resume(master);
      }
    },
    GROUP_TIMEOUT_MS,
  );
});
