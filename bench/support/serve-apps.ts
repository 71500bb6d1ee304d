import type { AddressInfo } from 'node:net';
import type { INestApplication, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/**
 * The body of a bench app process (see startServerProcess): starts one Express app per module on a
 * free loopback port, prints one JSON line `{ "<name>": "http://127.0.0.1:<port>", ... }` once all
 * listen, and closes them and exits when stdin ends (the bench process is done with them).
 */
export async function serveApps(modules: Record<string, Type>): Promise<void> {
  const apps: Array<[string, INestApplication, string]> = [];
  for (const [name, module] of Object.entries(modules)) {
    const app = await NestFactory.create(module, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    apps.push([name, app, `http://127.0.0.1:${port}`]);
  }
  process.stdout.write(`${JSON.stringify(Object.fromEntries(apps.map(([name, , url]) => [name, url])))}\n`);
  process.stdin.resume();
  process.stdin.on('end', async () => {
    for (const [, app] of apps) await app.close();
    process.exit(0);
  });
}

/** Runs `main` when the file is the process's entry point, exiting 1 on a failure to start. */
export function runAsProcess(main: () => Promise<void>): void {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
