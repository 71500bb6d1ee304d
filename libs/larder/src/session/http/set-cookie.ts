import { InvalidArgumentError } from '../../errors';

/**
 * The response of a handler as Express (`Response`), Fastify (`FastifyReply`) and Node
 * (`ServerResponse`) have it: whichever of these methods exists is used to add a `Set-Cookie`.
 * Get it with `@Res({ passthrough: true })`.
 */
export interface CookieResponse {
  /** Express: adds a header value beside the ones already set. */
  append?(name: string, value: string): unknown;
  /** Fastify: `set-cookie` values accumulate rather than replace each other. */
  header?(name: string, value: string): unknown;
  /** Node's ServerResponse, read to keep the cookies already set. */
  getHeader?(name: string): unknown;
  setHeader?(name: string, value: string | string[]): unknown;
}

/**
 * Adds one `Set-Cookie` to the response, keeping any cookie the application already set (a CSRF
 * token, a preference), on Express, Fastify and a bare Node response alike.
 * @throws InvalidArgumentError when `response` is none of them
 * @example appendSetCookie(res, 'larder.sid=...; Path=/; HttpOnly; SameSite=Lax')
 */
export function appendSetCookie(response: CookieResponse, value: string): void {
  if (typeof response?.append === 'function') {
    response.append('Set-Cookie', value);
  } else if (typeof response?.header === 'function') {
    response.header('Set-Cookie', value);
  } else if (typeof response?.setHeader === 'function') {
    const prior: unknown = response.getHeader?.('Set-Cookie');
    const kept = prior === undefined ? [] : Array.isArray(prior) ? prior.map(String) : [String(prior)];
    response.setHeader('Set-Cookie', [...kept, value]);
  } else {
    throw new InvalidArgumentError(
      'Invalid argument "response": not an HTTP response (expected Express\' Response, Fastify\'s reply or ' +
        "Node's ServerResponse; get it with @Res({ passthrough: true })).",
    );
  }
}
