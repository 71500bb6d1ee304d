import { InvalidOptionError, SessionService } from '@larder/nestjs';
import { createLarderModule } from '#test/test-helpers';
import { resolveSessionOptions, type SessionModuleOptions } from './session-options';

describe('resolveSessionOptions', () => {
  it('fills in defaults: 1d idle, 30d absolute, no limit, lax httpOnly cookie named larder.sid', () => {
    expect(resolveSessionOptions(undefined)).toEqual({
      ttl: 86_400_000,
      rolling: false,
      maxLifetime: 30 * 86_400_000,
      maxPerUser: 0,
      bearer: true,
      cookie: { name: 'larder.sid', secure: true, sameSite: 'lax', path: '/', domain: undefined },
    });
  });

  it('parses durations and keeps explicit values', () => {
    const resolved = resolveSessionOptions({
      ttl: '30m',
      rolling: true,
      maxLifetime: '7d',
      maxPerUser: 5,
      bearer: false,
      cookie: { name: 'sid', secure: false, sameSite: 'strict', path: '/app', domain: 'example.com' },
    });
    expect(resolved).toMatchObject({
      ttl: 1_800_000,
      rolling: true,
      maxLifetime: 7 * 86_400_000,
      maxPerUser: 5,
      bearer: false,
    });
    expect(resolved.cookie).toEqual({
      name: 'sid',
      secure: false,
      sameSite: 'strict',
      path: '/app',
      domain: 'example.com',
    });
  });

  it('lets each lifetime default yield to the other when only one is given', () => {
    expect(resolveSessionOptions({ maxLifetime: '1h' })).toMatchObject({
      ttl: 3_600_000,
      maxLifetime: 3_600_000,
    });
    expect(resolveSessionOptions({ ttl: '60d' })).toMatchObject({
      ttl: 60 * 86_400_000,
      maxLifetime: 60 * 86_400_000,
    });
  });

  it('makes the cookie Secure everywhere except NODE_ENV=development', () => {
    const before = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'development';
      expect(resolveSessionOptions({}).cookie.secure).toBe(false);
      process.env.NODE_ENV = 'production';
      expect(resolveSessionOptions({}).cookie.secure).toBe(true);
    } finally {
      process.env.NODE_ENV = before;
    }
  });

  it.each<[string, unknown, RegExp]>([
    ['not an object', 'yes', /"session"/],
    ['ttl', { ttl: 'soon' }, /"session\.ttl"/],
    ['ttl 0', { ttl: 0 }, /"session\.ttl"/],
    ['maxLifetime below ttl', { ttl: '1h', maxLifetime: '30m' }, /"session\.maxLifetime".*>= session\.ttl/],
    ['rolling', { rolling: 'yes' }, /"session\.rolling"/],
    ['maxPerUser 0', { maxPerUser: 0 }, /"session\.maxPerUser"/],
    ['maxPerUser fraction', { maxPerUser: 1.5 }, /"session\.maxPerUser"/],
    ['bearer', { bearer: 1 }, /"session\.bearer"/],
    ['cookie', { cookie: 'sid' }, /"session\.cookie"/],
    ['cookie name', { cookie: { name: 'my sid' } }, /"session\.cookie\.name"/],
    ['cookie name with =', { cookie: { name: 'a=b' } }, /"session\.cookie\.name"/],
    ['sameSite', { cookie: { sameSite: 'Lax' } }, /"session\.cookie\.sameSite"/],
    [
      'sameSite none without secure',
      { cookie: { sameSite: 'none', secure: false } },
      /"session\.cookie\.sameSite"/,
    ],
    ['path with ;', { cookie: { path: '/; Domain=evil' } }, /"session\.cookie\.path"/],
    ['domain', { cookie: { domain: 'a b' } }, /"session\.cookie\.domain"/],
  ])('rejects %s, naming the field', (_name, options, message) => {
    expect(() => resolveSessionOptions(options as SessionModuleOptions)).toThrow(InvalidOptionError);
    expect(() => resolveSessionOptions(options as SessionModuleOptions)).toThrow(message);
  });

  it('fails the module boot on a bad session option', async () => {
    await expect(createLarderModule({ session: { maxPerUser: -1 } })).rejects.toThrow(
      /"session\.maxPerUser"/,
    );
    const moduleRef = await createLarderModule({ session: { cookie: { name: 'sid' } } });
    try {
      expect(moduleRef.get(SessionService).options.cookie.name).toBe('sid');
    } finally {
      await moduleRef.close();
    }
  });
});
