// Debian's chromium driven by playwright-core: never a downloaded browser. Screenshots go to test-artifacts/.
import { mkdirSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(process.cwd(), 'test-artifacts');

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** `extraArgs` adds chromium switches, e.g. `--host-resolver-rules=MAP evil.example 127.0.0.1` to fake DNS. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extraArgs],
  });
}

export function artifactPath(folder: string, name: string): string {
  const dir = join(ARTIFACTS, folder);
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}

/** Browser tests run wherever chromium is installed; CI installs it, so there a missing browser fails. */
export function browserSkipReason(): string | false {
  if (chromiumAvailable()) return false;
  if (process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
  console.warn(`\n*** SKIPPING browser tests: ${CHROMIUM} is not installed (apt-get install -y chromium) ***\n`);
  return `${CHROMIUM} not installed`;
}
