import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to get the browser the console test drives, for the message when it is missing. */
const HOW_TO_GET_CHROMIUM =
  'Install Debian/Ubuntu\'s "chromium" package (apt-get install chromium; .ci/run does this), ' +
  'or point CHROMIUM_PATH at a Chromium or Chrome binary.';

const isExecutable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/**
 * The Chromium binary for the browser test: `CHROMIUM_PATH`, else `chromium` (or
 * `chromium-browser`) on PATH. Throws, naming how to get one, when there is none: the test is
 * never skipped for a missing browser.
 */
export function findChromium(): string {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (isExecutable(given)) return given;
    throw new Error(`CHROMIUM_PATH=${given} is not an executable file. ${HOW_TO_GET_CHROMIUM}`);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of ['chromium', 'chromium-browser']) {
      const candidate = join(dir, name);
      if (dir && isExecutable(candidate)) return candidate;
    }
  }
  throw new Error(`No Chromium found (CHROMIUM_PATH unset, no chromium on PATH). ${HOW_TO_GET_CHROMIUM}`);
}
