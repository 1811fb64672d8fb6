// Imports run one way (docs/architecture.md): http and cli on top, then the admin use cases and the protocol,
// then the domain, then the store; config and util are the ground; the resource SDK stands alone. This reads
// every src/**/*.ts, takes each relative import specifier (static, type-only, re-export and dynamic), and fails
// naming the file and the import that goes the wrong way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SRC = join(ROOT, 'src');

/** What each layer may import besides itself. A top-level file (config.ts, services.ts) is a layer of its own. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  cli: ['admin', 'domain', 'store', 'services', 'config', 'util', 'jwt', 'resource'],
  http: ['admin', 'oauth', 'domain', 'store', 'services', 'config', 'util', 'jwt', 'resource'],
  // The composition root builds every service; only the surfaces on top (http, cli) receive it.
  services: ['oauth', 'domain', 'store', 'config', 'util', 'jwt', 'resource'],
  // The use cases that the CLI and the admin API share.
  admin: ['domain', 'store', 'config', 'util', 'jwt', 'resource'],
  oauth: ['domain', 'store', 'services', 'config', 'util', 'jwt', 'resource'],
  domain: ['store', 'config', 'util', 'jwt', 'resource'],
  store: ['config', 'util'],
  config: ['util'],
  util: [],
  // The one JWT module (sign, verify, the rules): ground that the server and the SDK share, importing nothing of either.
  jwt: [],
  // The SDK is published on its own (gatehouse-oauth/resource): it reaches into nothing of the server but the ground both
  // stand on (the shared JWT rules, the clock and other dependency-free utilities); the server may use it as a library.
  resource: ['jwt', 'util'],
};

/**
 * Imports that go against MAY_IMPORT and are known: each with why it is there. An entry that no longer matches
 * an import fails the test, so the list only ever shrinks and always shows what is left to do.
 */
const ALLOWED: ReadonlyArray<{ from: string; to: string; why: string }> = [
  {
    from: 'src/cli/commands/serve.ts',
    to: 'src/http/server.ts',
    why: 'by design: `gatehouse serve` is what starts the web server; it loads the HTTP layer through its one entry point, lazily',
  },
  {
    from: 'src/domain/token-inspection.ts',
    to: 'src/services.ts',
    why: 'to do: takes a Pick of the services bag; goes with the one JWT module (issue 11, item 5) and narrow interfaces (item 1)',
  },
  {
    from: 'src/config.ts',
    to: 'src/domain/password-check-limit.ts',
    why: 'to do: the password-check defaults live with the limiter; they belong in config.ts, which the limiter should read',
  },
];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Repository-relative, with forward slashes: "src/domain/clients.ts". */
const repoPath = (absolute: string): string => relative(ROOT, absolute).split('\\').join('/');

/** "src/domain/clients.ts" → "domain"; "src/config.ts" → "config". */
function layerOf(path: string): string {
  const [, first = ''] = path.split('/');
  return path.split('/').length > 2 ? first : first.replace(/\.ts$/, '');
}

// `from '…'` (imports and re-exports, type-only too), `import '…'` and `import('…')`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"](\.{1,2}\/[^'"]+)['"]/g;

function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const targets = [...text.matchAll(SPECIFIER)].map((match) => posix.join(posix.dirname(file), match[1]!).replace(/\.js$/, '.ts'));
  return [...new Set(targets)];
}

const files = sourceFiles(SRC).map(repoPath).sort();

test('every source file belongs to a known layer', () => {
  const unknown = files.filter((file) => !(layerOf(file) in MAY_IMPORT));
  assert.deepEqual(unknown, [], 'give each new top-level file or folder of src/ a layer in MAY_IMPORT (test/architecture/imports.test.ts) and docs/architecture.md');
});

test('imports go only downward: domain never reaches oauth, http or cli; the store never reaches domain; the SDK stands alone', () => {
  const wrong: string[] = [];
  const used = new Set<string>();
  for (const file of files) {
    const from = layerOf(file);
    for (const target of relativeImports(file)) {
      const to = layerOf(target);
      if (to === from || MAY_IMPORT[from]?.includes(to)) continue;
      const allowed = ALLOWED.find((entry) => entry.from === file && entry.to === target);
      if (allowed) used.add(`${allowed.from} -> ${allowed.to}`);
      else wrong.push(`${file} imports ${target} (${from} -> ${to})`);
    }
  }
  assert.deepEqual(wrong, [], `imports that go the wrong way:\n  ${wrong.join('\n  ')}`);
  const stale = ALLOWED.map((entry) => `${entry.from} -> ${entry.to}`).filter((entry) => !used.has(entry));
  assert.deepEqual(stale, [], 'these allowed imports are gone: delete their entries from ALLOWED');
});

test('the checker sees every kind of import it claims to', () => {
  const sample = [
    "import { a } from '../oauth/scopes.js';",
    "import type { B } from '../http/admin/views.js';",
    "export { c } from './c.js';",
    "const d = await import('../../http/server.js');",
    "import '../side-effect.js';",
    "import {\n  e,\n} from '../multi-line.js';",
    "import { f } from 'node:fs';",
  ].join('\n');
  const found = [...sample.matchAll(SPECIFIER)].map((match) => match[1]);
  assert.deepEqual(found, ['../oauth/scopes.js', '../http/admin/views.js', './c.js', '../../http/server.js', '../side-effect.js', '../multi-line.js']);
});
