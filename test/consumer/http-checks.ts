import { isDeepStrictEqual } from 'node:util';

/** One HTTP exchange, read whole. */
export interface Exchange {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** A small HTTP client for one app, whose failures name the app and the request. */
export class HttpClient {
  constructor(
    readonly label: string,
    readonly baseUrl: string,
  ) {}

  async request(
    method: string,
    path: string,
    init: { json?: unknown; cookie?: string } = {},
  ): Promise<Exchange> {
    const headers: Record<string, string> = {};
    if (init.json !== undefined) headers['content-type'] = 'application/json';
    if (init.cookie) headers.cookie = init.cookie;
    const response = await fetch(this.baseUrl + path, {
      method,
      headers,
      body: init.json === undefined ? undefined : JSON.stringify(init.json),
    });
    const text = await response.text();
    let body: unknown = text;
    if (response.headers.get('content-type')?.includes('json')) body = JSON.parse(text) as unknown;
    return { status: response.status, headers: response.headers, body, text };
  }

  /** Sends the request and fails unless the status is `status`. */
  async expect(status: number, method: string, path: string, init?: { json?: unknown; cookie?: string }) {
    const exchange = await this.request(method, path, init);
    this.check(
      exchange.status === status,
      `${method} ${path}: status ${exchange.status}, expected ${status}`,
      exchange,
    );
    return exchange;
  }

  /** Fails with the app's label, what was expected, and the response it got. */
  check(ok: boolean, message: string, exchange?: Exchange): asserts ok {
    if (ok) return;
    const seen = exchange ? `\n  response: ${exchange.status} ${exchange.text.slice(0, 500)}` : '';
    throw new Error(`[${this.label}] ${message}${seen}`);
  }

  equal(actual: unknown, expected: unknown, what: string, exchange?: Exchange): void {
    this.check(
      isDeepStrictEqual(actual, expected),
      `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`,
      exchange,
    );
  }

  matches(actual: string | null, pattern: RegExp, what: string, exchange?: Exchange): void {
    this.check(
      actual !== null && pattern.test(actual),
      `${what}: got ${JSON.stringify(actual)}, expected ${pattern}`,
      exchange,
    );
  }
}
