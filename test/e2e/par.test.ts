// Pushed Authorization Requests (RFC 9126) with a real client (openid-client's buildAuthorizationUrlWithPAR), over
// real HTTP: the PAR endpoint's answers, the one-time and short-lived request_uri, requests bound to their client,
// the pushed parameters carried through sign-in and consent, and clients (or the whole server) that require PAR.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as client from 'openid-client';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { CALLBACK, USER, basic, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';
import { LoginApp, PLATFORM_SUBJECT } from '../helpers/login-app.js';

const PUBLIC_CALLBACK = 'http://127.0.0.1:7777/callback';

async function pkce(): Promise<{ verifier: string; challenge: string }> {
  const verifier = client.randomPKCECodeVerifier();
  return { verifier, challenge: await client.calculatePKCECodeChallenge(verifier) };
}

/** A pushed request's parameters, as a raw form (the client's own authentication added by the caller). */
async function pushForm(clientId: string, over: Record<string, string> = {}): Promise<Record<string, string>> {
  return { client_id: clientId, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid read:leads', state: 'st-1', code_challenge: (await pkce()).challenge, code_challenge_method: 'S256', ...over };
}

await describeOnBackends('pushed authorization requests', (backend) => {
  const clock = new TestClock();
  let server: TestServer;
  let par: string;
  let confidential: { clientId: string; secret: string };
  let other: { clientId: string; secret: string };
  let strict: { clientId: string; secret: string };

  before(async () => {
    server = await startTestServer({ clock, backend });
    par = `${server.issuer}/oauth2/par`;
    await createUser(server, USER);
    const made = await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads write:leads' });
    confidential = { clientId: made.client.clientId, secret: made.clientSecret! };
    const second = await createClient(server, { clientId: 'other-client', scopes: 'openid read:leads' });
    other = { clientId: second.client.clientId, secret: second.clientSecret! };
    const requiring = await createClient(server, { clientId: 'strict-client', scopes: 'openid read:leads', requirePushedAuthorizationRequests: true });
    strict = { clientId: requiring.client.clientId, secret: requiring.clientSecret! };
    await createClient(server, { name: 'CLI tool', clientId: 'cli-tool', public: true, redirectUris: [PUBLIC_CALLBACK], scopes: 'openid read:leads' });
  });
  after(() => server.close());

  test('discovery names the endpoint, and PAR is not required server-wide by default', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = await (await fetch(`${server.issuer}${path}`)).json() as Record<string, unknown>;
      assert.equal(metadata.pushed_authorization_request_endpoint, par);
      assert.equal(metadata.require_pushed_authorization_requests, false);
    }
  });

  test('openid-client pushes, the user signs in and consents, and the code exchange works; the request_uri is single use', async () => {
    const config = await oidcClient(server, confidential.clientId, client.ClientSecretBasic(confidential.secret));
    const { verifier, challenge } = await pkce();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(config, {
      redirect_uri: CALLBACK, scope: 'openid read:leads', state, nonce, code_challenge: challenge, code_challenge_method: 'S256',
    });
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri']);
    assert.match(url.searchParams.get('request_uri')!, /^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    assert.equal(callback.searchParams.get('state'), state);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.scope, 'openid read:leads');
    assert.equal(tokens.claims()!.nonce, nonce);

    // The same request_uri again: refused (a page, not a redirect: nothing says where the client is).
    const again = await new TestUserAgent(server.issuer).request(url.href);
    assert.equal(again.status, 400);
    assert.equal(again.headers.get('location'), null);
    assert.match(await again.text(), /request_uri was used already/);
  });

  test('a public client pushes with its client_id alone, and gets a code for its PKCE challenge', async () => {
    const config = await oidcClient(server, 'cli-tool', client.None());
    const { verifier, challenge } = await pkce();
    const url = await client.buildAuthorizationUrlWithPAR(config, { redirect_uri: PUBLIC_CALLBACK, scope: 'read:leads', code_challenge: challenge, code_challenge_method: 'S256' });
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    assert.equal(tokens.scope, 'read:leads');
  });

  test('the PAR endpoint answers 201 with no-store, and the stored parameters are the request: others in the URL are ignored', async () => {
    const response = await postForm(par, await pushForm(confidential.clientId, { scope: 'read:leads', state: 'pushed-state' }), { authorization: basic(confidential.clientId, confidential.secret) });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const body = await response.json() as { request_uri: string; expires_in: number };
    assert.equal(body.expires_in, 60);
    const agent = new TestUserAgent(server.issuer);
    const query = new URLSearchParams({ client_id: confidential.clientId, request_uri: body.request_uri, state: 'forged-state', scope: 'write:leads', redirect_uri: 'https://evil.example/cb' });
    const callback = await agent.authorize(`/oauth2/authorize?${query}`, USER);
    assert.equal(callback.origin + callback.pathname, CALLBACK);
    assert.equal(callback.searchParams.get('state'), 'pushed-state');
    assert.ok(callback.searchParams.get('code'));
  });

  test('a pushed request expires after 60 seconds of the server clock', async () => {
    clock.freeze();
    try {
      const response = await postForm(par, await pushForm(confidential.clientId), { authorization: basic(confidential.clientId, confidential.secret) });
      const { request_uri } = await response.json() as { request_uri: string };
      clock.advanceSeconds(60);
      const late = await new TestUserAgent(server.issuer).request(`/oauth2/authorize?${new URLSearchParams({ client_id: confidential.clientId, request_uri })}`);
      assert.equal(late.status, 400);
      assert.match(await late.text(), /request_uri has expired/);
    } finally {
      clock.reset();
    }
  });

  test('racing browsers with one request_uri: exactly one gets the request', async () => {
    const response = await postForm(par, await pushForm(confidential.clientId), { authorization: basic(confidential.clientId, confidential.secret) });
    const { request_uri } = await response.json() as { request_uri: string };
    const url = `/oauth2/authorize?${new URLSearchParams({ client_id: confidential.clientId, request_uri })}`;
    const answers = await Promise.all(Array.from({ length: 8 }, () => new TestUserAgent(server.issuer).request(url)));
    const statuses = answers.map((answer) => answer.status).sort();
    assert.equal(statuses.filter((status) => status === 400).length, 7, statuses.join(','));
    assert.ok(statuses.some((status) => status !== 400), statuses.join(','));
    await Promise.all(answers.map((answer) => answer.body?.cancel()));
  });

  test('a request_uri works only with the client that pushed it, and an unknown or foreign one is refused', async () => {
    const response = await postForm(par, await pushForm(confidential.clientId), { authorization: basic(confidential.clientId, confidential.secret) });
    const { request_uri } = await response.json() as { request_uri: string };
    const agent = new TestUserAgent(server.issuer);
    const foreign = await agent.request(`/oauth2/authorize?${new URLSearchParams({ client_id: other.clientId, request_uri })}`);
    assert.equal(foreign.status, 400);
    assert.match(await foreign.text(), /not a pushed request of client/);
    for (const bad of ['urn:ietf:params:oauth:request_uri:nope', 'https://client.example/request.jwt']) {
      const page = await agent.request(`/oauth2/authorize?${new URLSearchParams({ client_id: confidential.clientId, request_uri: bad })}`);
      assert.equal(page.status, 400);
    }
    // The foreign attempt did not use it up: its own client still can.
    const own = await agent.navigate(`/oauth2/authorize?${new URLSearchParams({ client_id: confidential.clientId, request_uri })}`);
    assert.match(own.html, /name="password"/);
  });

  test('client authentication fails at PAR as at the token endpoint: 401 JSON invalid_client', async () => {
    const wrong = await postForm(par, await pushForm(confidential.clientId), { authorization: basic(confidential.clientId, 'not-the-secret') });
    assert.equal(wrong.status, 401);
    assert.equal((await wrong.json() as { error: string }).error, 'invalid_client');
    assert.match(wrong.headers.get('www-authenticate') ?? '', /^Basic/);
    const none = await postForm(par, await pushForm(confidential.clientId));
    assert.equal(none.status, 401);
    assert.equal((await none.json() as { error: string }).error, 'invalid_client');
  });

  test('a bad pushed request is a JSON error from the authorization pipeline, never a redirect', async () => {
    const auth = { authorization: basic(confidential.clientId, confidential.secret) };
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ redirect_uri: 'https://evil.example/cb' }, 'invalid_request', /redirect_uri/],
      [{ scope: 'openid admin' }, 'invalid_scope', /admin/],
      [{ response_type: 'token' }, 'unsupported_response_type', /token/],
      [{ request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported', /request/],
      [{ request_uri: 'urn:ietf:params:oauth:request_uri:abc' }, 'invalid_request', /request_uri/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /S256/],
    ];
    for (const [over, error, description] of cases) {
      const response = await postForm(par, await pushForm(confidential.clientId, over), auth);
      assert.equal(response.status, 400, JSON.stringify(over));
      assert.equal(response.headers.get('location'), null);
      const body = await response.json() as { error: string; error_description: string };
      assert.equal(body.error, error, JSON.stringify(over));
      assert.match(body.error_description, description);
    }
    const query = await fetch(`${par}?client_id=${confidential.clientId}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...auth }, body: '' });
    assert.equal(query.status, 400);
    const get = await fetch(par);
    assert.equal(get.status, 405);
  });

  test('a client that requires PAR: a plain request is redirected with invalid_request; a pushed one goes through sign-in and consent', async () => {
    const plain = new URLSearchParams(await pushForm(strict.clientId));
    const refused = await new TestUserAgent(server.issuer).request(`/oauth2/authorize?${plain}`);
    assert.equal(refused.status, 303);
    const location = new URL(refused.headers.get('location')!);
    assert.equal(location.origin + location.pathname, CALLBACK);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description')!, /push/);
    assert.equal(location.searchParams.get('state'), 'st-1');

    const config = await oidcClient(server, strict.clientId, client.ClientSecretPost(strict.secret));
    const { verifier, challenge } = await pkce();
    const url = await client.buildAuthorizationUrlWithPAR(config, { redirect_uri: CALLBACK, scope: 'openid read:leads', code_challenge: challenge, code_challenge_method: 'S256', prompt: 'login consent' });
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier });
    assert.equal(tokens.scope, 'openid read:leads');
  });

  test('the pushed request carried through the consent form cannot be altered on the way', async () => {
    const response = await postForm(par, await pushForm(strict.clientId, { scope: 'openid', prompt: 'consent' }), { authorization: basic(strict.clientId, strict.secret) });
    const { request_uri } = await response.json() as { request_uri: string };
    const agent = new TestUserAgent(server.issuer);
    const login = await agent.navigate(`/oauth2/authorize?${new URLSearchParams({ client_id: strict.clientId, request_uri })}`);
    const consentPage = await agent.signIn(login.html, USER.username, USER.password);
    const fields = hiddenFields(consentPage.html, '/oauth2/authorize');
    assert.equal(fields.request_uri, undefined, 'the used request_uri is not what is carried on');
    assert.equal(fields.scope, 'openid');
    const altered = await agent.navigate('/oauth2/authorize', { form: { ...fields, scope: 'openid read:leads', decision: 'allow' } });
    const location = new URL(altered.location!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description')!, /altered/);
    // Without the seal it is a plain request, which this client may not send.
    const { pushed_request_seal: _seal, ...unsealed } = fields;
    const plain = await agent.navigate('/oauth2/authorize', { form: { ...unsealed, decision: 'allow' } });
    assert.match(new URL(plain.location!).searchParams.get('error_description')!, /must push/);
  });
  test('the carried pushed request lasts 30 minutes of the server clock: a slower sign-in starts again', async () => {
    clock.freeze();
    try {
      const response = await postForm(par, await pushForm(strict.clientId, { prompt: 'consent' }), { authorization: basic(strict.clientId, strict.secret) });
      const { request_uri } = await response.json() as { request_uri: string };
      const agent = new TestUserAgent(server.issuer);
      const login = await agent.navigate(`/oauth2/authorize?${new URLSearchParams({ client_id: strict.clientId, request_uri })}`);
      const consentPage = await agent.signIn(login.html, USER.username, USER.password);
      const fields = hiddenFields(consentPage.html, '/oauth2/authorize');
      clock.advanceSeconds(30 * 60);
      const late = await agent.navigate('/oauth2/authorize', { form: { ...fields, decision: 'allow' } });
      const location = new URL(late.location!);
      assert.equal(location.searchParams.get('error'), 'invalid_request');
      assert.match(location.searchParams.get('error_description')!, /longer than 30 minutes/);
    } finally {
      clock.reset();
    }
  });
});

describe('pushed authorization requests required server-wide (GATEHOUSE_REQUIRE_PAR)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { GATEHOUSE_REQUIRE_PAR: 'true' } });
    await createUser(server, USER);
    await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads' });
  });
  after(() => server.close());

  test('discovery says so, and a plain request is redirected with invalid_request', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal(metadata.require_pushed_authorization_requests, true);
    const refused = await new TestUserAgent(server.issuer).request(`/oauth2/authorize?${new URLSearchParams(await pushForm('zapier-client'))}`);
    assert.equal(refused.status, 303);
    const location = new URL(refused.headers.get('location')!);
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description')!, /clients of this server must push/);
  });
});

describe('pushed authorization requests through the platform\'s sign-in and consent (GATEHOUSE_LOGIN_URL)', () => {
  const app = new LoginApp();
  let server: TestServer;
  let config: client.Configuration;

  before(async () => {
    await app.start();
    server = await startTestServer({ env: app.env() });
    app.adminUrl = server.adminUrl;
    const made = await createClient(server, { clientId: 'strict-client', scopes: 'openid read:leads', requirePushedAuthorizationRequests: true });
    config = await oidcClient(server, 'strict-client', client.ClientSecretBasic(made.clientSecret!));
  });
  after(async () => {
    await server.close();
    await app.close();
  });

  test('the challenges carry the pushed request, so a client that requires PAR completes the flow', async () => {
    const { verifier, challenge } = await pkce();
    const nonce = client.randomNonce();
    const url = await client.buildAuthorizationUrlWithPAR(config, { redirect_uri: CALLBACK, scope: 'openid read:leads', state: 'st-2', nonce, code_challenge: challenge, code_challenge_method: 'S256' });
    const agent = new TestUserAgent(server.issuer);
    let step = await agent.navigate(url.href);
    let callback: URL | undefined;
    for (let hops = 0; hops < 10 && step.location && !callback; hops++) {
      const next = new URL(step.location);
      if (next.origin !== app.url) {
        callback = next;
        break;
      }
      // The platform's page answers through the admin API and sends the browser back with a verifier.
      const page = await fetch(next, { redirect: 'manual' });
      assert.equal(page.status, 302, await page.text());
      step = await agent.navigate(page.headers.get('location')!);
    }
    assert.ok(callback, `back at the client (HTTP ${step.response.status}: ${step.html.slice(0, 200)})`);
    assert.equal(app.logins.length, 1);
    assert.equal(app.consents.length, 1);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'st-2', expectedNonce: nonce, idTokenExpected: true });
    assert.equal(tokens.claims()!.sub, PLATFORM_SUBJECT);
  });
});
