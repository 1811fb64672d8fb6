// A browser-based public client on another origin reads discovery, JWKS, the token, revocation and userinfo
// endpoints from a real Chromium, preflights included; introspection stays closed to it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { startTestServer, freePort, type TestServer } from '../helpers/server.js';
import { basic, createClient } from '../helpers/fixtures.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();

describe('CORS for a browser-based client', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let spa: Server;
  let spaUrl: string;
  let authorization: string;
  const preflights: string[] = [];

  before(async () => {
    server = await startTestServer();
    authorization = basic('spa', (await createClient(server, { clientId: 'spa', grantTypes: ['client_credentials'], scopes: 'read:leads' })).clientSecret!);
    server.server.publicApp.server.on('request', (request: IncomingMessage) => {
      if (request.method === 'OPTIONS') preflights.push(request.url!);
    });
    const port = await freePort();
    // Another origin (another port, and localhost instead of 127.0.0.1).
    spaUrl = `http://localhost:${port}/`;
    spa = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>SPA</title>'));
    await new Promise<void>((resolve) => spa.listen(port, '127.0.0.1', resolve));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    spa?.close();
    await server?.close();
  });

  test('the page reads discovery, JWKS, token, revocation and userinfo answers cross-origin, but not introspection', async () => {
    const page = await browser.newPage();
    await page.goto(spaUrl);
    // A string, not a function: the test runner's compiler would add helpers the page does not have.
    type Result = { status?: number; challenge?: string | null; body?: string; failed?: string };
    const r = await page.evaluate(`(async () => {
      const issuer = ${JSON.stringify(server.issuer)};
      const attempt = async (url, init) => {
        try {
          const response = await fetch(url, init);
          return { status: response.status, challenge: response.headers.get('www-authenticate'), body: await response.text() };
        } catch (error) {
          return { failed: String(error) };
        }
      };
      // Authorization and DPoP are not CORS-safelisted headers: each POST below needs a preflight first. The token
      // endpoint checks a DPoP header (a made-up one is invalid_dpop_proof), so only revocation gets one here.
      const post = (path, body, extra = {}) => attempt(issuer + path, {
        method: 'POST', body, headers: { authorization: ${JSON.stringify(authorization)}, 'content-type': 'application/x-www-form-urlencoded', ...extra },
      });
      return {
        discovery: await attempt(issuer + '/.well-known/openid-configuration'),
        oauthMetadata: await attempt(issuer + '/.well-known/oauth-authorization-server'),
        jwks: await attempt(issuer + '/.well-known/jwks.json'),
        token: await post('/oauth2/token', 'grant_type=client_credentials'),
        revoke: await post('/oauth2/revoke', 'token=unknown', { dpop: 'not-used' }),
        userinfo: await attempt(issuer + '/userinfo', { headers: { authorization: 'Bearer not-a-token' } }),
        introspect: await post('/oauth2/introspect', 'token=unknown'),
        credentialed: await attempt(issuer + '/.well-known/jwks.json', { credentials: 'include' }),
      };
    })()`) as Record<'discovery' | 'oauthMetadata' | 'jwks' | 'token' | 'revoke' | 'userinfo' | 'introspect' | 'credentialed', Result>;
    assert.equal(r.discovery.status, 200);
    assert.equal(JSON.parse(r.discovery.body!).issuer, server.issuer);
    assert.equal(r.oauthMetadata.status, 200);
    assert.equal(r.jwks.status, 200);
    assert.equal(r.token.status, 200);
    assert.ok(JSON.parse(r.token.body!).access_token);
    assert.equal(r.revoke.status, 200);
    assert.equal(r.userinfo.status, 401);
    assert.match(r.userinfo.challenge!, /^Bearer .*error="invalid_token"/, 'the challenge is readable cross-origin');
    assert.match(r.introspect.failed!, /TypeError/, 'introspection is not for browsers');
    assert.match(r.credentialed.failed!, /TypeError/, 'never with credentials');
    assert.ok(preflights.includes('/oauth2/token') && preflights.includes('/oauth2/revoke') && preflights.includes('/userinfo'), `preflights: ${preflights.join(', ')}`);
    await page.close();
  });
});
