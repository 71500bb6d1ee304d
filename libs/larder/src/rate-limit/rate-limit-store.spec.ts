import {
  LARDER_RATE_LIMIT_STORE,
  RateLimitService,
  StoreUnavailableError,
  type RateLimitRule,
  type RateLimitStore,
  type RateLimitStoreCheck,
  type RateLimitStoreOutcome,
} from '@larder/nestjs';
import { createLarderModule } from '#test/test-helpers';

/** A store of the application's: it refuses whatever `refuse` names, and records what it was asked. */
class ScriptedStore implements RateLimitStore {
  readonly checks: RateLimitStoreCheck[][] = [];
  readonly resets: string[] = [];
  failing = false;

  constructor(private readonly refuse: Set<string> = new Set()) {}

  async consume(checks: RateLimitStoreCheck[]): Promise<RateLimitStoreOutcome> {
    if (this.failing) throw new StoreUnavailableError('the database is down');
    this.checks.push(checks);
    const rules = checks.map((c) => {
      const ok = !this.refuse.has(c.rule.name);
      return { ok, remaining: ok ? c.rule.limit - 1 : 0, resetMs: 1000, retryAfterMs: ok ? 0 : 750 };
    });
    return { allowed: rules.every((r) => r.ok), rules };
  }

  async reset(keys: Array<{ state: string }>): Promise<void> {
    this.resets.push(...keys.map((k) => k.state));
  }
}

describe('providing a RateLimitStore (rateLimit.store)', () => {
  it('is the store RateLimitService asks, with the keys and resolved rules of each check', async () => {
    const store = new ScriptedStore(new Set(['strict']));
    const moduleRef = await createLarderModule({ namespace: 'rls', rateLimit: { store } });
    try {
      const service = moduleRef.get(RateLimitService);
      expect(moduleRef.get(LARDER_RATE_LIMIT_STORE)).toBe(store);
      expect(service.backend).toBe('custom');
      const allowed = await service.consume('client', { name: 'open', limit: 5, window: '1s' });
      expect(allowed).toMatchObject({ allowed: true, remaining: 4, degraded: false });
      const denied = await service.consume('client', { name: 'strict', limit: 5, window: '1s' });
      expect(denied).toMatchObject({ allowed: false, retryAfterMs: 750 });
      const [check] = store.checks[0];
      expect(check.rule).toMatchObject({ name: 'open', limit: 5, windowMs: 1000 });
      expect(check.keys.state).toMatch(/^rls:rl:\{[\w-]{22}\}:open:/);
      await service.reset('client', { name: 'open', limit: 5, window: '1s' });
      expect(store.resets).toEqual([check.keys.state]);
    } finally {
      await moduleRef.close();
    }
  });

  it('while it fails, failOpen and the insurance limiter apply as for Redis', async () => {
    const store = new ScriptedStore();
    const moduleRef = await createLarderModule({ rateLimit: { store } });
    try {
      const service = moduleRef.get(RateLimitService);
      store.failing = true;
      const rule: RateLimitRule = { limit: 1, window: '1m' };
      expect(await service.consume('c', rule)).toMatchObject({ allowed: true, degraded: true });
      expect(await service.consume('c', rule)).toMatchObject({ allowed: false, degraded: true });
    } finally {
      await moduleRef.close();
    }
    const closed = await createLarderModule({
      rateLimit: { store: Object.assign(new ScriptedStore(), { failing: true }), failOpen: false },
    });
    try {
      await expect(
        closed.get(RateLimitService).consume('c', { limit: 1, window: '1m' }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);
    } finally {
      await closed.close();
    }
  });

  it('refuses a value that is not a RateLimitStore, naming rateLimit.store', async () => {
    await expect(createLarderModule({ rateLimit: { store: {} as never } })).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining('"rateLimit.store"'),
    });
  });
});
