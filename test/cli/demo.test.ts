// `npm run demo` (examples/demo.ts) keeps to its own folder, never rotates a client secret it did not just make,
// and a taken port is the same one line `npm start` (gatehouse serve) prints.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { DemoError, demoSettings, startDemo } from '../../examples/demo.js';
import { sha256Hex } from '../../src/domain/crypto.js';
import { builtCli } from '../helpers/built-cli.js';
import { freePort, TEST_SECRET } from '../helpers/server.js';
import { runCli } from './helpers.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

async function demoEnv(dataDir: string): Promise<Record<string, string>> {
  const port = await freePort();
  return {
    GATEHOUSE_PORT: String(port),
    GATEHOUSE_ADMIN_PORT: String(await freePort()),
    GATEHOUSE_ISSUER: `http://localhost:${port}`,
    GATEHOUSE_SECRET: TEST_SECRET,
    GATEHOUSE_LOG_LEVEL: 'silent',
    LEADS_API_PORT: String(await freePort()),
    LEADS_MCP_PORT: String(await freePort()),
    INTEGRATION_APP_PORT: String(await freePort()),
    DEMO_DATA: dataDir,
  };
}

/** `npm run demo`: the built dist/examples/demo.js, run to completion. */
function runDemo(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  builtCli();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'dist/examples/demo.js')], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.resume();
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stderr }));
  });
}

describe('npm run demo', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-'));
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('its data lives in its own folder (./data/demo by default), whatever GATEHOUSE_DATABASE_URL says', () => {
    const settings = demoSettings({ GATEHOUSE_DATABASE_URL: 'sqlite:./data/gatehouse.db' });
    assert.equal(settings.dataDir, resolve('data/demo'));
    assert.equal(settings.databaseUrl, `sqlite:${resolve('data/demo/gatehouse.db')}`);
    assert.equal(settings.platform.database, resolve('data/demo/platform.db'));
    assert.equal(demoSettings({ DEMO_DATABASE_URL: 'postgres://db.example/demo' }).databaseUrl, 'postgres://db.example/demo');
  });

  test('a second run keeps the clients\' secrets (read back from its folder) instead of rotating them', async () => {
    const env = await demoEnv(dataDir);
    const first = await startDemo(env);
    let hashes: Array<string | null | undefined>;
    try {
      hashes = await Promise.all(['leadsync', 'leads-api'].map(async (id) => (await first.services.store.getClient(id))?.secretHash));
    } finally {
      await first.close();
    }
    assert.ok(existsSync(join(dataDir, 'gatehouse.db')), 'its database is in its folder');
    const secretsFile = join(dataDir, 'client-secrets.json');
    assert.equal(statSync(secretsFile).mode & 0o777, 0o600, 'the secrets file is readable by its owner only');
    const secrets = JSON.parse(readFileSync(secretsFile, 'utf8')) as Record<string, string>;
    assert.deepEqual(hashes, [sha256Hex(secrets.leadsync!), sha256Hex(secrets['leads-api']!)]);

    const second = await startDemo(await demoEnv(dataDir));
    try {
      for (const [i, id] of ['leadsync', 'leads-api'].entries()) {
        assert.equal((await second.services.store.getClient(id))?.secretHash, hashes[i], `${id}: same secret`);
      }
      // The leads API authenticates with the kept secret: introspection answers rather than 401.
      const introspection = await fetch(`${second.issuer}/oauth2/introspect`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`leads-api:${secrets['leads-api']}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'token=not-a-token',
      });
      assert.equal(introspection.status, 200);
    } finally {
      await second.close();
    }
  });

  test('an existing client whose secret it does not have is an error, not a rotation', async () => {
    rmSync(join(dataDir, 'client-secrets.json'));
    const env = await demoEnv(dataDir);
    await assert.rejects(startDemo(env), (error: unknown) => {
      assert.ok(error instanceof DemoError);
      assert.match(error.message, /^client "leadsync" already exists in the demo's database but its secret is not in .*client-secrets\.json; the demo never rotates/);
      return true;
    });
    // Everything it had opened is closed again: the port it would have served on is free.
    const probe = createServer();
    await new Promise<void>((ok, fail) => probe.once('error', fail).listen(Number(env.GATEHOUSE_PORT), '127.0.0.1', ok));
    await new Promise((ok) => probe.close(ok));
  });
});

describe('npm run demo with a port in use', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-demo-port-'));
  let taken: Server;
  let port: number;
  before(async () => {
    taken = createServer();
    await new Promise<void>((ok) => taken.listen(0, '127.0.0.1', ok));
    port = (taken.address() as { port: number }).port;
  });
  after(async () => {
    await new Promise((ok) => taken.close(ok));
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('prints the one-line error npm start prints, exit 1', async () => {
    const env = { ...(await demoEnv(dataDir)), GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_ADMIN_HOST: '127.0.0.1', GATEHOUSE_PORT: String(port) };
    const demo = await runDemo(env);
    const serve = await runCli(['serve'], { ...env, GATEHOUSE_DATABASE_URL: `sqlite:${join(dataDir, 'serve.db')}` });
    const expected = `error: cannot listen on 127.0.0.1:${port}: it is already in use; change GATEHOUSE_PORT\n`;
    assert.equal(serve.code, 1);
    assert.equal(serve.stderr, expected);
    assert.equal(demo.code, 1);
    assert.equal(demo.stderr, expected, 'the same line as npm start');
  });
});
