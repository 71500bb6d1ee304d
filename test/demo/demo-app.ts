import type { INestApplication, Type } from '@nestjs/common';
import type { Test as TestType } from '@nestjs/testing';

/**
 * Boots the demo's AppModule the way `npm start` does, but with `env` as its environment. The
 * module is loaded in an isolated registry (with its own copy of Nest, so class identities
 * match) because @nestjs/config reads and validates the environment when the module file is
 * first evaluated.
 */
export async function startDemo(env: Record<string, string | undefined>): Promise<INestApplication> {
  const saved = { ...process.env };
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    let AppModule: Type<unknown> | undefined;
    let Test: typeof TestType | undefined;
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      AppModule = require('../../apps/demo/src/app.module').AppModule;
      Test = require('@nestjs/testing').Test;
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    const moduleRef = await (Test as typeof TestType)
      .createTestingModule({ imports: [AppModule as Type<unknown>] })
      .compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    return app;
  } finally {
    process.env = saved;
  }
}
