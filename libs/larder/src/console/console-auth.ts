import { createHmac, hash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import type { ConsoleGuard, ConsoleOptions } from './console-options';

/** The cookie a page carries once it was opened with `?token=`: EventSource cannot send headers. */
export const CONSOLE_COOKIE = 'larder_console';
/** How long that cookie lets a browser back in without the token. */
const COOKIE_MAX_AGE_S = 12 * 60 * 60;

/**
 * Compares two secrets in time that does not depend on where they differ (both sides are hashed
 * first, so their lengths do not show either).
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(hash('sha256', given, 'buffer'), hash('sha256', expected, 'buffer'));
}

/**
 * The cookie value for `token`: derived from it (HMAC), so every instance sharing the token
 * accepts it, and the token itself is not what the browser stores.
 */
export function consoleCookieValue(token: string): string {
  return createHmac('sha256', token).update('larder-console-cookie').digest('base64url');
}

/** The `Set-Cookie` header for a browser that presented the token. */
export function consoleCookieHeader(token: string, path: string, secure: boolean): string {
  const attributes = `Path=${path}; Max-Age=${COOKIE_MAX_AGE_S}; HttpOnly; SameSite=Strict`;
  return `${CONSOLE_COOKIE}=${consoleCookieValue(token)}; ${attributes}${secure ? '; Secure' : ''}`;
}

function cookie(raw: IncomingMessage, name: string): string | undefined {
  const header = raw.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at > 0 && part.slice(0, at).trim() === name) return part.slice(at + 1).trim();
  }
  return undefined;
}

/** Whether the request carries the token: `Authorization: Bearer <token>` or the console cookie. */
export function carriesToken(raw: IncomingMessage, token: string): boolean {
  const auth = raw.headers.authorization;
  if (auth?.startsWith('Bearer ') && secretsEqual(auth.slice(7).trim(), token)) return true;
  const value = cookie(raw, CONSOLE_COOKIE);
  return value !== undefined && secretsEqual(value, consoleCookieValue(token));
}

/** A Nest HTTP execution context over the adapter's request and response, for a guard object. */
function httpContext(request: unknown, response: unknown): ExecutionContext {
  const http = { getRequest: () => request, getResponse: () => response, getNext: () => undefined };
  const none = () => {
    throw new Error('not available to a console guard');
  };
  return {
    getType: () => 'http',
    getClass: () => Object,
    getHandler: () => httpContext,
    getArgs: () => [request, response],
    getArgByIndex: (i: number) => [request, response][i],
    switchToHttp: () => http,
    switchToRpc: none,
    switchToWs: none,
  } as unknown as ExecutionContext;
}

interface Subscribable {
  subscribe(observer: {
    next: (value: unknown) => void;
    error: (error: unknown) => void;
    complete: () => void;
  }): { unsubscribe(): void };
}

const isSubscribable = (value: unknown): value is Subscribable =>
  typeof (value as Subscribable | null)?.subscribe === 'function';

/** The first value of an Observable a guard returned (without importing rxjs, which Larder does not depend on). */
function firstValue(source: Subscribable): Promise<unknown> {
  return new Promise((resolve, reject) => {
    // `next` may run inside `subscribe` (a synchronous `of(true)`), before the subscription exists.
    const held: { subscription?: { unsubscribe(): void }; settled?: boolean } = {};
    held.subscription = source.subscribe({
      next: (value) => {
        held.settled = true;
        held.subscription?.unsubscribe();
        resolve(value);
      },
      error: reject,
      complete: () => resolve(false),
    });
    if (held.settled) held.subscription.unsubscribe();
  });
}

/** Runs the guard; anything but `true`, or a throw, refuses. */
export async function passesGuard(
  guard: ConsoleGuard,
  request: unknown,
  response: unknown,
): Promise<boolean> {
  try {
    const verdict =
      typeof guard === 'function'
        ? await guard(request)
        : await (guard as { canActivate(c: ExecutionContext): unknown }).canActivate(
            httpContext(request, response),
          );
    const value = isSubscribable(verdict) ? await firstValue(verdict) : verdict;
    return value === true;
  } catch {
    return false;
  }
}

/** Whether the request may see the console: it carries the token, or it passes the guard. */
export async function mayOpenConsole(
  options: Pick<ConsoleOptions, 'token' | 'guard'>,
  raw: IncomingMessage,
  request: unknown,
  response: unknown,
): Promise<boolean> {
  if (options.token !== undefined && carriesToken(raw, options.token)) return true;
  return options.guard !== undefined && (await passesGuard(options.guard, request, response));
}
