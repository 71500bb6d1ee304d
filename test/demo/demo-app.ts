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
    let app: INestApplication | undefined;
    // Async isolation: packages Nest loads lazily while the app starts (class-transformer for the
    // ValidationPipe) come from the same registry as the app's own imports, as they would in `npm start`.
    await jest.isolateModulesAsync(async () => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      const { AppModule } = require('../../apps/demo/src/app.module') as { AppModule: Type<unknown> };
      const { Test } = require('@nestjs/testing') as { Test: typeof TestType };
      /* eslint-enable @typescript-eslint/no-require-imports */
      const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
      app = moduleRef.createNestApplication({ logger: false });
      await app.init();
    });
    return app as INestApplication;
  } finally {
    process.env = saved;
  }
}
