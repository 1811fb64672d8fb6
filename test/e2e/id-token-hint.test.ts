// id_token_hint at the authorization endpoint (OIDC Core 3.1.2.1): verified like any ID token this server issued
// (expiry aside), and a hint for someone other than the signed-in user is login_required with prompt=none, and a
// new sign-in otherwise.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { SignJWT, decodeProtectedHeader, generateKeyPair } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { CALLBACK, createClient, createUser, oidcClient } from '../helpers/fixtures.js';

await describeOnBackends('id_token_hint', (backend) => {
  const ALICE = { username: 'alice', password: 'correct horse battery staple' };
  const BOB = { username: 'bob', password: 'bob-password-123' };
  let server: TestServer;
  let config: client.Configuration;
  let secret: string;
  let aliceId: string;
  let bobId: string;
  /** A browser where alice is signed in and has allowed the client. */
  let aliceBrowser: TestUserAgent;
  let aliceHint: string;
  let bobHint: string;
  let aliceAccessToken: string;

  const authorizeUrl = (params: Record<string, string>) =>
    `${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid read:leads', state: 'st', ...params })}`;

  /** A real ID token, through the code flow a relying party runs. */
  async function idTokenFor(agent: TestUserAgent, user: { username: string; password: string }): Promise<string> {
    return (await tokensFor(agent, user)).id_token!;
  }

  async function tokensFor(agent: TestUserAgent, user: { username: string; password: string }) {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid read:leads', state: 'flow', nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await agent.authorize(url.href, user);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'flow', expectedNonce: nonce, idTokenExpected: true });
    return tokens;
  }

  /** The redirect to the client, or the page shown instead. */
  async function visit(agent: TestUserAgent, url: string) {
    const step = await agent.navigate(url);
    return { status: step.response.status, html: step.html, callback: step.location ? new URL(step.location) : undefined };
  }

  before(async () => {
    server = await startTestServer({ backend });
    aliceId = (await createUser(server, ALICE)).id;
    bobId = (await createUser(server, BOB)).id;
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads' })).clientSecret!;
    await createClient(server, { name: 'Other', clientId: 'other-client', scopes: 'openid read:leads' });
    config = await oidcClient(server, 'zapier-client', client.ClientSecretBasic(secret));
    aliceBrowser = new TestUserAgent(server.issuer);
    const alice = await tokensFor(aliceBrowser, ALICE);
    aliceHint = alice.id_token!;
    aliceAccessToken = alice.access_token;
    bobHint = await idTokenFor(new TestUserAgent(server.issuer), BOB);
  });
  after(() => server.close());

  test('prompt=none with a hint for the signed-in user issues a code', async () => {
    const { callback } = await visit(aliceBrowser, authorizeUrl({ prompt: 'none', id_token_hint: aliceHint }));
    assert.ok(callback, 'redirected to the client');
    assert.ok(callback.searchParams.get('code'), callback.href);
  });

  test('prompt=none with a hint for another user is login_required (OIDC Core 3.1.2.1)', async () => {
    const { callback } = await visit(aliceBrowser, authorizeUrl({ prompt: 'none', id_token_hint: bobHint }));
    assert.ok(callback, 'redirected to the client');
    assert.equal(callback.searchParams.get('error'), 'login_required');
    assert.match(callback.searchParams.get('error_description')!, /id_token_hint/);
    assert.equal(callback.searchParams.get('state'), 'st');
    assert.equal(callback.searchParams.get('iss'), server.issuer);
    assert.equal(callback.searchParams.get('code'), null);
  });

  test('without prompt=none, a hint for another user asks to sign in again, and signing in as that user goes on', async () => {
    const browser = new TestUserAgent(server.issuer);
    await idTokenFor(browser, ALICE);
    const page = await visit(browser, authorizeUrl({ id_token_hint: bobHint }));
    assert.equal(page.callback, undefined, 'no code for alice when the client asked for bob');
    assert.match(page.html, /name="password"/, 'the sign-in page');
    assert.ok(hiddenFields(page.html, '/login').return_to!.includes('id_token_hint='), 'coming back to the same request');
    const signedInAsBob = await browser.signIn(page.html, BOB.username, BOB.password);
    assert.ok(signedInAsBob.location, 'bob has allowed the client before: straight back to it');
    const code = new URL(signedInAsBob.location).searchParams.get('code')!;
    const exchange = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: 'zapier-client', client_secret: secret }),
    });
    const tokens = await exchange.json() as { id_token: string };
    assert.equal(JSON.parse(Buffer.from(tokens.id_token.split('.')[1]!, 'base64url').toString()).sub, bobId);
  });

  test('signing in as the wrong user again shows the sign-in page again', async () => {
    const browser = new TestUserAgent(server.issuer);
    const page = await visit(browser, authorizeUrl({ id_token_hint: bobHint }));
    const again = await browser.signIn(page.html, ALICE.username, ALICE.password);
    assert.equal(again.location, undefined);
    assert.match(again.html, /name="password"/);
  });

  test('an expired hint is still a good hint', async () => {
    const [user, registered] = await Promise.all([server.services.store.getUserById(aliceId), server.services.store.getClient('zapier-client')]);
    const twoDaysAgo = Math.floor(Date.now() / 1000) - 2 * 86400;
    const expired = await server.services.tokens.issueIdToken({ client: registered!, user: user!, scopes: ['openid'], nonce: null, authTime: twoDaysAgo, accessToken: 'x', granted: null, now: twoDaysAgo });
    const { callback } = await visit(aliceBrowser, authorizeUrl({ prompt: 'none', id_token_hint: expired }));
    assert.ok(callback?.searchParams.get('code'), callback?.href);
  });

  test('a hint this server did not issue to this client is invalid_request', async () => {
    const [header, payload, signature] = aliceHint.split('.') as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    const { privateKey } = await generateKeyPair('RS256');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: decodeProtectedHeader(aliceHint).kid! }).sign(privateKey);
    const [user, other] = await Promise.all([server.services.store.getUserById(aliceId), server.services.store.getClient('other-client')]);
    const forOtherClient = await server.services.tokens.issueIdToken({ client: other!, user: user!, scopes: ['openid'], nonce: null, authTime: null, accessToken: 'x', granted: null, now: Math.floor(Date.now() / 1000) });
    const cases: Array<[string, string, RegExp]> = [
      ['a changed signature', `${header}.${payload}.${flipped}`, /not an ID token issued by this server/],
      ['a key of its own under our kid', forged, /not an ID token issued by this server/],
      ['a changed payload', `${header}.${Buffer.from(JSON.stringify({ ...claims, sub: bobId })).toString('base64url')}.${signature}`, /not an ID token issued by this server/],
      ['another client\'s ID token', forOtherClient, /was not issued to client "zapier-client"/],
      ['an access token', aliceAccessToken, /not an ID token issued by this server/],
      ['not a JWT at all', 'not-a-jwt', /not an ID token issued by this server/],
    ];
    for (const [what, hint, description] of cases) {
      const { callback } = await visit(aliceBrowser, authorizeUrl({ prompt: 'none', id_token_hint: hint }));
      assert.ok(callback, `${what}: redirected to the client`);
      assert.equal(callback.searchParams.get('error'), 'invalid_request', what);
      assert.match(callback.searchParams.get('error_description')!, description, what);
      assert.equal(callback.searchParams.get('code'), null, what);
    }
  });
});
