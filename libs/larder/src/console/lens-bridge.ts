import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { CacheService } from '../cache/cache.service';
import type { CacheEventListener, CacheEventMap } from '../cache/cache-events';
import { loadOptionalPeer } from '../common/optional-peer';
import { InvalidOptionError } from '../errors';
import { LARDER_LENS_OPTIONS } from '../larder.constants';

/**
 * An entry of Lens' cache watcher, in @lensjs/core's own shape (its `CacheEntry`): `hit` and
 * `write` carry `{ key, value }`, `miss` and `delete` `{ key }`, `clear` nothing; `createdAt` is an
 * ISO time and `requestId` the Lens request the operation ran in.
 */
export type LensCacheEntry =
  | { action: 'hit' | 'write'; createdAt: string; requestId?: string; data: { key: string; value: unknown } }
  | { action: 'miss' | 'delete'; createdAt: string; requestId?: string; data: { key: string } }
  | { action: 'clear'; createdAt: string; requestId?: string; data?: Record<string, never> };

/** What the bridge uses of @lensjs/core (typed here: Larder's published types never name it). */
interface LensCore {
  lensEmitter: { emit(event: 'cache', entry: LensCacheEntry): unknown };
  lensContext?: { getStore(): { requestId?: string } | undefined };
}

/**
 * Validates the `lens` option (`true` turns the bridge on) and loads @lensjs/core for it.
 * @throws InvalidOptionError naming `lens` when it is not a boolean, or @lensjs/core is not installed
 */
export function resolveLensOption(raw: unknown): boolean {
  if (raw === undefined || raw === false) return false;
  if (raw !== true) {
    throw new InvalidOptionError(
      `Invalid Larder option "lens": ${JSON.stringify(raw)}. Allowed: true or false.`,
    );
  }
  loadLens();
  return true;
}

function loadLens(): LensCore {
  const lens = loadOptionalPeer<LensCore>('@lensjs/core');
  if (!lens) {
    throw new InvalidOptionError(
      'Invalid Larder option "lens": the Lens bridge needs @lensjs/core. ' +
        'Install it (npm i @lensjs/core) or remove the option.',
    );
  }
  return lens;
}

/** The key as a Lens user reads it: inside a scope, `scope:key` (the scope's label). */
const lensKey = (e: { key?: string; namespace: string }) =>
  e.namespace ? `${e.namespace}:${e.key ?? ''}` : (e.key ?? '');

/** Lens' ISO time without milliseconds, as its own watchers write it. */
const createdAt = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * The Lens bridge (the `lens: true` module option): forwards the cache's hit, miss, write, delete
 * and clear events to Lens' cache watcher through @lensjs/core's `lensEmitter`, each with the Lens
 * request id of the request it ran in, so a Lens user sees Larder's cache in Lens unchanged.
 * Larder's events carry no values, so `value` is `null`. With `lens` unset nothing is loaded.
 *
 * @example CacheModule.forRoot({ redis: process.env.REDIS_URL, lens: true }) // with @lensjs/express (or another adapter) set up
 */
@Injectable()
export class LarderLensBridge implements OnModuleInit, OnModuleDestroy {
  private off: Array<() => void> = [];

  constructor(
    @Inject(LARDER_LENS_OPTIONS) private readonly enabled: boolean,
    @Inject(CacheService) private readonly cache: CacheService,
  ) {}

  onModuleInit(): void {
    if (!this.enabled) return;
    const { lensEmitter, lensContext } = loadLens();
    const send = (entry: LensCacheEntry) => {
      const requestId = lensContext?.getStore()?.requestId;
      lensEmitter.emit('cache', requestId === undefined ? entry : { ...entry, requestId });
    };
    const withValue = (action: 'hit' | 'write') => (e: CacheEventMap['hit'] | CacheEventMap['write']) =>
      send({ action, createdAt: createdAt(), data: { key: lensKey(e), value: null } });
    const keyOnly = (action: 'miss' | 'delete') => (e: CacheEventMap['miss'] | CacheEventMap['delete']) =>
      send({ action, createdAt: createdAt(), data: { key: lensKey(e) } });
    this.listen('hit', withValue('hit'));
    this.listen('write', withValue('write'));
    this.listen('miss', keyOnly('miss'));
    this.listen('delete', keyOnly('delete'));
    this.listen('clear', () => send({ action: 'clear', createdAt: createdAt() }));
  }

  onModuleDestroy(): void {
    for (const off of this.off.splice(0)) off();
  }

  private listen<E extends 'hit' | 'miss' | 'write' | 'delete' | 'clear'>(
    name: E,
    listener: CacheEventListener<E>,
  ): void {
    this.cache.on(name, listener);
    this.off.push(() => this.cache.off(name, listener));
  }
}
