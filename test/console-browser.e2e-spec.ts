import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { findChromium } from './browser/find-chromium';
import { startDemo } from './demo/demo-app';

const TOKEN = 'browser-test-console-token';
/** What the console promises: an event is on the page within a second of the request. */
const WITHIN = 1000;

/** The page's document, typed by what the checks use (the test project compiles without the DOM lib). */
interface PageDocument {
  querySelector(selector: string): { textContent: string | null } | null;
}

/** Resolves once the text of `selector` contains `text`, or fails after `ms`. */
const shows = (page: Page, selector: string, text: string, ms = WITHIN) =>
  page.waitForFunction(
    ([s, t]: readonly [string, string]) => {
      const doc = (globalThis as unknown as { document: PageDocument }).document;
      return (doc.querySelector(s)?.textContent ?? '').includes(t);
    },
    [selector, text] as const,
    { timeout: ms, polling: 25 },
  );

describe('the console in a real browser (headless Chromium, on the demo)', () => {
  let app: INestApplication;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    // Found (or a clear failure) before anything starts: a missing browser is never a skip.
    const executablePath = findChromium();
    app = await startDemo({
      DEMO_DB_LATENCY_MS: '5',
      NODE_ENV: 'test',
      REDIS_URL: undefined,
      LARDER_CONSOLE_TOKEN: TOKEN,
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
    browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('opens with the token, drops it from the address bar, and shows the live stream', async () => {
    const refused = await page.goto(`${base}/_larder`);
    expect(refused?.status()).toBe(401);
    await page.goto(`${base}/_larder?token=${TOKEN}`);
    expect(page.url()).toBe(`${base}/_larder`);
    await shows(page, '#stream', 'live', 10_000);
    await shows(page, '#name', 'demo', 10_000);
  });

  it('shows cache, lock and rate-limit requests within a second', async () => {
    const cacheAt = Date.now();
    await fetch(`${base}/products/3`);
    await shows(page, '#events', 'product:3');
    expect(Date.now() - cacheAt).toBeLessThan(WITHIN + 200);

    const lockAt = Date.now();
    const checkout = fetch(`${base}/orders/o-browser/checkout?holdMs=3000`, { method: 'POST' });
    await shows(page, '#events', 'order:o-browser');
    expect(Date.now() - lockAt).toBeLessThan(WITHIN + 200);
    // The lock panel lists it with its fence while it is held (the state comes once a second).
    await shows(page, '#locks', 'order:o-browser', 3000);

    const limitAt = Date.now();
    for (let i = 0; i < 6; i++) await fetch(`${base}/search?q=kettle`);
    await shows(page, '#events', 'ratelimit.blocked');
    expect(Date.now() - limitAt).toBeLessThan(WITHIN + 500);
    await shows(page, '#ratelimits', 'search-burst', 3000);
    expect((await checkout).status).toBe(200);

    // The filters: only lock events, then only keys starting with "product:".
    await page.selectOption('#filter-type', 'lock');
    expect(await page.textContent('#events')).not.toContain('product:3');
    await page.selectOption('#filter-type', '');
    await page.fill('#filter-prefix', 'product:');
    expect(await page.textContent('#events')).not.toContain('order:o-browser');
    await page.fill('#filter-prefix', '');

    const shot = process.env.CONSOLE_SCREENSHOT;
    if (shot) {
      // docs/console.png: a little more traffic (hits, a session) so every panel has something.
      for (let i = 0; i < 8; i++) await fetch(`${base}/products/${1 + (i % 3)}`);
      await fetch(`${base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'alice@example.com', password: 'wonderland' }),
      });
      await shows(page, '#sessions', 'u-alice', 3000);
      await page.screenshot({ path: shot, fullPage: true });
    }
  });

  it('pauses: new events are counted, not shown, until resumed', async () => {
    await page.click('#pause');
    await fetch(`${base}/products/404`); // a miss for a key nothing touched before
    await shows(page, '#pause', 'Resume (');
    expect(await page.textContent('#events')).not.toContain('product:404');
    await page.click('#pause');
    await shows(page, '#events', 'product:404');
  });
});
