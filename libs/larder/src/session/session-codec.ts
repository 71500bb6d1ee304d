import { InvalidArgumentError } from '../errors';
import { describe } from '../common/describe';
import { serializeOrThrow, type Serializer } from '../common/serializer';
import type { StoredSession } from './session-store';
import type { Session, SessionData, SessionSummary } from './session.types';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Checks a data object or patch: a plain object without a `__proto__` field (it would become the
 * prototype, not a field, when read back). Returns the fields set and the fields set to undefined.
 * @throws InvalidArgumentError naming `argument`
 */
export function checkFields(
  value: unknown,
  argument: 'data' | 'patch' | 'options.data',
): { set: Record<string, unknown>; remove: string[] } {
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(`Invalid ${argument}: ${describe(value)}. Expected a plain object.`);
  }
  const set: Record<string, unknown> = {};
  const remove: string[] = [];
  for (const name of Object.keys(value)) {
    if (name === '__proto__')
      throw new InvalidArgumentError(`Invalid ${argument}: the field name "__proto__" is not allowed.`);
    if (value[name] === undefined) remove.push(name);
    else set[name] = value[name];
  }
  return { set, remove };
}

/**
 * Encodes session data with the serializer.
 * @throws NotSerializableError naming `argument` (and, with the JSON serializer, the field) when it cannot be encoded
 */
export function encodeData(
  serializer: Serializer,
  data: Record<string, unknown>,
  argument: 'data' | 'patch' | 'options.data',
): string {
  return serializeOrThrow(serializer, data, argument);
}

/** Decodes session data; undefined when it cannot be decoded or is not an object (treated as malformed). */
export function decodeData(serializer: Serializer, raw: string): Record<string, unknown> | undefined {
  try {
    const data = serializer.deserialize(raw);
    return typeof data === 'object' && data !== null && !Array.isArray(data)
      ? (data as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** A stored session as a summary (no id); undefined when its data cannot be decoded. */
export function toSummary<T extends SessionData>(
  stored: StoredSession,
  serializer: Serializer,
): SessionSummary<T> | undefined {
  const data = decodeData(serializer, stored.data);
  if (!data) return undefined;
  const summary: SessionSummary<T> = {
    handle: stored.handle,
    data: data as T,
    createdAt: new Date(stored.createdAt),
    expiresAt: new Date(stored.expiresAt),
    absoluteExpiresAt: new Date(stored.absoluteExpiresAt),
  };
  if (stored.userId !== undefined) summary.userId = stored.userId;
  return summary;
}

/** A stored session as the Session the caller sees, with its id. Built directly: this is every get's path. */
export function toSession<T extends SessionData>(
  id: string,
  stored: StoredSession,
  serializer: Serializer,
): Session<T> | undefined {
  const data = decodeData(serializer, stored.data);
  if (!data) return undefined;
  const session: Session<T> = {
    id,
    handle: stored.handle,
    data: data as T,
    createdAt: new Date(stored.createdAt),
    expiresAt: new Date(stored.expiresAt),
    absoluteExpiresAt: new Date(stored.absoluteExpiresAt),
  };
  if (stored.userId !== undefined) session.userId = stored.userId;
  return session;
}
