import { Body, Controller, Get, HttpCode, type INestApplication, Post, Res, UseGuards } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CacheModule,
  type CookieResponse,
  CurrentSession,
  RateLimit,
  RateLimitGuard,
  SessionGuard,
  SessionService,
} from '@larder/nestjs';
import { testRedisUrl, uniqueNamespace } from '#test/test-helpers';

/** Logs in through Larder's sessions only: no passport, no `req.user`, no adapter-specific code. */
@Controller()
class AccountController {
  constructor(private readonly sessions: SessionService) {}

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: { user?: string }, @Res({ passthrough: true }) res: CookieResponse) {
    // A cookie of the app's own, set before the session's: both must reach the browser.
    (res as { header(name: string, value: string): unknown }).header('Set-Cookie', 'theme=dark; Path=/');
    this.sessions.setCookie(res, await this.sessions.create({}, { userId: body.user }));
    return { ok: true };
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(SessionGuard)
  async logout(@CurrentSession('id') id: string, @Res({ passthrough: true }) res: CookieResponse) {
    await this.sessions.destroy(id);
    this.sessions.clearCookie(res);
  }

  @Get('per-user')
  @RateLimit({ name: 'per-user', limit: 2, window: '1m', by: 'user' })
  perUser() {
    return { ok: true };
  }

  @Get('me')
  @UseGuards(SessionGuard)
  @RateLimit({ name: 'me', limit: 10, window: '1m', by: 'user' })
  me(@CurrentSession('userId') userId: string) {
    return { userId };
  }

  @Get('unnamed')
  @RateLimit({ limit: 1, window: '10s', algorithm: 'fixed-window' })
  unnamed() {
    return { ok: true };
  }
}

const sessionCookie = (setCookie: string[]) => {
  const line = setCookie.find((c) => c.startsWith('larder.sid='));
  if (!line) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`);
  return line.split(';')[0];
};

describe.each(['express', 'fastify'] as const)('sessions over HTTP (%s)', (platform) => {
  let app: INestApplication;
  let get: jest.SpiedFunction<SessionService['get']>;
  const http = () => request(app.getHttpServer());
  const login = async (user?: string) => {
    const res = await http()
      .post('/login')
      .send(user ? { user } : {})
      .expect(200);
    return res.headers['set-cookie'] as unknown as string[];
  };

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({
          redis: testRedisUrl(),
          namespace: uniqueNamespace(),
          logConnectionEvents: false,
        }),
      ],
      controllers: [AccountController],
      providers: [{ provide: APP_GUARD, useClass: RateLimitGuard }],
    }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    await app.init();
    if (platform === 'fastify') await app.getHttpAdapter().getInstance().ready();
    get = jest.spyOn(app.get(SessionService), 'get');
  });

  afterAll(() => app.close());

  it("sets the session cookie beside the app's own, and clears it on logout", async () => {
    const setCookie = await login('u-cookie');
    expect(setCookie).toEqual([
      'theme=dark; Path=/',
      expect.stringMatching(
        /^larder\.sid=[A-Za-z0-9_-]{43}; Path=\/; Expires=.*; HttpOnly; SameSite=Lax; Secure$/,
      ),
    ]);
    const cookie = sessionCookie(setCookie);
    await http().get('/me').set('Cookie', cookie).expect(200, { userId: 'u-cookie' });
    const logout = await http().post('/logout').set('Cookie', cookie).expect(204);
    expect(logout.headers['set-cookie']).toEqual([expect.stringMatching(/^larder\.sid=; .*Max-Age=0/)]);
    await http().get('/me').set('Cookie', cookie).expect(401);
  });

  it("counts by: 'user' against the session's user: two sessions of one user share a budget", async () => {
    const first = sessionCookie(await login('u-shared'));
    const second = sessionCookie(await login('u-shared'));
    const other = sessionCookie(await login('u-other'));
    await http().get('/per-user').set('Cookie', first).expect(200);
    await http().get('/per-user').set('Cookie', second).expect(200);
    await http().get('/per-user').set('Cookie', first).expect(429);
    // Another user, and the ip itself (no session), have budgets of their own.
    await http().get('/per-user').set('Cookie', other).expect(200);
    await http().get('/per-user').expect(200);
  });

  it('reads the session once when the rate limiter and SessionGuard both need it', async () => {
    const cookie = sessionCookie(await login('u-once'));
    get.mockClear();
    await http().get('/me').set('Cookie', cookie).expect(200, { userId: 'u-once' });
    expect(get).toHaveBeenCalledTimes(1);
  });

  it('gives Retry-After and RateLimit t the same seconds, and names no class or method', async () => {
    await http().get('/unnamed').expect(200);
    const refused = await http().get('/unnamed').expect(429);
    const retryAfter = refused.headers['retry-after'];
    expect(refused.headers['ratelimit']).toMatch(new RegExp(`^"rl-[0-9a-f]{10}";r=0;t=${retryAfter}$`));
    expect(refused.headers['ratelimit-policy']).toMatch(/^"rl-[0-9a-f]{10}";q=1;w=10$/);
    expect(JSON.stringify(refused.headers) + refused.text).not.toMatch(/AccountController|unnamed/);
  });
});
