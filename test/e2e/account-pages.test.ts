// The CSRF cookie (__Host- on https, a new value at each sign-in) and the connected-apps banner, which names only
// what the user really revoked.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser, postForm } from '../helpers/fixtures.js';

const BANNER = /no longer has access to your account/;

describe('the CSRF cookie on an https issuer', () => {
  let server: TestServer;
  let origin: string;

  before(async () => {
    server = await startTestServer({ env: { GATEHOUSE_ISSUER: 'https://auth.example.com' } });
    await createUser(server);
    origin = server.server.publicUrl;
  });
  after(() => server.close());

  test('is named __Host-gatehouse_csrf, Secure, for the whole host and no domain', async () => {
    const response = await fetch(`${origin}/login`);
    const csrf = response.headers.getSetCookie().filter((cookie) => cookie.includes('csrf'));
    assert.equal(csrf.length, 1, csrf.join(' | '));
    assert.match(csrf[0]!, /^__Host-gatehouse_csrf=[A-Za-z0-9_-]{43};/);
    assert.match(csrf[0]!, /; Secure/i);
    assert.match(csrf[0]!, /; Path=\/(;|$)/);
    assert.doesNotMatch(csrf[0]!, /Domain=/i);
  });

  test('a token planted in a cookie without the prefix (as a sibling subdomain could) is not accepted', async () => {
    const response = await fetch(`${origin}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'gatehouse_csrf=planted-by-a-sibling-subdomain' },
      body: new URLSearchParams({ csrf: 'planted-by-a-sibling-subdomain', username: USER.username, password: USER.password }).toString(),
    });
    assert.equal(response.status, 403);
  });

  test('signing in works with the prefixed cookie', async () => {
    const agent = new TestUserAgent(origin);
    const page = await agent.navigate('/login');
    const signedIn = await agent.signIn(page.html, USER.username, USER.password);
    assert.equal(signedIn.response.status, 200);
    assert.match(signedIn.html, /Connected apps/);
  });
});

await describeOnBackends('account pages', (backend) => {
  let server: TestServer;
  let secret: string;

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server);
    await createUser(server, { username: 'mallory', password: 'mallory-password' });
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'read:leads' })).clientSecret!;
    await createClient(server, { name: 'Totally Legit Bank', clientId: 'bank', scopes: 'read:leads' });
  });
  after(() => server.close());

  test('the CSRF cookie gets a new value at sign-in, and the old value no longer passes', async () => {
    const agent = new TestUserAgent(server.issuer);
    const page = await agent.navigate('/login');
    const before = agent.cookies.get('gatehouse_csrf')!;
    assert.ok(before);
    const signIn = await agent.request('/login', { form: { ...hiddenFields(page.html, '/login'), username: USER.username, password: USER.password } });
    assert.equal(signIn.status, 303);
    assert.ok(signIn.headers.getSetCookie().some((cookie) => cookie.startsWith('gatehouse_csrf=')), 'the sign-in answer sets a new CSRF cookie');
    const after = agent.cookies.get('gatehouse_csrf')!;
    assert.notEqual(after, before);
    // Someone who learnt the token before sign-in (and can still make the browser send it) gets nowhere.
    const stale = await fetch(`${server.issuer}/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `gatehouse_session=${agent.cookies.get('gatehouse_session')}; gatehouse_csrf=${after}` },
      body: new URLSearchParams({ csrf: before }).toString(),
    });
    assert.equal(stale.status, 403);
    const logout = await agent.request('/logout', { form: { csrf: after } });
    assert.equal(logout.status, 200);
  });

  test('?revoked=ID on its own shows no banner, whatever the ID', async () => {
    const agent = new TestUserAgent(server.issuer);
    await agent.signIn((await agent.navigate('/login')).html, USER.username, USER.password);
    for (const value of ['bank', 'zapier-client', 'no-such-client', '']) {
      const response = await agent.request(`/account/apps?revoked=${encodeURIComponent(value)}`);
      assert.equal(response.status, 200);
      const html = await response.text();
      assert.doesNotMatch(html, BANNER, `?revoked=${value}`);
      assert.doesNotMatch(html, /Totally Legit Bank/);
    }
  });

  test('the consent page shows the client\'s logo and its home, privacy and terms links (logo_uri, client_uri, policy_uri, tos_uri) and names the account', async () => {
    await createClient(server, {
      clientId: 'linked-app', name: 'Linked App', redirectUris: [CALLBACK], scopes: 'read:leads',
      logoUri: 'https://linked.example/logo.png', clientUri: 'https://linked.example/', policyUri: 'https://linked.example/privacy', tosUri: 'https://linked.example/terms',
    });
    const agent = new TestUserAgent(server.issuer);
    const authorize = await agent.navigate(`/oauth2/authorize?${new URLSearchParams({ client_id: 'linked-app', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads' })}`);
    const login = authorize.location ? await agent.navigate(authorize.location) : authorize;
    const consent = await agent.signIn(login.html, USER.username, USER.password);
    assert.match(consent.html, /Linked App wants to access your account, alice/);
    for (const url of ['https://linked.example/logo.png', 'https://linked.example/', 'https://linked.example/privacy', 'https://linked.example/terms']) {
      assert.ok(consent.html.includes(`"${url}"`), `the page links ${url}`);
    }
    assert.match(consent.response.headers.get('content-security-policy') ?? '', /img-src[^;]*https:\/\/linked\.example/, 'the logo may load, from its own site only');
  });

  test('a wrong password keeps "to continue to <app>"; the root is a landing page; signing out offers a way back', async () => {
    const agent = new TestUserAgent(server.issuer);
    const authorize = await agent.navigate(`/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads' })}`);
    const login = authorize.location ? await agent.navigate(authorize.location) : authorize;
    assert.match(login.html, /to continue to <strong>[^<]+<\/strong>/);
    const name = /to continue to <strong>([^<]+)<\/strong>/.exec(login.html)![1]!;
    const wrong = await agent.signIn(login.html, USER.username, 'not the password');
    assert.equal(wrong.response.status, 401);
    assert.match(wrong.html, /Wrong username or password/);
    assert.ok(wrong.html.includes(`to continue to <strong>${name}</strong>`), 'the failed attempt still names the app');

    const landing = await agent.navigate('/');
    assert.match(landing.html, /<a class="button primary block" href="\/account\/apps">See your connected apps<\/a>/);
    assert.doesNotMatch(landing.html, /openid-configuration|Issuer /, 'not a developer note');

    await agent.signIn((await agent.navigate('/login')).html, USER.username, USER.password);
    const apps = await agent.navigate('/account/apps');
    const signedOut = await agent.navigate('/logout', { form: hiddenFields(apps.html, '/logout') });
    assert.match(signedOut.html, /<h1>You are signed out<\/h1>/);
    assert.match(signedOut.html, /<a class="button primary block" href="\/login">Sign in again<\/a>/);
  });

  test('revoking an app shows the banner for that app, to that user only', async () => {
    const agent = new TestUserAgent(server.issuer);
    const callback = await agent.authorize(`${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads' })}`, USER);
    const exchange = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: callback.searchParams.get('code')!, client_id: 'zapier-client', client_secret: secret, redirect_uri: CALLBACK });
    assert.equal(exchange.status, 200);

    const apps = await agent.navigate('/account/apps');
    assert.match(apps.html, /Zapier/);
    // The list's Revoke button asks first: nothing is revoked until the confirmation form comes back.
    const ask = await agent.request('/account/apps/zapier-client/revoke', { form: { csrf: agent.cookies.get('gatehouse_csrf')! } });
    assert.equal(ask.status, 200);
    const confirmation = await ask.text();
    assert.match(confirmation, /<h1>Revoke access for Zapier\?<\/h1>/);
    assert.match(confirmation, /<input type="hidden" name="confirm" value="yes">/);
    assert.match(confirmation, /<a class="button secondary" href="\/account\/apps">Cancel<\/a>/);
    assert.match((await agent.navigate('/account/apps')).html, /Revoke access for Zapier/, 'still connected after only the first step');
    const revoke = await agent.request('/account/apps/zapier-client/revoke', { form: { csrf: agent.cookies.get('gatehouse_csrf')!, confirm: 'yes' } });
    assert.equal(revoke.status, 303);
    const location = revoke.headers.get('location')!;
    const landing = await agent.navigate(location);
    assert.match(landing.html, /Zapier no longer has access to your account/);

    const mallory = new TestUserAgent(server.issuer);
    await mallory.signIn((await mallory.navigate('/login')).html, 'mallory', 'mallory-password');
    assert.doesNotMatch((await mallory.navigate(location)).html, BANNER, 'the notice is sealed for the user who revoked');
    const tampered = location.replace(/revoked=(.)/, (_, first: string) => `revoked=${first === 'A' ? 'B' : 'A'}`);
    assert.doesNotMatch((await agent.navigate(tampered)).html, BANNER, 'an altered notice shows nothing');

    const again = await agent.request('/account/apps/zapier-client/revoke', { form: { csrf: agent.cookies.get('gatehouse_csrf')!, confirm: 'yes' } });
    assert.equal(again.headers.get('location'), '/account/apps', 'nothing was left to revoke: no banner');
    const never = await agent.request('/account/apps/bank/revoke', { form: { csrf: agent.cookies.get('gatehouse_csrf')!, confirm: 'yes' } });
    assert.equal(never.headers.get('location'), '/account/apps', 'an app never connected: no banner');
  });
});
