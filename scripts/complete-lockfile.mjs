// Adds lockfile entries for optional platform binaries (@swc/core-darwin-arm64, ...) that npm left
// out because the registry it used did not serve them. Without those entries `npm ci` refuses the
// lockfile as out of sync, even though none of them would be installed on this platform. Entries
// carry version, os and cpu, so npm ci skips them on other platforms and fetches them where they fit.
// Usage, after any change of dependencies: node scripts/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const OS = ['darwin', 'win32', 'linux', 'android', 'freebsd', 'openharmony', 'sunos', 'netbsd', 'openbsd', 'aix'];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 'riscv64', 's390x', 'loong64', 'wasm32'];
const file = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(file, 'utf8'));
const packages = lock.packages;
const added = [];

for (const [path, meta] of Object.entries(packages)) {
  for (const [name, range] of Object.entries(meta.optionalDependencies ?? {})) {
    if (packages[`node_modules/${name}`] || packages[`${path}/node_modules/${name}`]) continue;
    if (!/^\d+\.\d+\.\d+$/.test(range)) continue; // platform binaries are pinned to one version
    const base = name.split('/').pop();
    const entry = { version: range, optional: true };
    const os = OS.find((o) => base.includes(`-${o}`));
    const cpu = CPU.find((c) => new RegExp(`-${c}(-|$)`).test(base));
    if (os) entry.os = [os];
    if (cpu) entry.cpu = [cpu];
    packages[`node_modules/${name}`] = entry;
    added.push(`${name}@${range}`);
  }
}

const sorted = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
lock.packages = sorted;
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`);
console.log(added.length ? `added ${added.length} entries:\n  ${added.join('\n  ')}` : 'lockfile already complete');
