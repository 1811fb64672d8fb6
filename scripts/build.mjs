#!/usr/bin/env node
// `prepare` (npm install in a checkout, npm pack): compile src/ and examples/ to dist/ with TypeScript.
// A production install of a checkout (`npm ci --omit=dev`) has no TypeScript: the build is skipped there instead of
// failing the install. Installing the package tarball needs no build at all — it ships dist/.
// Incremental, with the same build info as the tests' builtCli(), so `npm pack` after a test run compiles nothing again.
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';

let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn('gatehouse: TypeScript is not installed (production install), so dist/ is not built here. '
    + 'Run `npm install` (with dev dependencies) to build, or install the package tarball, which ships dist/.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
