/**
 * Base class of every error Larder throws. `code` is stable and meant for programmatic checks;
 * `cause` carries the underlying error (for example the Redis error behind a failed lock).
 *
 * @example
 * try { await locks.withLock('job', run) } catch (e) {
 *   if (e instanceof LarderError && e.code === 'E_LOCK_NOT_ACQUIRED') return;
 *   throw e;
 * }
 */
export abstract class LarderError extends Error {
  /** Stable machine-readable code, also available on the class as `static code`. */
  readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = (new.target as unknown as { code: string }).code;
  }
}

/** A module option or a method option is invalid. The message names the field, the value and what is allowed. */
export class InvalidOptionError extends LarderError {
  static readonly code = 'E_INVALID_OPTION';
}

/** A method argument is invalid (empty key, ttl <= 0, ...). The message names the argument. */
export class InvalidArgumentError extends LarderError {
  static readonly code = 'E_INVALID_ARGUMENT';
}

/**
 * A key is empty, not a string, or longer than the documented maximum: a cache key, tag or
 * namespace prefix, a lock key, a rate-limit key. The message names which.
 */
export class InvalidKeyError extends LarderError {
  static readonly code = 'E_INVALID_KEY';
}

/** A value cannot be encoded by the configured serializer; nothing was written. */
export class NotSerializableError extends LarderError {
  static readonly code = 'E_NOT_SERIALIZABLE';
}

/** A value serializes to more bytes than `maxValueSize`; nothing was written. The message names the key and the size. */
export class ValueTooLargeError extends LarderError {
  static readonly code = 'E_VALUE_TOO_LARGE';
}

/**
 * A cache value could not be compressed, or a compressed entry could not be read back: its marker
 * names a codec this process does not know, or its bytes do not decompress. A read treats it as a
 * miss (with an `error` event); a write stores the value uncompressed.
 */
export class CompressionError extends LarderError {
  static readonly code = 'E_COMPRESSION';
}

/** A Redis call did not answer within `commandTimeout`. */
export class CommandTimeoutError extends LarderError {
  static readonly code = 'E_COMMAND_TIMEOUT';
}

/**
 * A `getOrSet` / `@Cacheable` loader ran past its hard timeout (`timeout.hard`) and no stale value
 * could stand in; the loader's `signal` was aborted with this error.
 */
export class LoaderTimeoutError extends LarderError {
  static readonly code = 'E_LOADER_TIMEOUT';
}

/** The backing store (Redis) failed; `cause` holds the original error. Map it to 503 at the HTTP edge. */
export class StoreUnavailableError extends LarderError {
  static readonly code = 'E_STORE_UNAVAILABLE';
}

/**
 * The call was not sent: the circuit breaker around Redis is open after consecutive failures (see
 * the `circuitBreaker` option). Its code is `E_STORE_UNAVAILABLE`, like any other Redis outage.
 * @example if (error instanceof CircuitOpenError) metrics.skipped.inc();
 */
export class CircuitOpenError extends StoreUnavailableError {}

/** The operation is not supported by the configured store (for example prefix clear on a custom Keyv store without iteration). */
export class UnsupportedOperationError extends LarderError {
  static readonly code = 'E_UNSUPPORTED';
}

/** A decorator was applied where it cannot work (for example on a method that does not return a promise). */
export class InvalidDecoratorUsageError extends LarderError {
  static readonly code = 'E_INVALID_DECORATOR';
}

/** A lock could not be acquired within `wait` (or Redis failed; see `cause`). Map it to 409 at the HTTP edge. */
export class LockNotAcquiredError extends LarderError {
  static readonly code = 'E_LOCK_NOT_ACQUIRED';
}

/** A held lock was lost (expired, or an extension failed) before the critical section finished. */
export class LockLostError extends LarderError {
  static readonly code = 'E_LOCK_LOST';
}

/** The session does not exist any more (expired, destroyed or rotated). */
export class SessionNotFoundError extends LarderError {
  static readonly code = 'E_SESSION_NOT_FOUND';
}
