import type { Exchange, HttpClient } from './http-checks';

/** The product the app's CatalogService serves, and how often it read its "database". */
interface ProductReply {
  product: { id: string; price: number };
  loads: number;
}

async function health(http: HttpClient): Promise<void> {
  const reply = await http.expect(200, 'GET', '/health');
  const body = reply.body as { status?: string; info?: { larder?: { status?: string; store?: string } } };
  http.equal(body.status, 'ok', '/health status', reply);
  http.equal(body.info?.larder?.status, 'up', '/health info.larder.status', reply);
  http.equal(body.info?.larder?.store, 'redis', '/health info.larder.store', reply);
}

/** @Cacheable on a plain service: the second read is a hit, @CacheEvict makes the next one load again. */
async function cacheHit(http: HttpClient): Promise<void> {
  const first = await http.expect(200, 'GET', '/products/1');
  const loadsBefore = (first.body as ProductReply).loads;
  const second = await http.expect(200, 'GET', '/products/1');
  http.equal((second.body as ProductReply).loads, loadsBefore, 'loads after a cache hit', second);
  await http.expect(200, 'PUT', '/products/1/price', { json: { price: 31 } });
  const third = await http.expect(200, 'GET', '/products/1');
  const reply = third.body as ProductReply;
  http.equal(reply.product.price, 31, 'price after @CacheEvict', third);
  http.check(
    reply.loads > loadsBefore,
    `loads after @CacheEvict: ${reply.loads}, expected more than ${loadsBefore}`,
    third,
  );
}

/** RateLimitGuard as APP_GUARD with @RateLimit({ name: 'search', limit: 3, window: '1m' }). */
async function rateLimit(http: HttpClient): Promise<void> {
  const policy = (r: Exchange) => r.headers.get('ratelimit-policy');
  for (const remaining of [2, 1, 0]) {
    const ok = await http.expect(200, 'GET', '/search?q=tea');
    http.equal(policy(ok), '"search";q=3;w=60', 'RateLimit-Policy', ok);
    http.matches(
      ok.headers.get('ratelimit'),
      new RegExp(`^"search";r=${remaining};t=\\d+$`),
      'RateLimit',
      ok,
    );
  }
  const refused = await http.expect(429, 'GET', '/search?q=tea');
  http.equal(policy(refused), '"search";q=3;w=60', 'RateLimit-Policy on the 429', refused);
  http.matches(refused.headers.get('ratelimit'), /^"search";r=0;t=\d+$/, 'RateLimit on the 429', refused);
  http.matches(refused.headers.get('retry-after'), /^[1-9]\d*$/, 'Retry-After on the 429', refused);
  const retryAfter = Number(refused.headers.get('retry-after'));
  http.check(retryAfter <= 61 + 5, `Retry-After ${retryAfter} exceeds the 1-minute window`, refused);
  http.matches(
    refused.headers.get('content-type'),
    /^application\/problem\+json/,
    'Content-Type of the 429',
    refused,
  );
  http.equal((refused.body as { status?: number }).status, 429, 'problem-details status of the 429', refused);
}

/** SessionService + SessionGuard, the cookie set and cleared by the app. */
async function sessionRoundTrip(http: HttpClient): Promise<void> {
  await http.expect(401, 'GET', '/auth/me');
  await http.expect(401, 'POST', '/auth/login', { json: { email: 'ada@example.com', password: 'wrong' } });
  const login = await http.expect(200, 'POST', '/auth/login', {
    json: { email: 'ada@example.com', password: 'lovelace' },
  });
  const [setCookie = ''] = login.headers.getSetCookie();
  http.matches(setCookie, /^larder\.sid=[A-Za-z0-9_-]{43}; .*HttpOnly/, 'Set-Cookie of the login', login);
  const cookie = setCookie.split(';')[0];
  const me = await http.expect(200, 'GET', '/auth/me', { cookie });
  http.equal(me.body, { userId: 'u-1', data: { email: 'ada@example.com' } }, '/auth/me with the cookie', me);
  const logout = await http.expect(204, 'POST', '/auth/logout', { cookie });
  http.matches(
    logout.headers.getSetCookie()[0] ?? null,
    /^larder\.sid=; .*(Max-Age=0|Expires=Thu, 01 Jan 1970)/,
    'Set-Cookie of the logout',
    logout,
  );
  await http.expect(401, 'GET', '/auth/me', { cookie });
}

/** LarderExceptionFilter as APP_FILTER: a lock held by a stocktake is a 409 problem, on either adapter. */
async function heldLock(http: HttpClient): Promise<void> {
  await http.expect(200, 'POST', '/stock/tea/reserve');
  await http.expect(200, 'POST', '/stock/tea/stocktake');
  const refused = await http.expect(409, 'POST', '/stock/tea/reserve');
  http.matches(
    refused.headers.get('content-type'),
    /^application\/problem\+json/,
    'Content-Type of the 409',
    refused,
  );
  const body = refused.body as { title?: string; status?: number; detail?: string };
  http.equal(
    [body.title, body.status],
    ['Conflict', 409],
    'problem-details title and status of the 409',
    refused,
  );
  http.matches(body.detail ?? null, /^Lock "stock:tea" was not acquired/, 'detail of the 409', refused);
  await http.expect(204, 'POST', '/stock/tea/stocktake/done');
  const after = await http.expect(200, 'POST', '/stock/tea/reserve');
  http.equal(after.body, { sku: 'tea', left: 3 }, 'a reservation after the stocktake', after);
}

/** Code written for @nestjs/cache-manager: @Inject(CACHE_MANAGER) cache: Cache. */
async function cacheManager(http: HttpClient): Promise<void> {
  await http.expect(404, 'GET', '/legacy/greeting');
  await http.expect(200, 'PUT', '/legacy/greeting', { json: { value: { hello: 'world' } } });
  const read = await http.expect(200, 'GET', '/legacy/greeting');
  http.equal(read.body, { key: 'greeting', value: { hello: 'world' } }, 'CACHE_MANAGER read back', read);
}

/** prom-client installed and `metrics: {}` on: the cache hits above are counted. */
async function metrics(http: HttpClient): Promise<void> {
  const scrape = await http.expect(200, 'GET', '/metrics');
  http.matches(scrape.headers.get('content-type'), /^text\/plain/, 'Content-Type of /metrics', scrape);
  const hits = /^larder_cache_hits_total\{cache="default",tier="l2"\} (\d+)$/m.exec(scrape.text);
  http.check(
    hits !== null && Number(hits[1]) >= 1,
    'larder_cache_hits_total{tier="l2"} >= 1 in /metrics',
    scrape,
  );
}

/** Drives the example app over HTTP; throws at the first mismatch. */
export async function runNestAppScenario(http: HttpClient): Promise<string[]> {
  const steps: Array<[string, (http: HttpClient) => Promise<void>]> = [
    ['/health 200 on Redis', health],
    ['@Cacheable hit, @CacheEvict', cacheHit],
    ['429 with RateLimit, RateLimit-Policy, Retry-After', rateLimit],
    ['session cookie round trip', sessionRoundTrip],
    ['409 problem details from LarderExceptionFilter', heldLock],
    ['@Inject(CACHE_MANAGER)', cacheManager],
    ['/metrics', metrics],
  ];
  for (const [, step] of steps) await step(http);
  return steps.map(([name]) => name);
}
