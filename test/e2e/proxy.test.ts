// Behind a TLS-terminating proxy: URLs come from GATEHOUSE_ISSUER, never from forwarded headers, and cookies are Secure.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('behind a proxy', () => {
  let trusting: TestServer;
  let plain: TestServer;
  const publicUrl = (server: TestServer) => server.server.publicUrl;

  before(async () => {
    trusting = await startTestServer({ env: { GATEHOUSE_ISSUER: 'https://auth.example.com', GATEHOUSE_TRUST_PROXY: 'true' } });
    plain = await startTestServer();
  });
  after(async () => {
    await trusting.close();
    await plain.close();
  });

  test('discovery names the configured https issuer whatever X-Forwarded-Proto/Host say', async () => {
    for (const server of [trusting, plain]) {
      const response = await fetch(`${publicUrl(server)}/.well-known/openid-configuration`, {
        headers: { 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example' },
      });
      const metadata = await response.json() as Record<string, string>;
      assert.equal(metadata.issuer, server.issuer);
      for (const key of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'userinfo_endpoint']) {
        assert.ok(metadata[key]!.startsWith(server.issuer + '/'), `${key} derives from the issuer`);
      }
    }
  });

  test('with an https issuer, cookies carry Secure', async () => {
    const response = await fetch(`${publicUrl(trusting)}/login`, { headers: { 'x-forwarded-proto': 'https' } });
    const cookies = response.headers.getSetCookie();
    assert.ok(cookies.length > 0);
    for (const cookie of cookies) assert.match(cookie, /; Secure/i);
    const local = await fetch(`${publicUrl(plain)}/login`);
    for (const cookie of local.headers.getSetCookie()) assert.doesNotMatch(cookie, /; Secure/i, 'plain-http local runs can still sign in');
  });
});

describe('behind a proxy counted in hops', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { GATEHOUSE_TRUST_PROXY: '1' } });
  });
  after(() => server.close());

  test('the sign-in rate limit counts each forwarded client, not the proxy (Fastify ignored a bare hop count)', async () => {
    const signIn = (client: string) => fetch(`${server.server.publicUrl}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': client },
      body: 'username=a&password=b&csrf=x',
    });
    let status = 0;
    for (let attempt = 0; attempt < 25 && status !== 429; attempt++) status = (await signIn('203.0.113.7')).status;
    assert.equal(status, 429, 'one client is limited');
    assert.notEqual((await signIn('198.51.100.9')).status, 429, 'another client behind the same proxy is not');
  });
});
