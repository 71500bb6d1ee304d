import { InvalidArgumentError } from '../errors';
import { assertKey } from '../common/assert-key';
import { describe } from '../common/describe';
import type { Duration } from '../common/duration';
import { checkCallOptions, optionKeys, unknownOptionError } from '../common/known-keys';
import { invalidOption } from '../common/validate-options';
import { assertTags, resolveTtl } from './cache-arguments';

/**
 * One entry of `warm()`: the key, how to load its value, and how to store it.
 * @example { key: 'product:1', load: () => repo.find('1'), ttl: '5m', tags: ['products'] }
 */
export interface WarmEntry<T = unknown> {
  key: string;
  /** Loads the value; `undefined` is not stored (the entry counts as skipped). */
  load: () => T | Promise<T>;
  /** As for `set`: unset = the module's `defaultTtl`, 0 = no expiry. */
  ttl?: Duration;
  tags?: string[];
}

/** Options of `warm()`. */
export interface WarmOptions {
  /** Most loads running at once, 1 to 1000. Default 8. */
  concurrency?: number;
  /** Leave entries that already hold a live value alone (their loader does not run). Default false. */
  skipIfPresent?: boolean;
}

/** What `warm()` did: entries stored, entries left alone, and each entry that failed with its error. */
export interface WarmReport {
  loaded: number;
  skipped: number;
  failed: Array<{ key: string; error: unknown }>;
}

/** A checked entry, its ttl in ms. */
export interface WarmTask {
  key: string;
  load: () => unknown;
  ttl: number;
  tags: string[];
}

const ENTRY_KEYS = optionKeys<WarmEntry>({ key: true, load: true, ttl: true, tags: true });
const OPTION_KEYS = optionKeys<WarmOptions>({ concurrency: true, skipIfPresent: true });
const OPTION_PLACE = { subject: 'warm option' };
const MAX_CONCURRENCY = 1000;

/**
 * Checks every entry and the options before anything loads, so a mistake in the list fails the
 * call at once instead of becoming one failed entry among many.
 * @throws InvalidArgumentError / InvalidKeyError / InvalidOptionError naming `entries[i]` or the option
 */
export function checkWarmArguments(
  entries: unknown,
  options: unknown,
  defaults: { defaultTtl: number; maxKeyLength: number },
): { tasks: WarmTask[]; concurrency: number; skipIfPresent: boolean } {
  if (!Array.isArray(entries)) {
    throw new InvalidArgumentError(
      `Invalid entries: ${describe(entries)}. Expected an array of { key, load }.`,
    );
  }
  const tasks = entries.map((entry: WarmEntry, index): WarmTask => {
    if (typeof entry !== 'object' || entry === null) {
      throw new InvalidArgumentError(
        `Invalid entries[${index}]: ${describe(entry)}. Expected { key, load }.`,
      );
    }
    const unknown = ENTRY_KEYS.findUnknown(entry);
    if (unknown !== undefined) {
      throw unknownOptionError(unknown, ENTRY_KEYS, {
        subject: 'warm entry field',
        path: `entries[${index}]`,
      });
    }
    assertKey('cache key', entry.key, defaults.maxKeyLength);
    if (typeof entry.load !== 'function') {
      throw new InvalidArgumentError(
        `Invalid entries[${index}].load: ${describe(entry.load)}. Expected a function.`,
      );
    }
    const tags = entry.tags ?? [];
    assertTags(tags, defaults.maxKeyLength);
    return { key: entry.key, load: entry.load, ttl: resolveTtl(entry.ttl, defaults.defaultTtl), tags };
  });
  checkCallOptions(options, OPTION_KEYS, OPTION_PLACE, '{ concurrency?, skipIfPresent? }');
  const { concurrency = 8, skipIfPresent = false } = options as WarmOptions;
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
    throw invalidOption(OPTION_PLACE, 'concurrency', concurrency, `an integer from 1 to ${MAX_CONCURRENCY}`);
  }
  if (typeof skipIfPresent !== 'boolean')
    throw invalidOption(OPTION_PLACE, 'skipIfPresent', skipIfPresent, 'true or false');
  return { tasks, concurrency, skipIfPresent };
}

/**
 * Runs the tasks with at most `concurrency` at once. `run` resolves to whether the entry was
 * stored; its rejection marks that entry failed and never stops the others.
 */
export async function runWarmTasks(
  tasks: WarmTask[],
  concurrency: number,
  run: (task: WarmTask) => Promise<boolean>,
): Promise<WarmReport> {
  const report: WarmReport = { loaded: 0, skipped: 0, failed: [] };
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++];
      try {
        if (await run(task)) report.loaded++;
        else report.skipped++;
      } catch (error) {
        report.failed.push({ key: task.key, error });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, tasks.length) }, worker));
  return report;
}
