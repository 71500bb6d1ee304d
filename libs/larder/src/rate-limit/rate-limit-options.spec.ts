import { CacheModule, InvalidOptionError, RateLimit } from '@larder/nestjs';
import { createLarderModule } from '#test/test-helpers';
import { resolveRateLimitOptions } from './rate-limit-options';
import type { RateLimitRule } from './rate-limit.types';

describe('rate limit options', () => {
  it('fills in defaults and names unnamed rules', () => {
    const resolved = resolveRateLimitOptions({
      rules: [
        { limit: 10, window: '1s' },
        { limit: 1000, window: '1h' },
      ],
    });
    expect(resolved).toMatchObject({
      failOpen: true,
      insurance: true,
      headers: true,
      legacyHeaders: false,
      maxMemoryKeys: 100_000,
    });
    expect(resolved.rules).toEqual([
      {
        name: 'default',
        limit: 10,
        windowMs: 1000,
        by: 'ip',
        algorithm: 'sliding-window',
        cost: 1,
        blockForMs: 0,
      },
      {
        name: 'default-1',
        limit: 1000,
        windowMs: 3_600_000,
        by: 'ip',
        algorithm: 'sliding-window',
        cost: 1,
        blockForMs: 0,
      },
    ]);
  });

  const bad: Array<[string, unknown, string]> = [
    ['limit 0', { rules: [{ limit: 0, window: '1s' }] }, 'rateLimit.rules[0].limit'],
    ['negative limit', { rules: [{ limit: -5, window: '1s' }] }, 'rateLimit.rules[0].limit'],
    ['fractional limit', { rules: [{ limit: 1.5, window: '1s' }] }, 'rateLimit.rules[0].limit'],
    [
      'unknown algorithm',
      { rules: [{ limit: 5, window: '1s', algorithm: 'leaky' }] },
      'rateLimit.rules[0].algorithm',
    ],
    ['missing window', { rules: [{ limit: 5 }] }, 'rateLimit.rules[0].window'],
    ['bad window', { rules: [{ limit: 5, window: '5 minutes' }] }, 'rateLimit.rules[0].window'],
    ['cost above limit', { rules: [{ limit: 5, window: '1s', cost: 6 }] }, 'rateLimit.rules[0].cost'],
    [
      'negative blockFor',
      { rules: [{ limit: 5, window: '1s', blockFor: -1 }] },
      'rateLimit.rules[0].blockFor',
    ],
    ['bad by', { rules: [{ limit: 5, window: '1s', by: 'session' }] }, 'rateLimit.rules[0].by'],
    ['throttler-style ttl', { rules: [{ limit: 5, ttl: 1000 }] }, 'rateLimit.rules[0].ttl'],
    ['bad name', { rules: [{ name: 'a b"', limit: 5, window: '1s' }] }, 'rateLimit.rules[0].name'],
    [
      'duplicate names',
      {
        rules: [
          { name: 'x', limit: 5, window: '1s' },
          { name: 'x', limit: 9, window: '1m' },
        ],
      },
      'rateLimit.rules[1].name',
    ],
    ['rules not an array', { rules: { limit: 5, window: '1s' } }, 'rateLimit.rules'],
    ['failOpen not boolean', { failOpen: 'yes' }, 'rateLimit.failOpen'],
    ['unknown option', { trustProxy: true }, 'rateLimit.trustProxy'],
  ];

  it.each(bad)('a module with %s fails at boot with E_INVALID_OPTION', async (_name, rateLimit, field) => {
    const boot = createLarderModule({ rateLimit: rateLimit as never });
    await expect(boot).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(boot).rejects.toMatchObject({
      code: 'E_INVALID_OPTION',
      message: expect.stringContaining(`"${field}"`),
    });
  });

  it('accepts the options through forRoot and boots', async () => {
    const moduleRef = await createLarderModule({
      rateLimit: { rules: [{ limit: 5, window: '1s', blockFor: '1m' }] },
    });
    await moduleRef.close();
    expect(CacheModule.forRoot({ rateLimit: { failOpen: false } }).providers?.length).toBeGreaterThan(0);
  });

  it('rejects a bad @RateLimit rule when the class is defined, naming the handler', () => {
    const define = (rule: RateLimitRule) => () => {
      class Controller {
        @RateLimit(rule)
        handler() {}
      }
      return Controller;
    };
    expect(define({ limit: 0, window: '1s' })).toThrow(InvalidOptionError);
    expect(define({ limit: 0, window: '1s' })).toThrow(/"Controller\.handler\[0\]\.limit"/);
    expect(define({ limit: 1, window: '1s', algorithm: 'gcra' as never })).toThrow(
      /E_INVALID_OPTION|algorithm/,
    );
    expect(define({ limit: 1, window: '1s' })).not.toThrow();
    expect(define({ limit: 1, window: '1s', blockfor: '1m' } as never)).toThrow(
      /^Unknown @RateLimit rule "Controller\.handler\[0\]\.blockfor"\. Did you mean "Controller\.handler\[0\]\.blockFor"\?/,
    );
  });
});
