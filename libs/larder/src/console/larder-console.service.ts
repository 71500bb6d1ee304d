import type { ServerResponse } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { CacheCore } from '../cache/cache-core';
import { CacheService } from '../cache/cache.service';
import {
  CACHE_EVENT_NAMES,
  type CacheEventListener,
  type CacheEventMap,
  type CacheEventName,
} from '../cache/cache-events';
import { LARDER_CONSOLE_OPTIONS, LARDER_REDIS } from '../larder.constants';
import type { LockEventListener, LockEventMap, LockEventName } from '../lock/lock-events';
import { LockService } from '../lock/lock.service';
import type { RateLimitBlockedEvent } from '../rate-limit/rate-limit-events';
import { RateLimitService } from '../rate-limit/rate-limit.service';
import type { RedisCoordinator } from '../redis/redis-coordinator';
import type { SessionEventListener, SessionEventMap, SessionEventName } from '../session/session-events';
import { SessionService } from '../session/session.service';
import { fromCacheEvent, fromLockEvent, fromRateLimitBlocked, fromSessionEvent } from './console-event';
import { ConsoleFeed } from './console-feed';
import type { ConsoleOptions } from './console-options';
import { mountConsole } from './console-routes';
import {
  buildConsoleState,
  ConsoleTallies,
  type ConsoleSources,
  type ConsoleState,
} from './console-snapshot';
import type { SseClientStats } from './sse-client';
import type { ConsoleConverter } from './event-ring';

const LOCK_EVENTS: LockEventName[] = ['lock.acquired', 'lock.released', 'lock.lost', 'lock.failed'];
const SESSION_EVENTS: SessionEventName[] = ['session.created', 'session.destroyed'];

/**
 * The live console (the `console` module option): mounted on the app's HTTP adapter at boot,
 * fed by the cache, lock, rate-limit and session events. With the console off it subscribes to
 * nothing and mounts nothing. See docs/console.md.
 *
 * @example
 * CacheModule.forRoot({ console: { token: process.env.LARDER_CONSOLE_TOKEN } })
 * // then open http://localhost:3000/_larder?token=<the token>
 */
@Injectable()
export class LarderConsole implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Larder');
  private readonly tallies = new ConsoleTallies();
  private feed?: ConsoleFeed;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    @Inject(LARDER_CONSOLE_OPTIONS) private readonly options: ConsoleOptions | null,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(CacheService) private readonly cache: CacheService,
    @Inject(CacheCore) private readonly core: CacheCore,
    @Inject(LockService) private readonly locks: LockService,
    @Inject(RateLimitService) private readonly rateLimits: RateLimitService,
    @Inject(SessionService) private readonly sessions: SessionService,
    @Inject(LARDER_REDIS) private readonly redis: RedisCoordinator | null,
  ) {}

  /** Whether the console is on (the `console` option given and not `enabled: false`). */
  get enabled(): boolean {
    return this.options !== null;
  }

  /** Where the page is served (`console.path`), or `undefined` when the console is off. */
  get path(): string | undefined {
    return this.options?.path;
  }

  /** How far behind each connected page is (queued events) and what it lost (dropped). */
  clients(): SseClientStats[] {
    return this.feed?.clientStats ?? [];
  }

  /**
   * What the page shows now, redacted (the same JSON as `GET <path>/state`).
   * @example const { locks } = await larderConsole.state();
   */
  async state(): Promise<ConsoleState | undefined> {
    const { options, feed } = this;
    if (!options || !feed) return undefined;
    const sources: ConsoleSources = {
      cache: this.cache,
      core: this.core,
      locks: this.locks,
      sessions: this.sessions,
      redis: this.redis,
    };
    const ring = feed.ring;
    return buildConsoleState(
      sources,
      this.tallies,
      { name: options.name, showValues: options.showValues, series: feed.series, clients: feed.clientStats },
      { size: ring.size, capacity: ring.capacity, last: ring.last },
    );
  }

  onModuleInit(): void {
    const options = this.options;
    if (!options) return;
    const adapter = this.adapterHost?.httpAdapter;
    if (!adapter) {
      this.logger.warn('console: on, but this app has no HTTP server, so nothing is served');
      return;
    }
    const feed = new ConsoleFeed(options.bufferSize, () => this.state());
    this.feed = feed;
    this.subscribe(feed);
    feed.start();
    const hello = { name: options.name, bufferSize: options.bufferSize, showValues: options.showValues };
    mountConsole(adapter, options, {
      stream: (res: ServerResponse) => feed.attach(res, hello),
      state: () => this.state(),
    });
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    this.feed?.stop();
  }

  /** Subscribes the feed to every service's events; the payloads are converted only when a page is sent them. */
  private subscribe(feed: ConsoleFeed): void {
    const cacheEvent: ConsoleConverter = (type, e, at) =>
      fromCacheEvent(type as CacheEventName, e as CacheEventMap[CacheEventName], at);
    for (const name of CACHE_EVENT_NAMES) {
      const listener: CacheEventListener<CacheEventName> = (e) => feed.record(name, e, cacheEvent);
      this.cache.on(name, listener);
      this.unsubscribe.push(() => this.cache.off(name, listener));
    }
    const lockEvent: ConsoleConverter = (type, e, at) =>
      fromLockEvent(type as LockEventName, e as LockEventMap[LockEventName], at);
    for (const name of LOCK_EVENTS) {
      const listener: LockEventListener<LockEventName> = (e) => feed.record(name, e, lockEvent);
      this.locks.on(name, listener);
      this.unsubscribe.push(() => this.locks.off(name, listener));
    }
    const blockedEvent: ConsoleConverter = (_type, e, at) =>
      fromRateLimitBlocked(e as RateLimitBlockedEvent, at);
    const blocked = (e: RateLimitBlockedEvent) => {
      this.tallies.block(e.rule);
      feed.record('ratelimit.blocked', e, blockedEvent);
    };
    this.rateLimits.on('ratelimit.blocked', blocked);
    this.unsubscribe.push(() => this.rateLimits.off('ratelimit.blocked', blocked));
    const sessionEvent: ConsoleConverter = (type, e, at) =>
      fromSessionEvent(type as SessionEventName, e as SessionEventMap[SessionEventName], at);
    for (const name of SESSION_EVENTS) {
      const listener: SessionEventListener<SessionEventName> = (e) => {
        if (e.userId !== undefined) this.tallies.user(e.userId);
        feed.record(name, e, sessionEvent);
      };
      this.sessions.on(name, listener);
      this.unsubscribe.push(() => this.sessions.off(name, listener));
    }
  }
}
