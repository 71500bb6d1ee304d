import type * as JestGlobals from '@jest/globals';
import { loadOptionalPeer } from '../common/optional-peer';

/**
 * The jest functions the contract suites call (describe, it, expect, hooks), loaded when a suite
 * is declared: importing `@larder/nestjs/testing` needs neither jest nor a test run.
 * @throws Error when jest is not installed (outside a jest run, @jest/globals throws its own)
 */
export function jestGlobals(): typeof JestGlobals {
  const globals = loadOptionalPeer<typeof JestGlobals>('@jest/globals');
  if (!globals) {
    throw new Error(
      'The Larder contract suites are jest suites: install jest and call them from a spec file.',
    );
  }
  return globals;
}
