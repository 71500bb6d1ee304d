import { randomUUID } from 'node:crypto';
import type { INestApplicationContext, ModuleMetadata } from '@nestjs/common';
import type * as NestTesting from '@nestjs/testing';
import { loadOptionalPeer } from '../common/optional-peer';
import type { LarderClock } from '../common/clock';
import type { LarderModuleOptions } from '../larder-options';
import { LARDER_CLOCK } from '../larder.constants';
import { CacheModule } from '../larder.module';

/**
 * A module `startLarder` started: a @nestjs/testing `TestingModule`, typed by what the suites use
 * so that the declarations of `@larder/nestjs/testing` name no test library.
 */
export type LarderTestingModule = INestApplicationContext;

/** How `startLarder` starts the module, beside its options and metadata. */
export interface StartLarderOptions {
  /**
   * The time the memory stores, L1 and freshness checks read: a `LarderTestClock` to move it with
   * `advance('5m')`. Default: real time (which jest's modern fake timers also drive).
   */
  clock?: LarderClock;
}

/** Modules started by startLarder and not closed yet. */
const openModules = new Set<INestApplicationContext>();

/** @nestjs/testing, loaded when a module is started: importing `@larder/nestjs/testing` does not need it. */
function nestTesting(): typeof NestTesting {
  const testing = loadOptionalPeer<typeof NestTesting>('@nestjs/testing');
  if (!testing) throw new Error('startLarder needs @nestjs/testing: npm i -D @nestjs/testing');
  return testing;
}

/**
 * Compiles and initialises a testing module (@nestjs/testing) importing `CacheModule.forRoot(options)`
 * (with connection logging off unless asked for), plus `metadata` (providers, controllers, imports).
 * Closing it twice is harmless; `closeLarderModules` closes what a failed test left open. With
 * `{ clock }`, the module's in-process expiry follows that clock (see LarderTestClock).
 *
 * @example
 * const moduleRef = await startLarder({ redis: process.env.REDIS_URL, namespace: uniqueNamespace() });
 * try { await moduleRef.get(CacheService).set('k', 1); } finally { await moduleRef.close(); }
 * @example
 * const clock = new LarderTestClock();
 * const moduleRef = await startLarder({}, { providers: [SessionsController] }, { clock });
 */
export async function startLarder(
  options: LarderModuleOptions,
  metadata: ModuleMetadata = {},
  { clock }: StartLarderOptions = {},
): Promise<LarderTestingModule> {
  const builder = nestTesting().Test.createTestingModule({
    ...metadata,
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options }), ...(metadata.imports ?? [])],
  });
  if (clock) builder.overrideProvider(LARDER_CLOCK).useValue(clock);
  const moduleRef = await builder.compile();
  await moduleRef.init();
  openModules.add(moduleRef);
  const close = moduleRef.close.bind(moduleRef);
  moduleRef.close = async () => {
    if (openModules.delete(moduleRef)) await close();
  };
  return moduleRef;
}

/**
 * Closes every module `startLarder` opened that is still open: register it with `afterAll` so a
 * test whose assertion threw before its own `close()` leaves no Redis connection keeping jest alive.
 * @example afterAll(closeLarderModules);
 */
export async function closeLarderModules(): Promise<void> {
  for (const moduleRef of [...openModules]) await moduleRef.close().catch(() => undefined);
}

/**
 * A namespace no other test uses, so tests sharing one Redis never see each other's keys.
 * @example startLarder({ redis: url, namespace: uniqueNamespace('orders') })
 */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/**
 * Polls `check` every 10 ms until it returns true, or rejects after `ms`: for waiting on a
 * condition (an expiry, a reconnection) instead of sleeping a guessed time.
 * @example await eventually(async () => (await cache.get('k')) === undefined, 3000, 'the entry to expire');
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms}ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
