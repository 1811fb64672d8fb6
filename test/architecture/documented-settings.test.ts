// Every environment variable the server and the examples read is documented: a setting added to src/ or examples/
// without a line in README.md or docs/ fails here, with its name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** `env.NAME`, `env['NAME']`, and the quoted names config.ts hands to its parsers (`nonNegativeInt(env, 'NAME', …)`). */
const READS = [
  /\benv\.([A-Z][A-Z0-9_]+)\b/g,
  /\benv\[\s*['"`]([A-Z][A-Z0-9_]+)['"`]\s*\]/g,
  /['"`]((?:GATEHOUSE|DEMO|LEADS_API|INTEGRATION_APP|PLATFORM)_[A-Z0-9_]+)['"`]/g,
];

function readNames(): Map<string, string> {
  const names = new Map<string, string>();
  for (const file of [...sources(join(ROOT, 'src')), ...sources(join(ROOT, 'examples'))]) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of READS) {
      for (const match of text.matchAll(pattern)) if (!names.has(match[1]!)) names.set(match[1]!, relative(ROOT, file));
    }
  }
  return names;
}

test('every environment variable read in src/ and examples/ is named in README.md or docs/', () => {
  const names = readNames();
  // The scan finds the settings it must (a broken pattern would pass everything).
  for (const known of ['GATEHOUSE_ISSUER', 'GATEHOUSE_RATE_LIMIT', 'LEADS_API_AUDIENCE', 'DEMO_HOST', 'PLATFORM_NAME']) assert.ok(names.has(known), `the scan finds ${known}`);
  const docs = [join(ROOT, 'README.md'), ...readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join(ROOT, 'docs', name))]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
  const missing = [...names].filter(([name]) => !docs.includes(`\`${name}\``)).map(([name, file]) => `${name} (read in ${file})`);
  assert.deepEqual(missing, [], 'each is written as `NAME` in a table or text of README.md or docs/*.md');
});
