import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { CacheModule, SessionService } from '../../libs/larder/src';
import { compare, type BenchCase, type Contender } from '../bench-kit';

/** A typical small session: a user, a cart, a few preferences. */
const DATA = {
  cart: ['sku-1', 'sku-2', 'sku-3'],
  theme: 'dark',
  locale: 'en-GB',
  roles: ['user'],
  visits: 12,
};

async function sessionApp(redisUrl: string, namespace: string, rolling: boolean) {
  const app = await NestFactory.createApplicationContext(
    CacheModule.forRoot({
      redis: redisUrl,
      namespace,
      logConnectionEvents: false,
      session: { rolling, ttl: '1h' },
    }),
    { logger: false },
  );
  const sessions = app.get(SessionService);
  const { id } = await sessions.create(DATA, { userId: 'bench-user' });
  return { app, sessions, id };
}

/**
 * Reading a session: a raw ioredis GET + JSON.parse of the same data stored as one string (the
 * baseline: what a hand-rolled session store does) against SessionService.get, which validates the
 * id, hashes it, reads the session string (GET) and decodes header and data; and against
 * SessionService.get with `rolling: true`, which also slides the expiry in the same script.
 */
const sessionBench: BenchCase = async ({ redisUrl, watch }) => {
  const raw = new Redis(redisUrl);
  const rawKey = 'bench-sess:raw';
  await raw.set(rawKey, JSON.stringify({ userId: 'bench-user', data: DATA }), 'PX', 3_600_000);
  const plain = await sessionApp(redisUrl, 'bench-sess', false);
  const rolling = await sessionApp(redisUrl, 'bench-sess-rolling', true);
  let missing = 0;
  const contenders = (concurrency: number): Contender[] => [
    {
      name: 'raw ioredis GET + JSON.parse',
      concurrency,
      op: async () => {
        const text = await raw.get(rawKey);
        if (!text || !JSON.parse(text)) missing++;
      },
    },
    {
      name: 'SessionService.get',
      concurrency,
      op: async () => {
        if (!(await plain.sessions.get(plain.id))) missing++;
      },
    },
    {
      name: 'SessionService.get (rolling)',
      concurrency,
      op: async () => {
        if (!(await rolling.sessions.get(rolling.id))) missing++;
      },
    },
  ];
  try {
    const tables = [
      await compare('Session read, sequential', contenders(1), { watch }),
      await compare('Session read, 50 concurrent callers', contenders(50), { watch }),
    ];
    if (missing > 0) throw new Error(`${missing} reads found no session: the benchmark is invalid`);
    tables[0].note =
      'SessionService.get is one GET (plus a SHA-256 of the id, the header parse and JSON decoding); with `rolling` it is one ' +
      'EVALSHA that also extends the expiry (writing at most about once a second per session). The baseline stores the whole session as one JSON string.';
    return tables;
  } finally {
    raw.disconnect();
    await plain.app.close();
    await rolling.app.close();
  }
};

export default sessionBench;
