// One test per security invariant in DESIGN.md, each through the public surface.
import { after, before, test } from 'node:test';
import { describeOnBackends, dumpDatabase } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, basic, createClient, createUser, postForm } from '../helpers/fixtures.js';
import { s256 } from '../../src/oauth/pkce.js';

await describeOnBackends('security invariants', (backend) => {
  let server: TestServer;
  let secret: string;

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server);
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads' })).clientSecret!;
    await createClient(server, { name: 'Mobile', clientId: 'mobile', public: true, redirectUris: ['com.example.app:/callback'], scopes: 'read:leads' });
  });
  after(() => server.close());

  const authorizeUrl = (params: Record<string, string>) =>
    `${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', ...params })}`;

  test('redirect_uri must match a registered value exactly: no prefix, case, slash or query variants, and never a redirect', async () => {
    for (const variant of [CALLBACK + '/', CALLBACK + '?x=1', CALLBACK.toUpperCase(), 'https://zapier.com/oauth/callbackx', 'https://zapier.com/oauth', 'https://evil.example/oauth/callback']) {
      const response = await fetch(authorizeUrl({ redirect_uri: variant }), { redirect: 'manual' });
      assert.equal(response.status, 400, `${variant} is refused`);
      assert.equal(response.headers.get('location'), null, 'an untrusted redirect_uri is never redirected to');
      assert.match(await response.text(), /is not registered for client/);
    }
  });

  test('an unknown client gets an HTML error page, never a redirect', async () => {
    const response = await fetch(authorizeUrl({ client_id: 'nobody' }), { redirect: 'manual' });
    assert.equal(response.status, 400);
    assert.match(response.headers.get('content-type')!, /text\/html/);
    assert.match(await response.text(), /not a registered application/);
  });

  test('PKCE: plain is refused, public clients must send S256, and a wrong verifier fails', async () => {
    const plain = await fetch(authorizeUrl({ code_challenge: 'a'.repeat(43), code_challenge_method: 'plain' }), { redirect: 'manual' });
    const location = new URL(plain.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description')!, /plain|S256/);
    const noMethod = new URL((await fetch(authorizeUrl({ code_challenge: 'a'.repeat(43) }), { redirect: 'manual' })).headers.get('location')!);
    assert.equal(noMethod.searchParams.get('error'), 'invalid_request', 'a missing method means plain, which is refused');

    const mobile = `${server.issuer}/oauth2/authorize?client_id=mobile&redirect_uri=${encodeURIComponent('com.example.app:/callback')}&response_type=code&scope=read:leads`;
    const noPkce = new URL((await fetch(mobile, { redirect: 'manual' })).headers.get('location')!);
    assert.equal(noPkce.searchParams.get('error'), 'invalid_request');
    assert.match(noPkce.searchParams.get('error_description')!, /public client/);

    const verifier = 'v'.repeat(50);
    const agent = new TestUserAgent(server.issuer);
    const callback = await agent.authorize(authorizeUrl({ code_challenge: s256(verifier), code_challenge_method: 'S256' }), USER);
    const wrong = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: 'w'.repeat(50) }, { authorization: basic('zapier-client', secret) });
    assert.equal(wrong.status, 400);
    assert.deepEqual(await wrong.json(), { error: 'invalid_grant', error_description: 'code_verifier does not match the code_challenge' });
    const missing = await agent.authorize(authorizeUrl({ code_challenge: s256(verifier), code_challenge_method: 'S256' }), USER);
    const none = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: missing.searchParams.get('code')!, redirect_uri: CALLBACK }, { authorization: basic('zapier-client', secret) });
    assert.equal((await none.json() as { error: string }).error, 'invalid_grant', 'a challenge that was sent must be verified');
  });

  test('a code is bound to its redirect_uri and client, and expires', async () => {
    const agent = new TestUserAgent(server.issuer);
    const other = await createClient(server, { name: 'Other', clientId: 'other-app', scopes: 'read:leads' });
    const code = (await agent.authorize(authorizeUrl({}), USER)).searchParams.get('code')!;
    const wrongClient = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: basic('other-app', other.clientSecret!) });
    assert.deepEqual(await wrongClient.json(), { error: 'invalid_grant', error_description: 'code was issued to another client' });
    const wrongUri = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: 'https://zapier.com/other' }, { authorization: basic('zapier-client', secret) });
    assert.equal((await wrongUri.json() as { error: string }).error, 'invalid_grant');
    const ok = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: basic('zapier-client', secret) });
    assert.equal(ok.status, 200, 'failed attempts do not consume the code for its rightful client');
  });

  test('at rest: opaque tokens, codes, sessions and client secrets are SHA-256 hashes, passwords argon2id, private keys sealed', async () => {
    const agent = new TestUserAgent(server.issuer);
    const opaque = await createClient(server, { name: 'Opaque', clientId: 'opaque-at-rest', scopes: 'read:leads', accessTokenFormat: 'opaque' });
    const callback = await agent.authorize(`${server.issuer}/oauth2/authorize?client_id=opaque-at-rest&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=read:leads`, USER);
    const code = callback.searchParams.get('code')!;
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK }, { authorization: basic('opaque-at-rest', opaque.clientSecret!) });
    const tokens = await response.json() as { access_token: string; refresh_token: string };
    const dump = await dumpDatabase(server.config.databaseUrl);
    for (const [what, value] of Object.entries({ access: tokens.access_token, refresh: tokens.refresh_token, code, secret: opaque.clientSecret!, password: USER.password, session: agent.cookies.get('gatehouse_session')! })) {
      assert.ok(!dump.includes(value), `the ${what} is not stored in clear`);
    }
    assert.match(dump, /\$argon2id\$/, 'passwords are argon2id hashes');
    assert.ok(!/"d":"/.test(dump), 'no private JWK member (d) is stored in clear');
  });

  test('token responses carry Cache-Control: no-store; pages forbid framing; cookies are HttpOnly and SameSite', async () => {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('zapier-client', secret) });
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const page = await fetch(authorizeUrl({}), { redirect: 'manual' });
    assert.match(page.headers.get('content-security-policy')!, /frame-ancestors 'none'/);
    assert.equal(page.headers.get('x-frame-options'), 'DENY');
    for (const cookie of page.headers.getSetCookie()) {
      assert.match(cookie, /HttpOnly/i);
      assert.match(cookie, /SameSite=Lax/i);
    }
  });

  test('forms without the right CSRF token are refused', async () => {
    const agent = new TestUserAgent(server.issuer);
    await agent.navigate(authorizeUrl({}));
    const login = await agent.request('/login', { form: { username: USER.username, password: USER.password, csrf: 'forged', return_to: '/account/apps' } });
    assert.equal(login.status, 403);
    assert.equal(agent.cookies.get('gatehouse_session'), undefined, 'no session without a valid CSRF token');
    await agent.authorize(authorizeUrl({}), USER);
    const consent = await agent.request('/oauth2/authorize', { form: { client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid read:leads', decision: 'allow', csrf: 'forged' } });
    assert.equal(consent.status, 403);
    assert.equal(consent.headers.get('location'), null, 'no code without a valid CSRF token');
  });

  test('the sign-in page does not reveal whether a username exists', async () => {
    const agent = new TestUserAgent(server.issuer);
    const page = await agent.navigate('/login');
    const { hiddenFields } = await import('../helpers/user-agent.js');
    const fields = hiddenFields(page.html, '/login');
    const unknown = await agent.request('/login', { form: { ...fields, username: 'nobody-here', password: 'whatever-password' } });
    const wrong = await agent.request('/login', { form: { ...fields, username: USER.username, password: 'whatever-password' } });
    assert.equal(unknown.status, 401);
    assert.equal(wrong.status, 401);
    const strip = (html: string) => html.replace(/value="[^"]*"/g, '');
    assert.equal(strip(await unknown.text()), strip(await wrong.text()));
  });

  test('the sign-in return_to cannot send the user to another site', async () => {
    const agent = new TestUserAgent(server.issuer);
    const page = await agent.navigate('/login');
    const { hiddenFields } = await import('../helpers/user-agent.js');
    const response = await agent.request('/login', { form: { ...hiddenFields(page.html, '/login'), username: USER.username, password: USER.password, return_to: '//evil.example/steal' } });
    assert.equal(response.status, 400, 'refused with a page that says why, not silently replaced');
    assert.equal(response.headers.get('location'), null);
    assert.equal(agent.cookies.get('gatehouse_session'), undefined, 'and nobody is signed in');
  });
});
