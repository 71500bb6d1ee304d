import { argumentRule, assertKey } from '../common/assert-key';
import { describe } from '../common/describe';
import { failClosed } from '../common/fail-closed';
import { InvalidArgumentError } from '../errors';

/** The most entries one read (`top`, `page`, `around`) returns; page through larger boards. */
export const MAX_READ = 1000;

/** A member is an argument, not a key: a bad one is `E_INVALID_ARGUMENT`. */
const MEMBER_RULE = argumentRule();

export function checkMember(member: unknown, max: number, name = 'member'): asserts member is string {
  assertKey(name, member, max, MEMBER_RULE);
}

/** @throws InvalidArgumentError naming `name` unless `value` is a finite number */
export function checkScore(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidArgumentError(`Invalid ${name}: ${describe(value)}. Expected a finite number.`);
  }
}

/** @throws InvalidArgumentError naming `name` unless `value` is true or false */
export function checkFlag(value: unknown, name: string): asserts value is boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(`Invalid ${name}: ${describe(value)}. Expected true or false.`);
  }
}

/** @throws InvalidArgumentError naming `name` unless `value` is an integer in [min, max] */
export function checkCount(
  value: unknown,
  name: string,
  min: number,
  max = MAX_READ,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidArgumentError(
      `Invalid ${name}: ${describe(value)}. Expected an integer from ${min} to ${max}.`,
    );
  }
}

/** Runs a store call, failing closed (see failClosed): store failures surface as StoreUnavailableError. */
export function runBoardStore<T>(operation: string, call: () => Promise<T>): Promise<T> {
  return failClosed(`Leaderboard ${operation}`, call);
}
