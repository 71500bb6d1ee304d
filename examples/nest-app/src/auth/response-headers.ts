/**
 * What Express' `Response` and Fastify's `FastifyReply` both have: `header(name, value)`. The
 * metrics route sets its content type through it, so one controller serves both adapters.
 */
export interface ResponseHeaders {
  header(name: string, value: string): unknown;
}
