import type { ChildProcess } from 'node:child_process';
import type { TestingModule } from '@nestjs/testing';
import { Redis } from 'ioredis';
import type { LarderModuleOptions } from '@larder/nestjs';
import { createLarderModule, testRedisUrl } from './test-helpers';
import { killAll, startWorker } from './worker-process';

/** What a spec driving worker processes gets from useWorkerProcesses(). */
export interface WorkerProcesses {
  /** A plain client on the test Redis, for reading what the workers wrote. */
  readonly raw: Redis;
  /** Starts a test/ script in its own process (see startWorker); SIGKILLed after the test if still running. */
  start(script: string, mode: string, env: Record<string, string>, stdin?: 'pipe' | 'ignore'): ChildProcess;
  /** A Larder module in the spec's own process, closed after the test. */
  createModule(options: LarderModuleOptions): Promise<TestingModule>;
}

/**
 * The set-up every multi-process spec shares, registered on the enclosing describe: a raw client
 * for the whole file, and after each test no child left running and no module left open, so a
 * failed test cannot leave a lock holder behind for the next one.
 */
export function useWorkerProcesses(): WorkerProcesses {
  const children: ChildProcess[] = [];
  let raw: Redis | undefined;
  let moduleRef: TestingModule | undefined;

  beforeAll(() => {
    raw = new Redis(testRedisUrl());
  });

  afterEach(async () => {
    killAll(children);
    await moduleRef?.close();
    moduleRef = undefined;
  });

  afterAll(() => raw?.disconnect());

  return {
    get raw() {
      if (!raw) throw new Error('useWorkerProcesses: raw is available inside tests only');
      return raw;
    },
    start(script, mode, env, stdin) {
      const child = startWorker(script, mode, env, stdin);
      children.push(child);
      return child;
    },
    async createModule(options) {
      moduleRef = await createLarderModule(options);
      return moduleRef;
    },
  };
}
