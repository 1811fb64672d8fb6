// Misconfigurations that would fail every request later are refused at start, with a message naming the setting.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig, ConfigError } from '../../src/config.js';
import { startTestServer, TEST_SECRET } from '../helpers/server.js';

test('an instance whose GATEHOUSE_SECRET cannot open the signing keys refuses to start', async () => {
  const first = await startTestServer();
  const databaseUrl = first.config.databaseUrl;
  await first.server.close();
  await first.services.store.close();
  await assert.rejects(
    startTestServer({ databaseUrl, env: { GATEHOUSE_SECRET: 'another-secret-' + TEST_SECRET } }),
    (error: Error) => error instanceof ConfigError && /GATEHOUSE_SECRET cannot open the signing keys/.test(error.message),
  );
  const again = await startTestServer({ databaseUrl });
  await again.close();
});

test('an admin API beyond loopback needs GATEHOUSE_ADMIN_TOKEN', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_ADMIN_HOST: '0.0.0.0' };
  assert.throws(() => loadConfig(env), /GATEHOUSE_ADMIN_HOST is "0.0.0.0".*GATEHOUSE_ADMIN_TOKEN/);
  assert.equal(loadConfig({ ...env, GATEHOUSE_ADMIN_TOKEN: 'a-long-admin-token' }).adminHost, '0.0.0.0');
});

test('GATEHOUSE_TRUST_PROXY trusts a number of hops or named proxies, never everything', () => {
  const trust = (value: string) => loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_TRUST_PROXY: value }).trustProxy;
  assert.equal(trust('false'), false);
  assert.equal(trust('true'), 1);
  assert.equal(trust('2'), 2);
  assert.equal(trust('10.0.0.0/8, 192.168.1.1'), '10.0.0.0/8, 192.168.1.1');
  assert.throws(() => trust('everyone'), /GATEHOUSE_TRUST_PROXY must be/);
});

test('GATEHOUSE_PASSWORD_CHECKS and GATEHOUSE_PASSWORD_CHECK_QUEUE take whole numbers; a bad value names the setting', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  const defaults = loadConfig(env);
  assert.ok(defaults.passwordChecks >= 1);
  assert.equal(defaults.passwordCheckQueue, 16);
  const set = loadConfig({ ...env, GATEHOUSE_PASSWORD_CHECKS: '3', GATEHOUSE_PASSWORD_CHECK_QUEUE: '0' });
  assert.deepEqual([set.passwordChecks, set.passwordCheckQueue], [3, 0]);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_PASSWORD_CHECKS: '0' }), /GATEHOUSE_PASSWORD_CHECKS must be a positive whole number/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_PASSWORD_CHECK_QUEUE: '-1' }), /GATEHOUSE_PASSWORD_CHECK_QUEUE must be a whole number/);
});

test('GATEHOUSE_DEVICE_CODE_TTL is a duration of at least a second, 10 minutes by default; a bad value names the setting', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  assert.equal(loadConfig(env).deviceCodeTtlSeconds, 600);
  assert.equal(loadConfig({ ...env, GATEHOUSE_DEVICE_CODE_TTL: '15m' }).deviceCodeTtlSeconds, 900);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_DEVICE_CODE_TTL: '0s' }), /GATEHOUSE_DEVICE_CODE_TTL must be at least 1s/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_DEVICE_CODE_TTL: 'soon' }), /GATEHOUSE_DEVICE_CODE_TTL must be a duration/);
});

test('GATEHOUSE_UNREGISTERED_RESOURCES is refuse (default) or allow; anything else names the setting', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  assert.equal(loadConfig(env).unregisteredResources, 'refuse');
  assert.equal(loadConfig({ ...env, GATEHOUSE_UNREGISTERED_RESOURCES: 'allow' }).unregisteredResources, 'allow');
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_UNREGISTERED_RESOURCES: 'yes' }), /GATEHOUSE_UNREGISTERED_RESOURCES must be refuse or allow, got "yes"/);
});

test('GATEHOUSE_FETCH_*: loopback off, 5 s and no extra CA by default; bad values name the setting', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  const defaults = loadConfig(env).outbound;
  assert.deepEqual({ allowLoopback: defaults.allowLoopback, ca: defaults.ca, timeoutMs: defaults.timeoutMs }, { allowLoopback: false, ca: undefined, timeoutMs: 5000 });
  assert.equal(loadConfig({ ...env, GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'true' }).outbound.allowLoopback, true);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'yes' }), /GATEHOUSE_FETCH_ALLOW_LOOPBACK must be true or false/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_FETCH_TIMEOUT: '2m' }), /GATEHOUSE_FETCH_TIMEOUT must be at most 30s/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_FETCH_CA_FILE: '/nonexistent/ca.pem' }), /GATEHOUSE_FETCH_CA_FILE cannot be read \(ENOENT\)/);
});

