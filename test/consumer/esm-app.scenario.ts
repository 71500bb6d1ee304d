import { isDeepStrictEqual } from 'node:util';
import { run } from './app-process';

const METRICS_ERROR =
  'Invalid Larder option "metrics": metrics need the optional peer dependency prom-client. ' +
  'Install it (npm i prom-client) or remove the option.';

/** The last line a script printed, as JSON. */
function lastJsonLine(output: string, what: string): unknown {
  const line = output.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as unknown;
  } catch {
    throw new Error(`${what} printed no JSON report:\n${output}`);
  }
}

/**
 * Runs the ES-module app (no @nestjs/terminus, no prom-client) on `store` and compares its report;
 * resolves what it checked.
 */
export async function runEsmAppScenario(dir: string, redisUrl: string | undefined): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl };
  if (!redisUrl) delete env.REDIS_URL;
  const { output } = await run(process.execPath, ['dist/main.js'], { cwd: dir, env });
  const expected = {
    store: redisUrl ? 'redis' : 'memory',
    computed: 1,
    cached: { symbol: 'LARD', price: 40 },
    locked: 'ran under the lock',
    health: 'not provided',
    metricsWithoutPromClient: METRICS_ERROR,
  };
  const report = lastJsonLine(output, 'esm-app');
  if (!isDeepStrictEqual(report, expected)) {
    throw new Error(
      `[esm-app on ${expected.store}] report ${JSON.stringify(report)}, expected ${JSON.stringify(expected)}`,
    );
  }
  return `esm-app on ${expected.store}: import, @Cacheable hit, lock, no health indicator, metrics need prom-client`;
}

/** Loads `@larder/nestjs/testing` from the ES-module app: it must export something. */
export async function runEsmTestingScenario(dir: string): Promise<string> {
  const { output } = await run(process.execPath, ['dist/testing-entry.js'], { cwd: dir });
  const report = lastJsonLine(output, 'esm-app testing-entry') as {
    exports?: string[];
    clockAdvancedBy?: number;
  };
  if (!Array.isArray(report.exports) || report.exports.length === 0) {
    throw new Error(`@larder/nestjs/testing exports nothing: ${JSON.stringify(report)}`);
  }
  if (report.clockAdvancedBy !== 300_000) {
    throw new Error(
      `LarderTestClock.advance('5m') gave ${JSON.stringify(report.clockAdvancedBy)}, expected 300000`,
    );
  }
  return `esm-app: @larder/nestjs/testing loads (${report.exports.join(', ')}); LarderTestClock advances`;
}
