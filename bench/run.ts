import { readdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startRedisServer, type RedisServerHandle } from '../test/redis-server';
import { toMarkdown, type BenchCase, type BenchTable } from './bench-kit';

/**
 * `npm run bench [-- <case> ...]`: starts a loopback redis-server (or uses REDIS_URL), runs every
 * `bench/cases/*.bench.ts` (or the named ones), prints the tables and writes BENCHMARKS.md
 * when all cases ran.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const dir = join(__dirname, 'cases');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
    .sort();
  let server: RedisServerHandle | undefined;
  const redisUrl = process.env.REDIS_URL ?? (server = await startRedisServer()).url;
  const watch = new Redis(redisUrl);
  const tables: BenchTable[] = [];
  const started = Date.now();
  try {
    for (const file of files) {
      console.log(`\n## ${file}`);
      const run = (await import(join(dir, file))).default as BenchCase;
      const result = await run({ redisUrl, watch });
      console.log(toMarkdown(result));
      tables.push(...result);
    }
  } finally {
    watch.disconnect();
    await server?.stop();
  }
  if (only.length === 0) {
    const header = [
      '# Benchmarks',
      '',
      `Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} (Node ${process.version}, ${cpus().length} cores, loopback redis-server),`,
      `in ${Math.round((Date.now() - started) / 1000)}s. Each table interleaves its contenders over several rounds; compare the ratios, not the absolute figures.`,
      'Goals, which are met, and what stands in the way of the others: bench/README.md.',
      '',
    ].join('\n');
    writeFileSync(join(__dirname, '..', 'BENCHMARKS.md'), `${header}\n${toMarkdown(tables)}`);
    console.log('\nWrote BENCHMARKS.md');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