test('GATEHOUSE_CLIENT_METADATA is on (default) or off; GATEHOUSE_CLIENT_METADATA_HOSTS must be host names', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  assert.deepEqual(loadConfig(env).clientMetadata, { enabled: true, hosts: [] });
  assert.deepEqual(loadConfig({ ...env, GATEHOUSE_CLIENT_METADATA: 'off', GATEHOUSE_CLIENT_METADATA_HOSTS: 'VSCode.dev, claude.ai' }).clientMetadata, { enabled: false, hosts: ['vscode.dev', 'claude.ai'] });
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_CLIENT_METADATA: 'maybe' }), /GATEHOUSE_CLIENT_METADATA must be on or off/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_CLIENT_METADATA_HOSTS: 'https://vscode.dev' }), /GATEHOUSE_CLIENT_METADATA_HOSTS must be comma-separated host names/);
});

test('GATEHOUSE_REGISTRATION is off (default), open or token; its TTL, rate limit and scopes are checked at start', () => {
  const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
  assert.deepEqual(loadConfig(env).registration, { mode: 'off', unusedTtlSeconds: 86400, perAddressPerHour: 20, scopes: undefined, softwareStatementKeys: undefined });
  assert.deepEqual(
    loadConfig({ ...env, GATEHOUSE_REGISTRATION: 'token', GATEHOUSE_REGISTRATION_UNUSED_TTL: '7d', GATEHOUSE_REGISTRATION_RATE_LIMIT: '0', GATEHOUSE_REGISTRATION_SCOPES: 'openid read:leads, read:leads' }).registration,
    { mode: 'token', unusedTtlSeconds: 7 * 86400, perAddressPerHour: 0, scopes: ['openid', 'read:leads'], softwareStatementKeys: undefined },
  );
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION: 'on' }), /GATEHOUSE_REGISTRATION must be off, open or token, got "on"/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION_UNUSED_TTL: '30s' }), /GATEHOUSE_REGISTRATION_UNUSED_TTL must be at least 1m/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION_UNUSED_TTL: 'a week' }), /GATEHOUSE_REGISTRATION_UNUSED_TTL must be a duration/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION_RATE_LIMIT: '-1' }), /GATEHOUSE_REGISTRATION_RATE_LIMIT must be a whole number/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION_SCOPES: 'openid "quoted"' }), /GATEHOUSE_REGISTRATION_SCOPES must be scopes separated by spaces/);
  assert.throws(() => loadConfig({ ...env, GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS: '/no/such/file.json' }), /GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS names "\/no\/such\/file.json", which cannot be read as JSON/);
});

test('branding in GATEHOUSE_CONFIG: each field is checked at start, since each lands in a page (text, image, CSS, link)', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-branding-config-'));
  try {
    const withBranding = (branding: unknown) => {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ branding }));
      return loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_CONFIG: file }).branding;
    };
    assert.deepEqual(loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:' }).branding, { name: 'Gatehouse' });
    const logo = `data:image/png;base64,${Buffer.from('png').toString('base64')}`;
    assert.deepEqual(withBranding({ name: ' Acme ', logo, primaryColor: '#0F766E', supportUrl: 'https://help.acme.example', privacyUrl: 'https://acme.example/privacy' }), {
      name: 'Acme', logo, primaryColor: '#0f766e', supportUrl: 'https://help.acme.example/', privacyUrl: 'https://acme.example/privacy',
    });
    const refused: Array<[unknown, RegExp]> = [
      ['Acme', /"branding" in the config file must be an object/],
      [{ colour: '#fff' }, /"branding\.colour" in the config file is not a branding setting/],
      [{ name: '' }, /"branding\.name" in the config file must be a non-empty string/],
      [{ name: 'x'.repeat(61) }, /"branding\.name" .* at most 60 characters/],
      [{ name: 'Acme\nInc' }, /"branding\.name" .* no control characters/],
      // Into CSS: only #rrggbb, so nothing can close the declaration.
      [{ primaryColor: 'red;}body{display:none' }, /"branding\.primaryColor" .* #rrggbb/],
      [{ primaryColor: '#fff' }, /"branding\.primaryColor" .* #rrggbb/],
      // From another site the pages' policy (img-src 'self' data:) would block it; a script URL is never an image.
      [{ logo: 'https://acme.example/logo.png' }, /"branding\.logo" .* data:image/],
      [{ logo: 'data:text/html;base64,PGI+' }, /"branding\.logo" .* data:image/],
      [{ logo: `data:image/png;base64,${'A'.repeat(70_000)}` }, /"branding\.logo" .* 64 KiB/],
      [{ supportUrl: 'javascript:alert(1)' }, /"branding\.supportUrl" .* https URL/],
      [{ privacyUrl: '/privacy' }, /"branding\.privacyUrl" .* absolute https URL/],
    ];
    for (const [branding, message] of refused) {
      assert.throws(() => withBranding(branding), (error: Error) => error instanceof ConfigError && message.test(error.message), JSON.stringify(branding).slice(0, 60));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
