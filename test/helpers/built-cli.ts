// The gatehouse command as users run it: dist/src/cli/main.js, built by tsc from the main tsconfig. Tests that
// spawn the command use it instead of running TypeScript through tsx (which costs seconds per command). It is
// rebuilt first when any file under src/ or examples/ (or the build's configuration) is newer than the last build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILT_CLI = join(ROOT, 'dist/src/cli/main.js');
/** Touched after every successful build; its time is the build's. */
const STAMP = join(ROOT, 'dist/.built-for-tests');

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((newest, name) => Math.max(newest, newestChange(join(path, name))), stat.mtimeMs);
}

let checked = false;

/** Builds dist/ if src/ or examples/ changed since the last build; once per test process. Returns the command's path. */
export function builtCli(): string {
  if (checked) return BUILT_CLI;
  // examples/ too: the demo's tests run dist/examples/demo.js.
  const sources = Math.max(newestChange(join(ROOT, 'src')), newestChange(join(ROOT, 'examples')), newestChange(join(ROOT, 'package.json')), newestChange(join(ROOT, 'tsconfig.json')));
  if (!existsSync(BUILT_CLI) || !existsSync(STAMP) || statSync(STAMP).mtimeMs < sources) {
    const started = new Date();
    try {
      // Incremental: after a small change only that part is compiled again.
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'dist/.tsbuildinfo'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const output = (error as { stdout?: Buffer }).stdout?.toString() ?? '';
      throw new Error(`building the gatehouse command (tsc -p tsconfig.json) failed:\n${output}`);
    }
    // The stamp carries the time the build started: a file saved during the build makes the next run build again.
    writeFileSync(STAMP, '');
    utimesSync(STAMP, started, started);
  }
  checked = true;
  return BUILT_CLI;
}
