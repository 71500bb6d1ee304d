import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { HttpServer } from '@nestjs/common';
import { consoleCookieHeader, mayOpenConsole, secretsEqual } from './console-auth';
import type { ConsoleOptions } from './console-options';
import { consolePage } from './console-page';

/** What the routes need from the console service. */
export interface ConsoleEndpoints {
  /** Turns the response into the event stream; false when too many pages are connected. */
  stream(res: ServerResponse): boolean;
  /** The current state, as JSON (the page's panels, for scripts and curl). */
  state(): Promise<unknown>;
}

/** The adapter's request and reply as Express (plain Node objects) or Fastify (`.raw`, `hijack()`) hands them. */
interface AdapterPair {
  request: unknown;
  raw: IncomingMessage;
  res: ServerResponse;
}

function rawPair(request: unknown, reply: unknown): AdapterPair {
  const fastify = reply as { raw?: ServerResponse; hijack?: () => void };
  if (typeof fastify.hijack === 'function' && fastify.raw) {
    // Fastify must not answer this request itself: the console writes to the socket directly.
    fastify.hijack();
    return { request, raw: (request as { raw: IncomingMessage }).raw, res: fastify.raw };
  }
  return { request, raw: request as IncomingMessage, res: reply as ServerResponse };
}

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

function answer(res: ServerResponse, status: number, type: string, body: string, extra = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': type, ...extra });
  res.end(body);
}

const refuse = (res: ServerResponse) =>
  answer(
    res,
    401,
    'text/plain; charset=utf-8',
    'Unauthorized: the Larder console needs its token or guard.\n',
    {
      'www-authenticate': 'Bearer realm="larder-console"',
    },
  );

/**
 * Mounts the console on the app's own HTTP adapter (Express or Fastify), beside the app's routes:
 * `GET <path>` the page, `GET <path>/events` the event stream, `GET <path>/state` the state as
 * JSON. Every request is checked first (token or guard, else 401). Opening the page with
 * `?token=` sets an HttpOnly cookie and redirects to the bare path, so the token leaves the
 * address bar and the history at once.
 */
export function mountConsole(
  adapter: HttpServer,
  options: ConsoleOptions,
  endpoints: ConsoleEndpoints,
): void {
  const { path } = options;
  const withAccess = async (pair: AdapterPair, serve: (res: ServerResponse) => Promise<void> | void) => {
    try {
      if (!(await mayOpenConsole(options, pair.raw, pair.request, pair.res))) return refuse(pair.res);
      await serve(pair.res);
    } catch {
      if (!pair.res.headersSent) answer(pair.res, 500, 'text/plain; charset=utf-8', 'Console error\n');
      else pair.res.end();
    }
  };
  const guarded =
    (serve: (res: ServerResponse) => Promise<void> | void) => (request: unknown, reply: unknown) =>
      withAccess(rawPair(request, reply), serve);

  adapter.get(path, (request: unknown, reply: unknown) => {
    const pair = rawPair(request, reply);
    const token = new URL(pair.raw.url ?? '/', 'http://console').searchParams.get('token');
    if (token === null) {
      return withAccess(pair, (res) => {
        const { html, csp } = consolePage(path);
        answer(res, 200, 'text/html; charset=utf-8', html, { 'content-security-policy': csp });
      });
    }
    if (options.token === undefined || !secretsEqual(token, options.token)) return refuse(pair.res);
    const secure = (pair.raw.socket as TLSSocket).encrypted === true;
    answer(pair.res, 303, 'text/plain; charset=utf-8', '', {
      location: path,
      'set-cookie': consoleCookieHeader(options.token, path, secure),
    });
  });

  adapter.get(
    `${path}/events`,
    guarded((res) => {
      if (!endpoints.stream(res))
        answer(res, 429, 'text/plain; charset=utf-8', 'Too many console pages are open.\n');
    }),
  );

  adapter.get(
    `${path}/state`,
    guarded(async (res) => {
      answer(res, 200, 'application/json; charset=utf-8', JSON.stringify(await endpoints.state()));
    }),
  );
}
