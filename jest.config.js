// NestJS 12 ships ES modules only; @swc/jest turns them (and our TypeScript) into CommonJS so jest
// can load them without its experimental VM-modules mode. Decorator metadata is kept for Nest DI.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  rootDir: '.',
  roots: ['<rootDir>/libs', '<rootDir>/apps', '<rootDir>/test'],
  testRegex: '.*\\.(spec|e2e-spec)\\.ts$',
  transform: { '^.+\\.(t|j|mj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|uid|file-type|strtok3|token-types|peek-readable)/)'],
  // `#test/...` is the test harness (test/), so specs beside the code need no `../../../../test` paths.
  moduleNameMapper: {
    '^@larder/nestjs$': '<rootDir>/libs/larder/src',
    '^@larder/nestjs/(.*)$': '<rootDir>/libs/larder/src/$1',
    '^#test/(.*)$': '<rootDir>/test/$1',
  },
  globalSetup: '<rootDir>/test/global-setup.ts',
  globalTeardown: '<rootDir>/test/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/jest-after-env.ts'],
  testTimeout: 30000,
  maxWorkers: 2,
};
