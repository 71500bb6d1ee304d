import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { CacheModule, type LarderModuleOptions } from '@larder/nestjs';
import { AuthController } from '../apps/demo/src/auth/auth.controller';
import { testRedisUrl, uniqueNamespace } from './test-helpers';

/**
 * The demo app's /auth routes (login, me, logout, logout-all) on their own, with the memory store
 * and with Redis: rotation on re-login, the cookie's attributes, and "log out everywhere" ending
 * every device of the user and only them. test/demo covers the same routes inside the whole demo.
 */

/** The `name=value` pair of the Set-Cookie a response carries. */
function cookieOf(res: request.Response): string {
  const header = res.headers['set-cookie'] as unknown as string[] | undefined;
  expect(header).toHaveLength(1);
  return header![0].split(';')[0];
}

describe.each<[string, () => LarderModuleOptions]>([
  ['memory', () => ({})],
  ['redis', () => ({ redis: testRedisUrl() })],
])('auth flow with sessions (%s)', (_name, base) => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        CacheModule.forRoot({ ...base(), logConnectionEvents: false, namespace: uniqueNamespace('auth') }),
      ],
      controllers: [AuthController],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });

  afterAll(() => app.close());

  const passwords: Record<string, string> = {
    'alice@example.com': 'wonderland',
    'bob@example.com': 'builder',
  };
  const login = (email: string, cookie?: string) => {
    const req = request(app.getHttpServer()).post('/auth/login').send({ email, password: passwords[email] });
    return (cookie ? req.set('Cookie', cookie) : req).expect(200);
  };
  const me = (cookie: string) => request(app.getHttpServer()).get('/auth/me').set('Cookie', cookie);

  it('login -> me -> rotate on re-login -> logout-all ends every device of the user and only them', async () => {
    await request(app.getHttpServer()).get('/auth/me').expect(401);
    const wrong = { email: 'alice@example.com', password: 'nope' };
    await request(app.getHttpServer()).post('/auth/login').send(wrong).expect(401);

    const first = await login('alice@example.com');
    const setCookie = (first.headers['set-cookie'] as unknown as string[])[0];
    expect(setCookie).toMatch(/^larder\.sid=[A-Za-z0-9_-]{43}; Path=\//);
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Secure'); // NODE_ENV is 'test', not 'development'
    const laptop = cookieOf(first);
    const phone = cookieOf(await login('alice@example.com'));
    const other = cookieOf(await login('bob@example.com'));

    expect((await me(laptop).expect(200)).body).toMatchObject({ userId: 'u-alice', sessions: 2 });

    // Logging in again on the laptop rotates its session: the old cookie stops working at once.
    const laptop2 = cookieOf(await login('alice@example.com', laptop));
    expect(laptop2).not.toBe(laptop);
    await me(laptop).expect(401);
    expect((await me(laptop2).expect(200)).body).toMatchObject({ userId: 'u-alice', sessions: 2 });

    const ended = await request(app.getHttpServer())
      .post('/auth/logout-all')
      .set('Cookie', phone)
      .expect(200);
    expect(ended.body).toEqual({ ended: 2 });
    expect(cookieOf(ended)).toBe('larder.sid=');
    await me(laptop2).expect(401);
    await me(phone).expect(401);
    expect((await me(other).expect(200)).body).toMatchObject({ userId: 'u-bob', sessions: 1 });

    const out = await request(app.getHttpServer()).post('/auth/logout').set('Cookie', other).expect(204);
    expect((out.headers['set-cookie'] as unknown as string[])[0]).toContain('Max-Age=0');
    await me(other).expect(401);
  });

  it("Bob logging in over Alice's cookie gets his own roles, never hers, and her id stops working", async () => {
    const alice = cookieOf(await login('alice@example.com'));
    expect((await me(alice).expect(200)).body.data).toEqual({ roles: ['admin'] });
    const bob = cookieOf(await login('bob@example.com', alice));
    expect(bob).not.toBe(alice);
    const seen = (await me(bob).expect(200)).body;
    expect(seen).toMatchObject({ userId: 'u-bob', data: { roles: ['customer'] } });
    await me(alice).expect(401);
    // A cookie whose session is gone (logged out, expired, made up) just means a fresh login.
    const stale = cookieOf(await login('alice@example.com', alice));
    expect((await me(stale).expect(200)).body).toMatchObject({
      userId: 'u-alice',
      data: { roles: ['admin'] },
    });
  });
});
