import { cpSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { run } from './app-process';

export const REPO_ROOT = join(__dirname, '../..');
/** The file name every example's package.json installs `@larder/nestjs` from (`file:larder-nestjs.tgz`). */
export const TARBALL_NAME = 'larder-nestjs.tgz';

/** Builds and packs the library with `npm run pack`; resolves the tarball's path. */
export async function packLibrary(): Promise<string> {
  const { output } = await run('node', ['scripts/pack.mjs', '--quiet'], { cwd: REPO_ROOT });
  const tarball = output.trim().split('\n').pop() ?? '';
  if (!tarball.endsWith('.tgz') || !existsSync(tarball))
    throw new Error(`npm run pack printed no tarball:\n${output}`);
  return tarball;
}

/** The files in the tarball, without the leading `package/`. */
export async function tarballFiles(tarball: string): Promise<string[]> {
  const { output } = await run('tar', ['tzf', tarball], { cwd: REPO_ROOT });
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => line.replace(/^package\//, ''));
}

/** A fresh directory under the system's temporary directory, never inside the repository. */
export function makeWorkspace(): string {
  const dir = realpathSync(mkdtempSync(join(tmpdir(), 'larder-consumer-')));
  if (!relative(realpathSync(REPO_ROOT), dir).startsWith('..')) {
    throw new Error(`The temporary directory ${dir} is inside the repository; set TMPDIR elsewhere.`);
  }
  return dir;
}

export function removeWorkspace(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

interface ExampleManifest {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/**
 * Every dependency of an example is pinned to the version the monorepo's lockfile installs (so the
 * consumer check tests what CI tests), and @larder/nestjs comes from the tarball only.
 */
function checkPins(example: string, manifest: ExampleManifest): void {
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const all = { ...manifest.dependencies, ...manifest.devDependencies };
  for (const [name, spec] of Object.entries(all)) {
    const expected =
      name === '@larder/nestjs' ? `file:${TARBALL_NAME}` : lock.packages[`node_modules/${name}`]?.version;
    if (spec !== expected) {
      throw new Error(
        `examples/${example}/package.json: ${name} is "${spec}", expected "${expected ?? 'a package the monorepo locks'}"`,
      );
    }
  }
}

/** The compiler options the consumer check insists on: what a careful app has. */
function checkTsconfig(example: string, dir: string): void {
  const { compilerOptions } = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { strict?: boolean; skipLibCheck?: boolean };
  };
  if (compilerOptions.strict !== true || compilerOptions.skipLibCheck !== false) {
    throw new Error(`examples/${example}/tsconfig.json must set "strict": true and "skipLibCheck": false`);
  }
}

/**
 * Copies `examples/<example>` into the workspace with the tarball beside its package.json, installs
 * it with npm (one install) and compiles it with its own TypeScript; `prepare` may adjust the copy
 * before that. Resolves the app's directory.
 */
export async function installExample(
  example: string,
  workspace: string,
  tarball: string,
  prepare?: (dir: string) => void,
): Promise<string> {
  const source = join(REPO_ROOT, 'examples', example);
  const dir = join(workspace, example);
  cpSync(source, dir, {
    recursive: true,
    filter: (path) => !/[\\/](node_modules|dist)$/.test(path) && !path.endsWith('.tgz'),
  });
  cpSync(tarball, join(dir, TARBALL_NAME));
  checkPins(example, JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as ExampleManifest);
  checkTsconfig(example, dir);
  prepare?.(dir);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: dir });
  await run(join(dir, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.json'], { cwd: dir });
  return dir;
}
