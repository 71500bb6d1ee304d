import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';
import boundaries from 'eslint-plugin-boundaries';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '*.js', '*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    // Type-aware promise rules for the library and the demo: a fire-and-forget call must be an
    // explicit `void` with its rejection handled, and nothing passes a promise where a callback's
    // result is ignored (an event listener, a timer).
    files: ['libs/**/*.ts', 'apps/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'error',
    },
  },
  {
    // In-memory stores implement promise-returning store contracts with `async` methods on purpose:
    // a synchronous throw then becomes a rejection, exactly as it would from the Redis store.
    // Specs and fixtures write async stand-ins for real I/O the same way.
    files: ['**/memory-*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.fixtures.ts', '**/testing/**/*.ts'],
    rules: { '@typescript-eslint/require-await': 'off' },
  },
  {
    // The layers of the library (docs/architecture.md), bottom to top: errors, constants and common/
    // -> redis/ -> lock/ -> cache/ | rate-limit/ | session/ | leaderboard/ -> health/ | metrics/ | console/ | tracing/
    // -> the module files and testing/. A file imports only from its own layer's folder and the layers
    // below it: no import runs back up, and siblings of one layer (cache/, rate-limit/, session/, leaderboard/) do not import
    // each other. Specs and fixtures are exempt: they may use the public API.
    files: ['libs/larder/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/*.fixtures.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { node: { extensions: ['.ts'] } },
      'boundaries/elements': [
        {
          type: 'common',
          mode: 'full',
          pattern: [
            'libs/larder/src/common/**',
            'libs/larder/src/errors.ts',
            'libs/larder/src/larder.constants.ts',
          ],
        },
        { type: 'redis', mode: 'full', pattern: 'libs/larder/src/redis/**' },
        { type: 'lock', mode: 'full', pattern: 'libs/larder/src/lock/**' },
        { type: 'cache', mode: 'full', pattern: 'libs/larder/src/cache/**' },
        { type: 'rate-limit', mode: 'full', pattern: 'libs/larder/src/rate-limit/**' },
        { type: 'session', mode: 'full', pattern: 'libs/larder/src/session/**' },
        { type: 'leaderboard', mode: 'full', pattern: 'libs/larder/src/leaderboard/**' },
        { type: 'health', mode: 'full', pattern: 'libs/larder/src/health/**' },
        { type: 'metrics', mode: 'full', pattern: 'libs/larder/src/metrics/**' },
        { type: 'console', mode: 'full', pattern: 'libs/larder/src/console/**' },
        { type: 'tracing', mode: 'full', pattern: 'libs/larder/src/tracing/**' },
        { type: 'module', mode: 'full', pattern: ['libs/larder/src/*.ts', 'libs/larder/src/testing/**'] },
      ],
    },
    rules: {
      // A file outside every layer (a new top-level folder) must first be given its place above.
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          rules: [
            { from: { type: 'common' }, allow: { to: { type: 'common' } } },
            { from: { type: 'redis' }, allow: { to: { type: ['common', 'redis'] } } },
            { from: { type: 'lock' }, allow: { to: { type: ['common', 'redis', 'lock'] } } },
            ...['cache', 'rate-limit', 'session', 'leaderboard'].map((capability) => ({
              from: { type: capability },
              allow: { to: { type: ['common', 'redis', 'lock', capability] } },
            })),
            ...['health', 'metrics', 'console', 'tracing'].map((observer) => ({
              from: { type: observer },
              allow: {
                to: { type: ['common', 'redis', 'lock', 'cache', 'rate-limit', 'session', 'leaderboard', observer] },
              },
            })),
            { from: { type: 'module' }, allow: { to: { type: '*' } } },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts', '**/*.e2e-spec.ts', 'bench/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
