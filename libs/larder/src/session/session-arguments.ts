import { InvalidArgumentError, SessionNotFoundError } from '../errors';
import { argumentRule, assertKey } from '../common/assert-key';
import { failClosed } from '../common/fail-closed';
import { checkCallOptions, optionKeys } from '../common/known-keys';
import type { CreateSessionOptions, RotateSessionOptions } from './session.types';

/** Longest accepted user id, in characters. */
export const MAX_USER_ID_LENGTH = 1024;
const USER_ID_RULE = argumentRule('the longest user id');

const CREATE_KEYS = optionKeys<CreateSessionOptions>({ userId: true, ttl: true });
const ROTATE_KEYS = optionKeys<RotateSessionOptions>({ userId: true, data: true });
const CREATE_PLACE = { subject: 'create option' };
const ROTATE_PLACE = { subject: 'rotate option' };

/**
 * Checks the options of `create`: an object with only `userId` and `ttl`.
 * @throws InvalidArgumentError for a non-object; InvalidOptionError naming an unknown field
 */
export function checkCreateOptions(options: CreateSessionOptions): CreateSessionOptions {
  checkCallOptions(options, CREATE_KEYS, CREATE_PLACE, '{ userId?, ttl? }');
  return options;
}

/**
 * Checks the options of `rotate`: an object with only `userId` and `data`.
 * @throws InvalidArgumentError for a non-object; InvalidOptionError naming an unknown field
 */
export function checkRotateOptions(options: RotateSessionOptions): RotateSessionOptions {
  checkCallOptions(options, ROTATE_KEYS, ROTATE_PLACE, '{ userId?, data? }');
  return options;
}

/** The error for a session that is gone (or an id that never was one). */
export function notFound(): SessionNotFoundError {
  return new SessionNotFoundError('The session does not exist (expired, destroyed or rotated).');
}

/** `{ userId }` for event payloads, or nothing for an anonymous session. */
export function userField(userId: string | undefined): { userId?: string } {
  return userId === undefined ? {} : { userId };
}

/**
 * Checks a user id argument: a non-empty, well-formed string of at most MAX_USER_ID_LENGTH characters.
 * @throws InvalidArgumentError naming `argument`
 */
export function checkUserId(value: unknown, argument: string, required: true): string;
export function checkUserId(value: unknown, argument: string): string | undefined;
export function checkUserId(value: unknown, argument: string, required = false): string | undefined {
  if (value === undefined && !required) return undefined;
  assertKey(argument, value, MAX_USER_ID_LENGTH, USER_ID_RULE);
  if (!isWellFormedUnicode(value)) {
    throw new InvalidArgumentError(
      `Invalid ${argument}: a string with a lone surrogate. Expected well-formed Unicode (it is stored as UTF-8).`,
    );
  }
  return value;
}

/** False for strings with lone surrogates, which cannot be stored as UTF-8 and back unchanged. */
function isWellFormedUnicode(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/** Runs a store call, failing closed (see failClosed): store failures surface as StoreUnavailableError. */
export function runStore<T>(operation: string, call: () => Promise<T>): Promise<T> {
  return failClosed(`Session ${operation}`, call);
}
