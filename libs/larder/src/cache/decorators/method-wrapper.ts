import type { MethodFunction } from './cached-method';

/** Marks a wrapper with the module (explorer) that installed it. */
const WRAPPED_BY = Symbol.for('LARDER:WRAPPED_BY');

/** The module that wrapped `instance[name]`, or `undefined` when it is not a Larder wrapper. */
export function wrappedBy(instance: object, name: string): object | undefined {
  const current = (instance as Record<string, unknown>)[name] as { [WRAPPED_BY]?: object } | undefined;
  return Object.prototype.hasOwnProperty.call(instance, name) ? current?.[WRAPPED_BY] : undefined;
}

/**
 * Makes `wrapper` pass for `original` wherever Nest (or anything else) inspects the handler: every
 * reflect-metadata key (route path and method, guards, pipes, interceptors, HTTP code, custom
 * `SetMetadata`), `name` and `length` are copied over.
 */
function disguise(wrapper: MethodFunction, original: object, owner: object): void {
  for (const key of Reflect.getMetadataKeys(original)) {
    Reflect.defineMetadata(key, Reflect.getMetadata(key, original), wrapper);
  }
  const fn = original as { name: string; length: number };
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  Object.defineProperty(wrapper, WRAPPED_BY, { value: owner });
}

/**
 * Installs `wrapper` as an own, non-enumerable property of `instance` (the class and other
 * instances stay untouched, so two apps sharing a class stay isolated) and returns how to undo it.
 * `described` is the prototype function carrying the decorators' and Nest's metadata.
 */
export function installWrapper(
  instance: object,
  name: string,
  wrapper: MethodFunction,
  described: object,
  owner: object,
): () => void {
  disguise(wrapper, described, owner);
  const previous = Object.getOwnPropertyDescriptor(instance, name);
  Object.defineProperty(instance, name, {
    value: wrapper,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return () => {
    if (Object.getOwnPropertyDescriptor(instance, name)?.value !== wrapper) return;
    if (previous) Object.defineProperty(instance, name, previous);
    else delete (instance as Record<string, unknown>)[name];
  };
}
