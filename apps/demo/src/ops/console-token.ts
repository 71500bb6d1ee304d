import { randomBytes } from 'node:crypto';

let generated: string | undefined;

/**
 * The token of the demo's Larder console: `LARDER_CONSOLE_TOKEN` when set, otherwise 24 random
 * bytes made once per process. A made-up token exists nowhere but in this process, so main.ts
 * prints the console's URL with it once at boot: the operator needs it to open the page, and it
 * dies with the process. A token from the environment is never printed.
 */
export function demoConsoleToken(fromEnv: string | undefined): { token: string; generated: boolean } {
  if (fromEnv) return { token: fromEnv, generated: false };
  generated ??= randomBytes(24).toString('base64url');
  return { token: generated, generated: true };
}
