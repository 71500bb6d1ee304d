import { request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { CacheModule, type LarderModuleOptions } from '@larder/nestjs';

export type AdapterKind = 'express' | 'fastify';

/** A Nest app on `adapter` with Larder's console on, listening on a free loopback port. */
export async function startConsoleApp(
  adapter: AdapterKind,
  options: LarderModuleOptions,
): Promise<{ app: INestApplication; base: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: [CacheModule.forRoot({ logConnectionEvents: false, ...options })],
  }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}` };
}

/** One plain GET, answered in full (status, headers, body). */
export function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingMessage['headers']; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** One message of an event stream. */
export interface SseMessage {
  event: string;
  data: unknown;
}

/** An open event stream: everything received so far, raw and parsed. */
export class SseReader {
  raw = '';
  readonly messages: SseMessage[] = [];
  status = 0;
  response?: IncomingMessage;
  private readonly req;
  private parsed = 0;

  constructor(url: string, headers: Record<string, string>, opened: () => void) {
    this.req = httpRequest(url, { headers }, (res) => {
      this.status = res.statusCode ?? 0;
      this.response = res;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        this.raw += chunk;
        this.parse();
      });
      opened();
    });
    this.req.on('error', () => undefined);
    this.req.end();
  }

  /** Opens a stream and resolves once its response headers are in. */
  static open(url: string, headers: Record<string, string>): Promise<SseReader> {
    return new Promise((resolve) => {
      const reader: SseReader = new SseReader(url, headers, () => resolve(reader));
    });
  }

  /** The events of every `events` batch received, flattened. */
  events(): Array<Record<string, unknown>> {
    return this.messages
      .filter((m) => m.event === 'events')
      .flatMap((m) => m.data as Array<Record<string, unknown>>);
  }

  close(): void {
    this.req.destroy();
  }

  private parse(): void {
    let end: number;
    while ((end = this.raw.indexOf('\n\n', this.parsed)) >= 0) {
      const block = this.raw.slice(this.parsed, end);
      this.parsed = end + 2;
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) this.messages.push({ event, data: JSON.parse(data) });
    }
  }
}
