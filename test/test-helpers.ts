import { randomUUID } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import type { ModuleMetadata } from '@nestjs/common';
import { CacheModule, type LarderModuleOptions } from '@larder/nestjs';

/** The Redis every test may use (see global-setup.ts). */
export function testRedisUrl(): string {
  const url = process.env.LARDER_TEST_REDIS_URL;
  if (!url)
    throw new Error(
      'LARDER_TEST_REDIS_URL is not set: run the tests through jest (globalSetup starts Redis).',
    );
  return url;
}

/** A namespace no other test uses, so tests never see each other's keys. */
export function uniqueNamespace(prefix = 't'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** Modules created by createLarderModule and not closed yet. */
const openModules = new Set<TestingModule>();

/** Compiles and initialises a module with CacheModule.forRoot(options) plus `extra` metadata. */
export async function createLarderModule(
  options: LarderModuleOptions,
  extra: ModuleMetadata = {},
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    ...extra,
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options }), ...(extra.imports ?? [])],
  }).compile();
  await moduleRef.init();
  openModules.add(moduleRef);
  const close = moduleRef.close.bind(moduleRef);
  // Closing twice is a no-op, so a spec's own close after closeLeftoverModules does no harm.
  moduleRef.close = async () => {
    if (openModules.delete(moduleRef)) await close();
  };
  return moduleRef;
}

/**
 * Closes the modules a failed test left open (its assertion threw before its own close). Their
 * Redis connections would otherwise keep jest from exiting, turning a red run into a hung one.
 * Registered after every spec file by test/jest-after-env.ts.
 */
export async function closeLeftoverModules(): Promise<void> {
  for (const moduleRef of [...openModules]) await moduleRef.close().catch(() => undefined);
}

/** Polls `check` until it returns true (or throws after `ms`): for conditions, instead of sleeps. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  ms = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms}ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
