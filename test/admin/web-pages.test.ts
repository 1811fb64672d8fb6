// Web pages cannot drive the admin API: what a hostile page can make a browser send (a no-cors POST with a
// text/plain body or none, a DNS-rebound Host, an Origin, Sec-Fetch-Site) is refused before anything changes,
// while programs (curl, SDKs, the Hydra login/consent apps) that send JSON keep working without a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import { adminFixture, type AdminFixture } from './helpers.js';

const CALLBACK = 'https://zapier.com/oauth/callback';
const JSON_TYPE = { 'content-type': 'application/json' };

interface ErrorBody {
  error: string;
  error_description: string;
}

describe('admin API: requests from web pages', () => {
  let admin: AdminFixture;
  let base: string;
  before(async () => {
    admin = await adminFixture();
    await admin.services.clients.create({ name: 'Zapier', clientId: 'zapier-client', redirectUris: [CALLBACK] });
    await admin.services.accounts.createUser({ username: 'demo', password: 'demo-password' });
    base = await admin.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => admin.close());

  const secretHash = async () => (await admin.services.store.getClient('zapier-client'))?.secretHash;
  const keyIds = async () => (await admin.services.store.listSigningKeys(admin.services.now())).map((key) => key.kid).sort();

  test('a POST or DELETE that is not JSON (text/plain, a form, no body) is 415 naming the Content-Type, and changes nothing', async () => {
    const secret = await secretHash();
    const keys = await keyIds();
    const attempts: Array<{ method: string; path: string; headers?: Record<string, string>; body?: string; got: RegExp }> = [
      { method: 'POST', path: '/admin/clients/zapier-client/rotate-secret', got: /got no Content-Type/ },
      { method: 'POST', path: '/admin/clients/zapier-client/rotate-secret', headers: { 'content-type': 'text/plain' }, body: '{}', got: /got "text\/plain"/ },
      { method: 'POST', path: '/admin/keys/rotate', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: '', got: /got "text\/plain;charset=UTF-8"/ },
      { method: 'POST', path: '/admin/keys/rotate', got: /got no Content-Type/ },
      { method: 'POST', path: '/admin/users', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=x&password=yyyyyyyy', got: /x-www-form-urlencoded/ },
      { method: 'PUT', path: '/admin/users/demo/password', headers: { 'content-type': 'text/plain' }, body: '{"password":"attacker-password"}', got: /text\/plain/ },
      { method: 'DELETE', path: '/admin/clients/zapier-client', got: /got no Content-Type/ },
    ];
    for (const attempt of attempts) {
      const init: RequestInit = { method: attempt.method };
      if (attempt.headers) init.headers = attempt.headers;
      if (attempt.body !== undefined) init.body = attempt.body;
      const response = await fetch(`${base}${attempt.path}`, init);
      assert.equal(response.status, 415, `${attempt.method} ${attempt.path}`);
      const body = (await response.json()) as ErrorBody;
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, /must be sent with "Content-Type: application\/json"/);
      assert.match(body.error_description, attempt.got);
    }
    assert.equal(await secretHash(), secret, 'the client secret was not rotated');
    assert.deepEqual(await keyIds(), keys, 'no key was made');
    assert.ok(await admin.services.store.getClient('zapier-client'), 'the client was not deleted');
    assert.ok(await admin.services.accounts.checkPassword('demo', 'demo-password'), 'the password was not changed');
    assert.equal(await admin.services.store.getUserByUsername('x'), undefined);
  });

  test('bodiless changes sent as JSON with an empty body work: rotate-secret, keys rotate, DELETE', async () => {
    const secret = await secretHash();
    const rotated = await fetch(`${base}/admin/clients/zapier-client/rotate-secret`, { method: 'POST', headers: JSON_TYPE });
    assert.equal(rotated.status, 200, await rotated.clone().text());
    assert.notEqual(await secretHash(), secret);
    const keys = await fetch(`${base}/admin/keys/rotate`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: '' });
    assert.equal(keys.status, 200, await keys.clone().text());
    assert.equal(((await keys.json()) as { rotated: unknown[] }).rotated.length, 2);
    // A PUT with a JSON body, as Hydra's SDK sends to the login and consent apps' admin calls.
    const password = await fetch(`${base}/admin/users/demo/password`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify({ password: 'new-demo-password' }) });
    assert.equal(password.status, 204);
    await admin.services.clients.create({ name: 'Temp', clientId: 'temp-client', redirectUris: [CALLBACK] });
    const deleted = await fetch(`${base}/admin/clients/temp-client`, { method: 'DELETE', headers: JSON_TYPE });
    assert.equal(deleted.status, 204);
    // An empty body is still not an object where one is required.
    const empty = await fetch(`${base}/admin/users`, { method: 'POST', headers: JSON_TYPE });
    assert.equal(empty.status, 400);
    assert.match(((await empty.json()) as ErrorBody).error_description, /body must be object/);
  });

  test('a Host that is not an admin name (DNS rebinding) is 421 naming the host, on every route; probes still answer', async () => {
    const secret = await secretHash();
    for (const host of ['evil.example:4445', 'evil.example', 'localhost.evil.example', '127.0.0.1.nip.io:4445', '[::2]:4445', 'local host']) {
      for (const [method, url] of [['GET', '/admin/clients'], ['POST', '/admin/clients/zapier-client/rotate-secret'], ['GET', '/metrics'], ['GET', '/admin/nothing']] as const) {
        const response = await admin.app.inject({ method, url, headers: { host, ...JSON_TYPE } });
        assert.equal(response.statusCode, 421, `${host} ${method} ${url}`);
        const body = response.json<ErrorBody>();
        assert.equal(body.error, 'misdirected_request');
        assert.ok(body.error_description.includes(JSON.stringify(host)), body.error_description);
        assert.match(body.error_description, /GATEHOUSE_ADMIN_HOSTNAMES/);
      }
    }
    assert.equal(await secretHash(), secret);
    for (const host of ['localhost:4445', 'LOCALHOST', '127.0.0.1:4445', '[::1]:4445', '[::1]']) {
      const response = await admin.app.inject({ method: 'GET', url: '/admin/clients', headers: { host } });
      assert.equal(response.statusCode, 200, host);
    }
    // Load balancers and orchestrators probe by address: the probes answer whatever the Host.
    const health = await admin.app.inject({ method: 'GET', url: '/healthz', headers: { host: '10.1.2.3:4445' } });
    assert.equal(health.statusCode, 200);
  });

  test('any Origin, or Sec-Fetch-Site cross-site or same-site, is 403, probes included; same-origin and none pass', async () => {
    const secret = await secretHash();
    const refused: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'null' },
      { origin: base },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refused) {
      for (const [method, url] of [['POST', '/admin/clients/zapier-client/rotate-secret'], ['GET', '/admin/clients'], ['GET', '/healthz']] as const) {
        const response = await fetch(`${base}${url}`, { method, headers: { ...headers, ...JSON_TYPE } });
        assert.equal(response.status, 403, `${JSON.stringify(headers)} ${method} ${url}`);
        const body = (await response.json()) as ErrorBody;
        assert.equal(body.error, 'forbidden');
        assert.match(body.error_description, /does not answer requests from web pages \((Origin|Sec-Fetch-Site)/);
      }
    }
    assert.equal(await secretHash(), secret);
    for (const site of ['same-origin', 'none']) {
      const response = await fetch(`${base}/admin/clients`, { headers: { 'sec-fetch-site': site } });
      assert.equal(response.status, 200, site);
    }
  });
});

