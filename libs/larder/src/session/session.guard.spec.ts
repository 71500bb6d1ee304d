import { Controller, Get, type INestApplication, UseGuards } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import {
  CacheModule,
  CurrentSession,
  SessionGuard,
  SessionService,
  type LarderModuleOptions,
  type Session,
} from '@larder/nestjs';
import { startRedisServer, type RedisServerHandle } from '#test/redis-server';
import { eventually, uniqueNamespace, UNHURRIED_TIMEOUT } from '#test/test-helpers';
import { LARDER_REDIS } from '../larder.constants';
import type { RedisCoordinator } from '../redis/redis-coordinator';

@Controller()
class ProbeController {
  @UseGuards(SessionGuard)
  @Get('me')
  me(@CurrentSession() session: Session, @CurrentSession('userId') userId: string | undefined) {
    return { userId: userId ?? null, handle: session.handle, data: session.data };
  }

  @Get('open')
  open(@CurrentSession() session: Session | undefined) {
    return { hasSession: session !== undefined };
  }
}

async function createApp(
  options: LarderModuleOptions,
  platform: 'express' | 'fastify' = 'express',
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      CacheModule.forRoot({ logConnectionEvents: false, namespace: uniqueNamespace('guard'), ...options }),
    ],
    controllers: [ProbeController],
  }).compile();
  if (platform === 'express') {
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  }
  const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
    logger: false,
  });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe.each(['express', 'fastify'] as const)('SessionGuard and @CurrentSession (%s)', (platform) => {
  let app: INestApplication;
  let sessions: SessionService;

  beforeAll(async () => {
    app = await createApp({}, platform);
    sessions = app.get(SessionService);
  });

  afterAll(() => app.close());

  it('answers 401 without a session id', async () => {
    await request(app.getHttpServer()).get('/me').expect(401);
    await request(app.getHttpServer()).get('/me').set('Cookie', 'theme=dark').expect(401);
  });

  it('reads the id from the cookie, among other cookies, and hands the session to the handler', async () => {
    const { id, handle } = await sessions.create({ theme: 'dark' }, { userId: 'u1' });
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Cookie', `a=1; larder.sid=${id}; b=2`)
      .expect(200);
    expect(res.body).toEqual({ userId: 'u1', handle, data: { theme: 'dark' } });
  });

  it('reads the id from Authorization: Bearer', async () => {
    const { id } = await sessions.create({}, { userId: 'u2' });
    const res = await request(app.getHttpServer())
      .get('/me')
      .set('Authorization', `Bearer ${id}`)
      .expect(200);
    expect(res.body.userId).toBe('u2');
  });

  it('answers 401 for malformed, unknown and destroyed ids', async () => {
    const { id } = await sessions.create({});
    await sessions.destroy(id);
    for (const cookie of ['larder.sid=nonsense', `larder.sid=${id}`, `larder.sid=${'A'.repeat(43)}`]) {
      await request(app.getHttpServer()).get('/me').set('Cookie', cookie).expect(401);
    }
  });

  it('leaves @CurrentSession() undefined on routes without the guard', async () => {
    const { id } = await sessions.create({});
    const res = await request(app.getHttpServer()).get('/open').set('Cookie', `larder.sid=${id}`).expect(200);
    expect(res.body).toEqual({ hasSession: false });
  });
});

describe('SessionGuard options', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('uses the configured cookie name and can refuse bearer tokens', async () => {
    app = await createApp({ session: { cookie: { name: 'sid' }, bearer: false } });
    const { id } = await app.get(SessionService).create({}, { userId: 'u3' });
    await request(app.getHttpServer()).get('/me').set('Cookie', `sid=${id}`).expect(200);
    await request(app.getHttpServer()).get('/me').set('Cookie', `larder.sid=${id}`).expect(401);
    await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${id}`).expect(401);
  });
});

describe.each(['express', 'fastify'] as const)('SessionGuard with Redis down (%s)', (platform) => {
  let server: RedisServerHandle;
  let app: INestApplication;

  beforeAll(async () => {
    server = await startRedisServer();
    // A stopped server refuses the connection, so the 503 never waits for a timeout; a long one
    // keeps the session made before the outage from timing out on a loaded machine.
    app = await createApp({ redis: server.url, commandTimeout: UNHURRIED_TIMEOUT }, platform);
  });

  afterAll(async () => {
    await app.close();
    await server.stop();
  });

  it('answers 503, not 401: a Redis outage is not a logout', async () => {
    const { id } = await app.get(SessionService).create({}, { userId: 'u4' });
    await request(app.getHttpServer()).get('/me').set('Cookie', `larder.sid=${id}`).expect(200);
    await server.stop();
    try {
      const res = await request(app.getHttpServer()).get('/me').set('Cookie', `larder.sid=${id}`);
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toEqual({
        type: 'about:blank',
        title: 'Service Unavailable',
        status: 503,
        detail: 'Sessions cannot be read right now.',
        retryAfter: 1,
      });
    } finally {
      await server.restart();
      // Close only once reconnected: closing a client in the middle of its reconnect backoff leaves it retrying.
      const redis = app.get<RedisCoordinator>(LARDER_REDIS);
      await eventually(() => redis.isReady, 10_000, 'the reconnect');
    }
  });
});
