// A production install from the package tarball, as an operator or an API's developer does it: `npm pack` here, then in an
// empty folder elsewhere `npm install --omit=dev <tarball>`. The tarball carries the built code, so the `gatehouse` command
// and the SDK subpath work with no build step and no dev dependency (no TypeScript, no tsx) in that folder.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { reservePorts, startInstance } from '../helpers/processes.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const run = promisify(execFile);
const NPM_FLAGS = ['--no-audit', '--no-fund', '--loglevel=error'];
const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };

describe('the package tarball, installed in an empty folder with --omit=dev', { timeout: 180_000 }, () => {
  let dir: string;
  let app: string;
  let files: string[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-install-'));
    // `npm pack` runs `prepare` (the incremental build), so the tarball holds this checkout's code as it is now.
    const packed = await run('npm', ['pack', '--json', '--pack-destination', dir, ...NPM_FLAGS], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>;
    files = info!.files.map((file) => file.path);
    const tarball = join(dir, info!.filename);

    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'install-check', private: true }));
    // Offline from npm's cache (the checkout's own install filled it) so the test needs no network; --prefer-offline when
    // this machine's cache lacks a package's metadata. Install scripts are off: better-sqlite3's would try to download a
    // prebuilt binary and then compile for minutes; its binary is copied from the checkout below instead (same version).
    const install = (mode: string) => run('npm', ['install', '--omit=dev', mode, '--ignore-scripts', ...NPM_FLAGS, tarball], { cwd: app, maxBuffer: 16 * 1024 * 1024 });
    try {
      await install('--offline');
    } catch (error) {
      if (!/ENOTCACHED/.test(String((error as { stderr?: string }).stderr))) throw error;
      await install('--prefer-offline');
    }
    const sqlite = (base: string) => join(base, 'node_modules/better-sqlite3');
    const version = (base: string) => (JSON.parse(readFileSync(join(sqlite(base), 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(version(app), version(ROOT), 'the installed better-sqlite3 is the version the checkout built');
    mkdirSync(join(sqlite(app), 'build/Release'), { recursive: true });
    copyFileSync(join(sqlite(ROOT), 'build/Release/better_sqlite3.node'), join(sqlite(app), 'build/Release/better_sqlite3.node'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the tarball holds the built code and its types, and no sources, tests, benchmarks or build leftovers', () => {
    for (const needed of ['package.json', 'README.md', 'dist/src/cli/main.js', 'dist/src/resource/index.js', 'dist/src/resource/index.d.ts']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    const unwanted = files.filter((path) => /^(src|test|bench|examples|scripts|dist\/examples|dist\/test)\/|\.map$|\.tsbuildinfo$|\.built-for-tests$|^tsconfig/.test(path));
    assert.deepEqual(unwanted, []);
  });

  test('no dev dependency is installed: no TypeScript, no tsx', () => {
    assert.ok(existsSync(join(app, 'node_modules', packageJson.name, 'dist/src/cli/main.js')));
    for (const dev of ['typescript', 'tsx', '@types/node', 'oidc-provider']) {
      assert.equal(existsSync(join(app, 'node_modules', dev)), false, `${dev} is not installed`);
    }
  });

  test('node_modules/.bin/gatehouse is the command', async () => {
    const { stdout } = await run(join(app, 'node_modules/.bin/gatehouse'), ['--help'], { cwd: app });
    for (const command of ['serve', 'migrate', 'clients', 'users', 'keys']) assert.match(stdout, new RegExp(`\\b${command}\\b`));
    const version = await run(join(app, 'node_modules/.bin/gatehouse'), ['--version'], { cwd: app });
    assert.equal(version.stdout.trim(), packageJson.version);
  });

  test('gatehouse serve starts on a new SQLite file and answers discovery', async () => {
    const [ports] = await reservePorts(1);
    const issuer = `http://127.0.0.1:${ports!.port}`;
    const instance = await startInstance('installed', ports!, {
      GATEHOUSE_DATABASE_URL: `sqlite:${join(dir, 'data', 'gatehouse.db')}`,
      GATEHOUSE_SECRET: 'install-test-secret-0123456789-abcdefghij',
      GATEHOUSE_ISSUER: issuer,
    }, 30_000, { path: join(app, 'node_modules/.bin/gatehouse'), cwd: app });
    try {
      const metadata = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json() as { issuer: string; token_endpoint: string };
      assert.equal(metadata.issuer, issuer);
      assert.equal(metadata.token_endpoint, `${issuer}/oauth2/token`);
      const jwks = await (await fetch(`${issuer}/.well-known/jwks.json`)).json() as { keys: unknown[] };
      assert.ok(jwks.keys.length > 0, 'signing keys were made in the new database');
    } finally {
      await instance.stop();
    }
  });

  test('prepare skips the build, and fails nothing, where TypeScript is not installed (npm ci --omit=dev in a checkout)', async () => {
    const bare = join(dir, 'bare-checkout');
    mkdirSync(join(bare, 'scripts'), { recursive: true });
    copyFileSync(join(ROOT, 'scripts/build.mjs'), join(bare, 'scripts/build.mjs'));
    const { stderr } = await run(process.execPath, ['scripts/build.mjs'], { cwd: bare });
    assert.match(stderr, /TypeScript is not installed/);
    assert.equal(existsSync(join(bare, 'dist')), false);
  });

  test(`import('${packageJson.name}/resource') resolves in that folder and gives the SDK`, async () => {
    const script = `const sdk = await import('${packageJson.name}/resource'); console.log(JSON.stringify(Object.keys(sdk).sort()));`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    const names = JSON.parse(stdout) as string[];
    for (const name of ['createTokenVerifier', 'createFastifyAuth', 'createExpressAuth', 'createFetchAuth']) assert.ok(names.includes(name), `${name} is exported`);
  });
});