describe('admin host names', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture({ GATEHOUSE_ADMIN_HOSTNAMES: 'gatehouse-admin, Admin.Internal.Example,10.0.1.17,fd00::17' });
  });
  after(() => admin.close());

  test('GATEHOUSE_ADMIN_HOSTNAMES adds names to the loopback ones', async () => {
    for (const host of ['gatehouse-admin:4445', 'admin.internal.example', '10.0.1.17:4445', '[fd00::17]:4445', 'localhost:4445']) {
      const response = await admin.app.inject({ method: 'GET', url: '/admin/clients', headers: { host } });
      assert.equal(response.statusCode, 200, host);
    }
    const other = await admin.app.inject({ method: 'GET', url: '/admin/clients', headers: { host: 'gatehouse-admin.evil.example' } });
    assert.equal(other.statusCode, 421);
  });

  test('GATEHOUSE_ADMIN_HOST is an admin name when it names an interface, not when it is a wildcard', () => {
    const env = { GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_ADMIN_TOKEN: 'a-long-admin-token' };
    assert.deepEqual(loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:' }).adminHostnames, ['localhost', '127.0.0.1', '[::1]']);
    assert.deepEqual(loadConfig({ ...env, GATEHOUSE_ADMIN_HOST: '10.0.1.17' }).adminHostnames, ['localhost', '127.0.0.1', '[::1]', '10.0.1.17']);
    assert.deepEqual(loadConfig({ ...env, GATEHOUSE_ADMIN_HOST: '0.0.0.0' }).adminHostnames, ['localhost', '127.0.0.1', '[::1]']);
    assert.deepEqual(loadConfig({ ...env, GATEHOUSE_ADMIN_HOST: '::' }).adminHostnames, ['localhost', '127.0.0.1', '[::1]']);
  });

  test('a GATEHOUSE_ADMIN_HOSTNAMES entry that is not a host name stops start-up naming the setting and the entry', () => {
    for (const bad of ['http://admin.example', 'admin.example:4445', '*.example', 'under_score', '0.0.0.0', 'a b']) {
      assert.throws(
        () => loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:', GATEHOUSE_ADMIN_HOSTNAMES: `admin.example,${bad}` }),
        (error: Error) => error.message.startsWith('GATEHOUSE_ADMIN_HOSTNAMES must be') && error.message.includes(`got "${bad}"`),
        bad,
      );
    }
  });
});
