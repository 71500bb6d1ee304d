// Builds @larder/nestjs and packs it into ONE tarball: artifacts/larder-nestjs-<version>.tgz.
// Usage: npm run pack (prints the tarball's path last; --quiet prints only that path).
// The package directory is dist/libs/larder: the compiled library, libs/larder/package.json, the
// LICENSE, the README and the docs it links to (so every relative link resolves inside the package).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist/libs/larder');
const artifacts = join(root, 'artifacts');
const quiet = process.argv.includes('--quiet');
const log = (line) => quiet || console.log(line);

function fail(message) {
  console.error(`pack: ${message}`);
  process.exit(1);
}

function filesUnder(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path, base) : [relative(base, path)];
  });
}

/** Peer and dependency ranges are the ones the monorepo installs and CI tests: no wider, no narrower. */
function checkRanges(manifest) {
  const rootManifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const tested = { ...rootManifest.devDependencies, ...rootManifest.dependencies };
  const declared = { ...manifest.dependencies, ...manifest.peerDependencies };
  for (const [name, range] of Object.entries(declared)) {
    if (tested[name] !== range) {
      fail(`libs/larder/package.json declares ${name}@${range}, the root package.json tests ${tested[name] ?? 'nothing'}`);
    }
  }
}

/** Every relative link of the shipped Markdown points at a file that is shipped too. */
function checkLinks(markdownFiles) {
  for (const file of markdownFiles) {
    const text = readFileSync(join(out, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
      const path = resolve(out, dirname(file), target.split('#')[0]);
      if (!path.startsWith(out + '/') || !existsSync(path)) fail(`${file} links to ${target}, which the package does not ship`);
    }
  }
}

const manifest = JSON.parse(readFileSync(join(root, 'libs/larder/package.json'), 'utf8'));
checkRanges(manifest);

rmSync(out, { recursive: true, force: true });
log('pack: compiling libs/larder (tsc -p libs/larder/tsconfig.lib.json)');
execFileSync(join(root, 'node_modules/.bin/tsc'), ['-p', join(root, 'libs/larder/tsconfig.lib.json')], {
  cwd: root,
  stdio: 'inherit',
});

const compiled = filesUnder(out);
// An optional peer may be missing in the app: a declaration the entry points reach (through
// relative imports) that names one would break the app's compile under skipLibCheck: false.
const reached = new Set();
const pending = Object.values(manifest.exports).flatMap((t) => (typeof t === 'string' ? [] : [t.types.slice(2)]));
while (pending.length > 0) {
  const file = pending.pop();
  if (reached.has(file) || !compiled.includes(file)) continue;
  reached.add(file);
  const text = readFileSync(join(out, file), 'utf8');
  for (const peer of Object.keys(manifest.peerDependenciesMeta ?? {})) {
    if (text.includes(`'${peer}'`) || text.includes(`"${peer}"`)) fail(`${file} names the optional peer ${peer}`);
  }
  for (const [, spec] of text.matchAll(/(?:from |import\()['"](\.[^'"]+)['"]/g)) {
    const base = join(dirname(file), spec);
    pending.push(`${base}.d.ts`, join(base, 'index.d.ts'));
  }
}
// A `testing/` folder below the top level holds internal fixtures; only the top-level one is public.
const stray = compiled.filter((f) => /\.(e2e-)?spec\./.test(f) || f.split('/').slice(1, -1).includes('testing'));
if (stray.length > 0) fail(`specs or internal fixtures were compiled into the package: ${stray.join(', ')}`);

// `./testing` is shipped when the library has a testing entry point (src/testing/index.ts).
if (!compiled.includes('testing/index.js')) {
  delete manifest.exports['./testing'];
  log('pack: no src/testing/index.ts, so the package has no "./testing" export');
}
for (const [subpath, target] of Object.entries(manifest.exports)) {
  for (const file of typeof target === 'string' ? [target] : Object.values(target)) {
    if (file !== './package.json' && !compiled.includes(file.slice(2))) fail(`exports["${subpath}"] names ${file}, which the build did not emit`);
  }
}
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));
copyFileSync(join(root, 'README.md'), join(out, 'README.md'));
copyFileSync(join(root, 'BENCHMARKS.md'), join(out, 'BENCHMARKS.md'));
mkdirSync(join(out, 'docs'));
const docs = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md'));
// The images the docs show (docs/console.png) ship with them, so their links resolve in the package.
const images = readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.png'));
for (const doc of [...docs, ...images]) copyFileSync(join(root, 'docs', doc), join(out, 'docs', doc));
checkLinks(['README.md', 'BENCHMARKS.md', ...docs.map((d) => `docs/${d}`)]);

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts);
const [packed] = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--pack-destination', artifacts], { cwd: out, encoding: 'utf8' }),
);
const tarball = join(artifacts, packed.filename);
log(`pack: ${packed.name}@${packed.version}, ${packed.entryCount} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
console.log(tarball);
