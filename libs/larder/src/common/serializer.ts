import { NotSerializableError } from '../errors';

/**
 * Turns cache values into strings for the value store and back. The default is JSON with two
 * guarantees plain `JSON.stringify` lacks: values it would silently drop or mangle (functions,
 * symbols, `undefined` inside arrays, BigInt, circular structures) are refused with
 * `E_NOT_SERIALIZABLE` instead of being stored half-written.
 *
 * @example
 * const msgpack: Serializer = { serialize: (v) => pack(v).toString('base64'), deserialize: (s) => unpack(Buffer.from(s, 'base64')) };
 * CacheModule.forRoot({ serializer: msgpack });
 */
export interface Serializer {
  serialize(value: unknown): string;
  deserialize(raw: string): unknown;
}

function strictReplacer(this: unknown, key: string, value: unknown): unknown {
  const type = typeof value;
  if (type === 'function' || type === 'symbol' || type === 'bigint') {
    throw new TypeError(`${type} at ${key === '' ? 'the top level' : `"${key}"`} cannot be encoded as JSON`);
  }
  if (value === undefined && Array.isArray(this)) {
    throw new TypeError('undefined inside an array cannot be encoded as JSON');
  }
  return value;
}

/** The default serializer: strict JSON (see `Serializer`). Dates come back as ISO strings, as with JSON. */
export const jsonSerializer: Serializer = {
  serialize(value) {
    return JSON.stringify(value, strictReplacer);
  },
  deserialize(raw) {
    return JSON.parse(raw);
  },
};

/**
 * Runs the serializer and turns any failure (a throw, or a result that is not a string) into
 * NotSerializableError, naming the key when there is one. The one place serializer output is checked.
 */
export function serializeOrThrow(serializer: Serializer, value: unknown, key?: string): string {
  const what = key === undefined ? 'Value' : `Value for key "${key}"`;
  let out: unknown;
  try {
    out = serializer.serialize(value);
  } catch (error) {
    throw new NotSerializableError(`${what} cannot be serialized: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (typeof out !== 'string') {
    throw new NotSerializableError(`${what} cannot be serialized: the serializer returned ${typeof out}`);
  }
  return out;
}
