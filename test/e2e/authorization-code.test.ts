// The authorization code flow with a real OAuth client (openid-client), over real HTTP.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser, oidcClient } from '../helpers/fixtures.js';

await describeOnBackends('authorization code flow', (backend) => {
  let server: TestServer;
  let confidential: { clientId: string; secret: string };
  let publicClientId: string;
  let userId: string;

  before(async () => {
    server = await startTestServer({ backend });
    userId = (await createUser(server, USER, { email: 'alice@example.com', name: 'Alice' })).id;
    const made = await createClient(server, { clientId: 'zapier-client', scopes: 'openid profile email read:leads write:leads' });
    confidential = { clientId: made.client.clientId, secret: made.clientSecret! };
    const pub = await createClient(server, { name: 'CLI tool', clientId: 'cli-tool', public: true, redirectUris: ['http://127.0.0.1:7777/callback'], scopes: 'openid read:leads' });
    publicClientId = pub.client.clientId;
  });
  after(() => server.close());

  test('a confidential client gets tokens, an id_token bound to its nonce, and userinfo', async () => {
    const config = await oidcClient(server, confidential.clientId, client.ClientSecretBasic(confidential.secret));
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid profile email read:leads', state, nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    assert.equal(callback.searchParams.get('iss'), server.issuer, 'the redirect carries iss (RFC 9207)');
    assert.equal(callback.searchParams.get('state'), state);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.token_type.toLowerCase(), 'bearer');
    assert.equal(tokens.expires_in, 3600, 'access tokens last one hour by default');
    assert.ok(tokens.refresh_token, 'a client allowed refresh_token gets one without asking for offline_access');
    const claims = tokens.claims()!;
    assert.equal(claims.sub, userId);
    assert.equal(claims.aud, confidential.clientId);
    assert.equal(claims.nonce, nonce);
    assert.ok(typeof claims.auth_time === 'number');
    assert.ok(typeof claims.at_hash === 'string');
    assert.equal(decodeProtectedHeader(tokens.id_token!).alg, 'RS256', 'id_tokens use RS256, the OIDC default');

    const header = decodeProtectedHeader(tokens.access_token);
    assert.equal(header.alg, 'ES256');
    assert.equal(header.typ, 'at+jwt', 'access tokens are RFC 9068 JWTs');
    const access = decodeJwt(tokens.access_token);
    assert.equal(access.iss, server.issuer);
    assert.equal(access.sub, userId);
    assert.equal(access.client_id, confidential.clientId);
    assert.equal(access.scope, 'openid profile email read:leads');

    const info = await client.fetchUserInfo(config, tokens.access_token, userId);
    assert.equal(info.preferred_username, 'alice');
    assert.equal(info.email, 'alice@example.com');
  });

  test('a public client completes the flow with PKCE and no secret', async () => {
    const config = await oidcClient(server, publicClientId, client.None());
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'http://127.0.0.1:7777/callback', scope: 'read:leads',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    assert.equal(tokens.scope, 'read:leads');
    assert.equal(tokens.id_token, undefined, 'no id_token without openid');
  });

  test('remembered consent skips the consent screen for the same or fewer scopes, and prompt=consent asks again', async () => {
    const bob = { username: 'bob', password: 'bob-password-123' };
    await createUser(server, bob);
    const agent = new TestUserAgent(server.issuer);
    const config = await oidcClient(server, confidential.clientId, client.ClientSecretBasic(confidential.secret));
    const ask = async (scope: string, extra: Record<string, string> = {}) => {
      const verifier = client.randomPKCECodeVerifier();
      return client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
    };
    await agent.authorize((await ask('read:leads write:leads')).href, bob);
    const again = await agent.navigate((await ask('read:leads')).href);
    assert.ok(again.location?.startsWith(CALLBACK), 'no consent page when fewer scopes are asked');
    assert.ok(new URL(again.location!).searchParams.get('code'));
    const forced = await agent.navigate((await ask('read:leads', { prompt: 'consent' })).href);
    assert.match(forced.html, /name="decision"/, 'prompt=consent shows the consent page again');
    const wider = await agent.navigate((await ask('openid read:leads write:leads')).href);
    assert.match(wider.html, /name="decision"/, 'asking for more than was allowed shows the consent page');
  });

  test('prompt=none answers login_required without a session, and prompt=login asks to sign in again', async () => {
    const agent = new TestUserAgent(server.issuer);
    const base = `${server.issuer}/oauth2/authorize?client_id=zapier-client&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=read:leads&state=s1`;
    const silent = await agent.navigate(`${base}&prompt=none`);
    const url = new URL(silent.location!);
    assert.equal(url.searchParams.get('error'), 'login_required');
    assert.equal(url.searchParams.get('state'), 's1');
    await agent.authorize(base, USER);
    const login = await agent.navigate(`${base}&prompt=login`);
    assert.match(login.html, /name="password"/, 'prompt=login shows the sign-in page although a session exists');
    const after = await agent.signIn(login.html, USER.username, USER.password);
    assert.ok(after.location && new URL(after.location).searchParams.get('code'), 'after signing in again the code is issued');
  });

  test('Deny sends access_denied with state and iss to the client', async () => {
    const agent = new TestUserAgent(server.issuer);
    const url = `${server.issuer}/oauth2/authorize?client_id=zapier-client&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=profile%20write:leads&state=xyz`;
    const callback = await agent.authorize(url, USER, 'deny');
    assert.equal(callback.searchParams.get('error'), 'access_denied');
    assert.equal(callback.searchParams.get('state'), 'xyz');
    assert.equal(callback.searchParams.get('iss'), server.issuer);
  });

  test('the seed story: code exchanged with client_secret in the form body, then refreshed the same way', async () => {
    const agent = new TestUserAgent(server.issuer);
    const callback = await agent.authorize(
      `${server.issuer}/oauth2/authorize?client_id=zapier-client&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=read:leads`, USER);
    const code = callback.searchParams.get('code')!;
    const exchange = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, client_id: 'zapier-client', client_secret: confidential.secret, redirect_uri: CALLBACK }),
    });
    assert.equal(exchange.status, 200);
    assert.equal(exchange.headers.get('cache-control'), 'no-store');
    const tokens = await exchange.json() as Record<string, string>;
    assert.ok(tokens.access_token && tokens.refresh_token);
    const refreshed = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: 'zapier-client', client_secret: confidential.secret }),
    });
    assert.equal(refreshed.status, 200);
    const next = await refreshed.json() as Record<string, string>;
    assert.ok(next.refresh_token && next.refresh_token !== tokens.refresh_token, 'a new refresh token comes back');
  });
});
