#!/usr/bin/env node
// `prepare` (npm install in a checkout, npm pack): compile src/ and examples/ to dist/ with TypeScript.
// A production install of a checkout (`npm ci --omit=dev`) has no TypeScript: the build is skipped there instead of
// failing the install. Installing the package tarball needs no build at all — it ships dist/.
// Incremental otherwise, with the same build info as the tests' builtCli().
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn('gatehouse: TypeScript is not installed (production install), so dist/ is not built here. '
    + 'Run `npm install` (with dev dependencies) to build, or install the package tarball, which ships dist/.');
  process.exit(0);
}
// The build info trusts dist/ to hold what it last emitted: a file deleted from dist/ by hand would not be emitted
// again, and the compiled copy of a deleted source would stay (and go into the tarball). So when dist/ does not
// hold exactly one .js per source, it is built from scratch.
function files(dir, suffix) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return files(path, suffix).map((name) => join(entry.name, name));
    return entry.name.endsWith(suffix) && !entry.name.endsWith('.d.ts') ? [entry.name.slice(0, -suffix.length)] : [];
  });
}
const same = (a, b) => a.length === b.length && a.every((name, i) => name === b[i]);
const stale = ['src', 'examples'].some((dir) => !same(files(dir, '.ts').sort(), files(join('dist', dir), '.js').sort()));
if (stale) {
  for (const path of ['dist/src', 'dist/examples', 'dist/.tsbuildinfo', 'dist/.built-for-tests']) rmSync(path, { recursive: true, force: true });
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
