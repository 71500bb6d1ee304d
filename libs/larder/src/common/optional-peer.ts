/**
 * Loads an optional peer dependency (@nestjs/terminus, prom-client) only when a feature needs it,
 * so importing `@larder/nestjs` never fails in an app that did not install them. Only "not
 * installed" becomes `null`; a package that is installed but broken still throws, loudly.
 */
export function loadOptionalPeer<T>(name: string): T | null {
  try {
    // A static import would make the peer mandatory; require() (CommonJS, or require(esm) for
    // ES-module peers) is resolved only here, when the feature is used.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch (error) {
    if (isModuleNotFound(error, name)) return null;
    throw error;
  }
}

function isModuleNotFound(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
