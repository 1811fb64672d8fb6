// Failed client authentication is throttled per address and per client on the token, introspection and
// revocation endpoints alike, with 429 and Retry-After; time is moved on a fake clock, never waited for.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { basic, createClient, postForm } from '../helpers/fixtures.js';
import { ClientAuthThrottle, addressKey } from '../../src/http/rate-limits/index.js';

describe('client authentication throttling', () => {
  let server: TestServer;
  let clock: number;
  let xSecret: string;
  let ySecret: string;

  before(async () => {
    // One trusted proxy hop: the address is the one the loopback "proxy" appends to X-Forwarded-For.
    server = await startTestServer({ env: { GATEHOUSE_TRUST_PROXY: 'true' } });
    xSecret = (await createClient(server, { clientId: 'client-x', grantTypes: ['client_credentials'], scopes: 'read:leads' })).clientSecret!;
    ySecret = (await createClient(server, { clientId: 'client-y', grantTypes: ['client_credentials'], scopes: 'read:leads' })).clientSecret!;
  });
  after(() => server.close());
  beforeEach(() => {
    clock = 1_800_000_000_000;
    server.services.clientAuthThrottle = new ClientAuthThrottle({ clock: { now: () => clock } });
  });

  const endpoints = {
    token: { path: '/oauth2/token', form: { grant_type: 'client_credentials' } },
    introspect: { path: '/oauth2/introspect', form: { token: 'whatever' } },
    revoke: { path: '/oauth2/revoke', form: { token: 'whatever' } },
  };
  const call = (endpoint: keyof typeof endpoints, clientId: string, secret: string, from: string) =>
    postForm(`${server.issuer}${endpoints[endpoint].path}`, endpoints[endpoint].form, { authorization: basic(clientId, secret), 'x-forwarded-for': from });

  async function assertThrottled(response: Response, what: RegExp) {
    assert.equal(response.status, 429);
    assert.equal(response.headers.get('retry-after'), '60');
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json() as { error: string; error_description: string };
    assert.equal(body.error, 'temporarily_unavailable');
    assert.match(body.error_description, what);
    assert.doesNotMatch(body.error_description, /wrong|ghs_/);
  }

  test('20 wrong secrets from one address get 429 with Retry-After on token, introspection and revocation, until the window ends', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const endpoint = (['token', 'introspect', 'revoke'] as const)[attempt % 3]!;
      assert.equal((await call(endpoint, 'client-x', 'wrong', '198.51.100.7')).status, 401, `attempt ${attempt + 1} is still judged`);
    }
    for (const endpoint of ['token', 'introspect', 'revoke'] as const) {
      await assertThrottled(await call(endpoint, 'client-x', 'wrong', '198.51.100.7'), /from this address/);
      // Refused before the secret is looked at: the right one is no way around it from this address.
      await assertThrottled(await call(endpoint, 'client-x', xSecret, '198.51.100.7'), /from this address/);
    }
    // Another client from another address is not held back by the flood.
    assert.equal((await call('token', 'client-y', ySecret, '203.0.113.9')).status, 200);
    clock += 59_000;
    assert.equal((await call('token', 'client-x', xSecret, '198.51.100.7')).status, 429, 'still inside the window');
    clock += 1_000;
    assert.equal((await call('token', 'client-x', xSecret, '198.51.100.7')).status, 200, 'the window is over');
    assert.equal((await call('introspect', 'client-x', xSecret, '198.51.100.7')).status, 200);
  });

  test('100 wrong secrets for one client from many addresses throttle that client, not another client at those addresses', async () => {
    for (let i = 0; i < 100; i++) {
      assert.equal((await call('token', 'client-x', 'wrong', `10.0.${i >> 8}.${i & 255}`)).status, 401);
    }
    await assertThrottled(await call('token', 'client-x', xSecret, '203.0.113.50'), /for this client/);
    await assertThrottled(await call('revoke', 'client-x', xSecret, '203.0.113.50'), /for this client/);
    assert.equal((await call('token', 'client-y', ySecret, '10.0.0.1')).status, 200);
    clock += 60_000;
    assert.equal((await call('token', 'client-x', xSecret, '203.0.113.50')).status, 200);
  });

  test('a body client_id and made-up client ids are throttled by address, and never fill the per-client map', async () => {
    for (let i = 0; i < 20; i++) {
      const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: `ghost-${i}`, client_secret: 'x' }, { 'x-forwarded-for': '192.0.2.1' });
      assert.equal(response.status, 401);
    }
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'client-y', client_secret: ySecret }, { 'x-forwarded-for': '192.0.2.1' });
    await assertThrottled(response, /from this address/);
    assert.deepEqual(server.services.clientAuthThrottle.entries, { addresses: 1, clients: 0 });
  });

  test('the throttle remembers a bounded number of addresses, and an IPv6 host counts as its /64', () => {
    const throttle = new ClientAuthThrottle({ maxEntries: 10, clock: { now: () => clock } });
    for (let i = 0; i < 50; i++) throttle.recordFailure(`192.0.2.${i}`, 'client-x');
    assert.deepEqual(throttle.entries, { addresses: 10, clients: 1 });
    assert.equal(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:2:ffff:1:2:3'));
    assert.notEqual(addressKey('2001:db8:1:2::1'), addressKey('2001:db8:1:3::1'));
    assert.equal(addressKey('::ffff:192.0.2.1'), '192.0.2.1');
  });
});
