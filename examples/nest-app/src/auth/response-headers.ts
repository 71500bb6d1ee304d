/**
 * What Express' `Response` and Fastify's `FastifyReply` both have: `header(name, value)`. The app
 * sets its session cookie through it, so one controller serves both adapters.
 */
export interface ResponseHeaders {
  header(name: string, value: string): unknown;
}
