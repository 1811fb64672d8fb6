// Sign-in and consent delegated to the platform (issue 12), through Hydra's wire format: the platform's login and
// consent app here is written with Hydra's official SDK and knows nothing of Gatehouse but its admin URL. A
// relying party (openid-client) runs the code flow through it; the subject exists only on the platform.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { ResponseError } from '@ory/hydra-client-fetch';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, basic, createClient, oidcClient, postForm } from '../helpers/fixtures.js';
import { LoginApp, PLATFORM_SUBJECT } from '../helpers/login-app.js';
import { TestClock } from '../helpers/clock.js';
import { DEVICE_CODE_GRANT } from '../../src/store/types.js';

const SCOPE = 'openid read:leads write:leads';
const SIGNED_OUT = 'https://zapier.com/signed-out';

/** Status and error of a failed SDK call (Hydra's SDK throws ResponseError on any non-2xx). */
async function sdkFailure(call: Promise<unknown>): Promise<{ status: number; body: { error: string; error_description: string } }> {
  try {
    await call;
  } catch (error) {
    if (error instanceof ResponseError) return { status: error.response.status, body: await error.response.json() as { error: string; error_description: string } };
    throw error;
  }
  throw new Error('the call succeeded');
}

await describeOnBackends('delegated sign-in (Hydra-compatible login and consent)', (backend) => {
  const app = new LoginApp();
  const clock = new TestClock();
  let server: TestServer;
  let config: client.Configuration;
  let secret: string;
  let tv: client.Configuration;

  /** A browser walk: Gatehouse's redirects followed with cookies, the platform's pages visited, until the client's callback. */
  async function walk(agent: TestUserAgent, url: string): Promise<{ callback?: URL; status: number; html: string }> {
    let step = await agent.navigate(url);
    for (let hops = 0; hops < 10 && step.location; hops++) {
      const next = new URL(step.location);
      if (next.origin !== app.url) return { callback: next, status: step.response.status, html: '' };
      const page = await fetch(next, { redirect: 'manual' });
      if (page.status !== 302) return { status: page.status, html: await page.text() };
      const location = new URL(page.headers.get('location')!);
      // The platform keeps the browser on its own pages (a logout it rejected): the walk ends there.
      if (location.origin === app.url) return { callback: location, status: 302, html: '' };
      step = await agent.navigate(location.href);
    }
    return { status: step.response.status, html: step.html };
  }

  async function startFlow(params: Record<string, string> = {}) {
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: SCOPE, state: 'st-1', nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...params,
    });
    return { url: url.href, verifier, nonce };
  }

  async function signIn(agent: TestUserAgent, params: Record<string, string> = {}) {
    const flow = await startFlow(params);
    const walked = await walk(agent, flow.url);
    assert.ok(walked.callback, `redirected to the client (HTTP ${walked.status}: ${walked.html.slice(0, 200)})`);
    const tokens = await client.authorizationCodeGrant(config, walked.callback, { pkceCodeVerifier: flow.verifier, expectedState: 'st-1', expectedNonce: flow.nonce, idTokenExpected: true });
    return tokens;
  }

  async function introspect(token: string) {
    const response = await postForm(`${server.issuer}/oauth2/introspect`, { token }, { authorization: basic('zapier-client', secret) });
    return await response.json() as Record<string, unknown>;
  }

  before(async () => {
    await app.start();
    server = await startTestServer({ backend, clock, env: app.env() });
    app.adminUrl = server.adminUrl;
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: SCOPE, postLogoutRedirectUris: [SIGNED_OUT] })).clientSecret!;
    await createClient(server, { clientId: 'first-party', name: 'Platform web', scopes: SCOPE, skipConsent: true });
    config = await oidcClient(server, 'zapier-client', client.ClientSecretBasic(secret));
    await createClient(server, { name: 'Living-room TV', clientId: 'tv-app', public: true, redirectUris: [], grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], scopes: 'openid read:leads' });
    tv = await oidcClient(server, 'tv-app', client.None());
  });
  afterEach(() => {
    app.reset();
    clock.reset();
  });
  after(async () => {
    await server.close();
    await app.close();
  });

  test('a request naming a resource (RFC 8707) hands it to the consent page as requested_access_token_audience; granted, it is aud', async () => {
    const resource = 'https://api.example.com/leads';
    await server.services.resources.create({ uri: resource, name: 'Leads API' }).catch(() => undefined);
    const tokens = await signIn(new TestUserAgent(server.issuer), { resource });
    const [consent] = app.consents;
    assert.deepEqual(consent!.requested_access_token_audience, [resource]);
    assert.match(consent!.request_url ?? '', /resource=https%3A%2F%2Fapi\.example\.com%2Fleads/);
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.equal(payload.aud, resource);
  });

  test('openid-client signs in a subject only the platform knows; claims come from the consent session', async () => {
    const tokens = await signIn(new TestUserAgent(server.issuer));
    // What the platform's pages were handed, as Hydra hands it.
    const [login] = app.logins;
    assert.equal(login!.skip, false);
    assert.equal(login!.client.client_id, 'zapier-client');
    assert.equal(login!.client.client_name, 'Zapier');
    assert.deepEqual(login!.requested_scope, SCOPE.split(' '));
    assert.match(login!.request_url, /\/oauth2\/auth\?/);
    const [consent] = app.consents;
    assert.equal(consent!.subject, PLATFORM_SUBJECT);
    assert.equal(consent!.acr, 'urn:platform:mfa');
    assert.deepEqual(consent!.amr, ['pwd', 'otp']);
    // The platform's accepted login is on the audit trail as a sign-in of its subject.
    const [signedIn] = await server.services.audit.list({ event: 'signin.succeeded', user: PLATFORM_SUBJECT, limit: 1 });
    assert.equal(signedIn?.outcome, 'succeeded');
    assert.deepEqual(signedIn?.detail, { delegated: true });

    const claims = tokens.claims()!;
    assert.equal(claims.sub, PLATFORM_SUBJECT);
    assert.equal(claims.email, 'dana@platform.example');
    assert.equal(claims.acr, 'urn:platform:mfa');
    assert.deepEqual(claims.amr, ['pwd', 'otp']);
    const userinfo = await client.fetchUserInfo(config, tokens.access_token, PLATFORM_SUBJECT);
    assert.equal(userinfo.name, 'Dana Platform');
    assert.equal(userinfo.email, 'dana@platform.example');
    // Extra access-token claims under ext, as Hydra puts them; the audience the platform granted.
    const payload = JSON.parse(Buffer.from(tokens.access_token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    assert.deepEqual(payload.ext, { tenant: 'acme' });
    assert.equal(payload.aud, server.config.defaultAudience);
    const introspected = await introspect(tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.sub, PLATFORM_SUBJECT);
    assert.deepEqual(introspected.ext, { tenant: 'acme' });
    // A refresh keeps what was granted.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()!.email, 'dana@platform.example');
  });

  test('a remembered login and consent come back with skip: true, and the app accepts without asking', async () => {
    const browser = new TestUserAgent(server.issuer);
    await signIn(browser);
    app.reset();
    const tokens = await signIn(browser);
    assert.equal(app.logins[0]!.skip, true);
    assert.equal(app.logins[0]!.subject, PLATFORM_SUBJECT);
    assert.ok(app.logins[0]!.session_id, 'the login session is named');
    assert.equal(app.consents[0]!.skip, true);
    assert.equal(tokens.claims()!.sub, PLATFORM_SUBJECT);
  });

  test('prompt=login and max_age make the login page ask again; prompt=consent the consent page', async () => {
    const browser = new TestUserAgent(server.issuer);
    await signIn(browser);
    app.reset();
    await signIn(browser, { prompt: 'login consent' });
    assert.equal(app.logins[0]!.skip, false);
    assert.equal(app.consents[0]!.skip, false);
    app.reset();
    clock.advanceSeconds(120);
    await signIn(browser, { max_age: '60' });
    assert.equal(app.logins[0]!.skip, false);
  });

  test('prompt=none: login_required without a session, a code with one, never a page', async () => {
    const flow = await startFlow({ prompt: 'none' });
    const fresh = await walk(new TestUserAgent(server.issuer), flow.url);
    assert.equal(fresh.callback?.searchParams.get('error'), 'login_required');
    assert.equal(fresh.callback?.searchParams.get('state'), 'st-1');
    assert.equal(app.logins.length, 0, 'the login page was never asked');
    const browser = new TestUserAgent(server.issuer);
    await signIn(browser);
    app.reset();
    const tokens = await signIn(browser, { prompt: 'none' });
    assert.equal(tokens.claims()!.sub, PLATFORM_SUBJECT);
  });

  test('a rejected login or consent reaches the client as its error, with iss and state', async () => {
    app.onLogin = () => ({ reject: { error: 'access_denied', error_description: 'The user cancelled' } });
    const rejected = await walk(new TestUserAgent(server.issuer), (await startFlow()).url);
    assert.equal(rejected.callback?.searchParams.get('error'), 'access_denied');
    assert.equal(rejected.callback?.searchParams.get('error_description'), 'The user cancelled');
    assert.equal(rejected.callback?.searchParams.get('iss'), server.issuer);
    assert.equal(rejected.callback?.searchParams.get('state'), 'st-1');
    app.reset();
    app.onConsent = () => ({ reject: { error: 'access_denied', error_hint: 'Not today.' } });
    const denied = await walk(new TestUserAgent(server.issuer), (await startFlow()).url);
    assert.equal(denied.callback?.searchParams.get('error'), 'access_denied');
    assert.match(denied.callback!.searchParams.get('error_description')!, /Not today\./);
  });

  test('a rejection that can no longer reach the client (its redirect URI was removed meanwhile) is a page with the status_code asked for', async () => {
    await createClient(server, { clientId: 'fickle-client', name: 'Fickle', scopes: 'openid' });
    const url = `${server.issuer}/oauth2/auth?${new URLSearchParams({ client_id: 'fickle-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', state: 's', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;
    app.onLogin = () => ({ reject: { error: 'access_denied', error_description: 'Your account is suspended.', status_code: 451 } });
    const browser = new TestUserAgent(server.issuer);
    const first = await browser.navigate(url);
    const answered = await fetch(first.location!, { redirect: 'manual' });
    await server.services.clients.update('fickle-client', { redirectUris: ['https://fickle.example/new-callback'] });
    const page = await browser.navigate(answered.headers.get('location')!);
    assert.equal(page.response.status, 451);
    assert.match(page.html, /Your account is suspended\./);
  });

  test('the platform may grant fewer scopes than asked, and only an audience that was asked for', async () => {
    app.onConsent = (request) => ({ accept: { grant_scope: ['openid', 'read:leads'], remember: false, session: { id_token: {} }, grant_access_token_audience: request.requested_access_token_audience } });
    const tokens = await signIn(new TestUserAgent(server.issuer));
    assert.equal(tokens.scope, 'openid read:leads');
    app.reset();
    let refused: Awaited<ReturnType<typeof sdkFailure>> | undefined;
    app.onConsent = () => ({ accept: { grant_scope: ['openid', 'admin:everything'] } });
    const original = app.api.bind(app);
    app.api = () => {
      const api = original();
      const accept = api.acceptOAuth2ConsentRequest.bind(api);
      api.acceptOAuth2ConsentRequest = async (parameters) => {
        refused = await sdkFailure(accept(parameters));
        return accept({ ...parameters, acceptOAuth2ConsentRequest: { ...parameters.acceptOAuth2ConsentRequest, grant_access_token_audience: ['https://elsewhere.example'], grant_scope: ['openid'] } });
      };
      return api;
    };
    const walked = await walk(new TestUserAgent(server.issuer), (await startFlow()).url);
    assert.equal(refused?.status, 400);
    assert.match(refused!.body.error_description, /not requested: admin:everything/);
    assert.equal(walked.status, 500, 'the second answer (an audience nobody asked for) is refused too');
    app.api = original;
  });

  test('extra ID-token claims may not replace the protocol\'s own (sub, aud, …)', async () => {
    let refused: Awaited<ReturnType<typeof sdkFailure>> | undefined;
    app.onConsent = () => ({ accept: { grant_scope: ['openid'], session: { id_token: { sub: 'someone-else', email: 'x@y.z' } } } });
    const original = app.api.bind(app);
    app.api = () => {
      const api = original();
      const accept = api.acceptOAuth2ConsentRequest.bind(api);
      api.acceptOAuth2ConsentRequest = async (parameters) => {
        refused = await sdkFailure(accept(parameters));
        throw new Error('refused');
      };
      return api;
    };
    await walk(new TestUserAgent(server.issuer), (await startFlow()).url);
    app.api = original;
    assert.equal(refused?.status, 400);
    assert.match(refused!.body.error_description, /session\.id_token may not set sub/);
  });

  test('a challenge is answered once; its verifier completes once, only in the browser that started, only before it expires', async () => {
    const api = app.api();
    // Drive the steps by hand to hold the challenge and the verifier.
    const browser = new TestUserAgent(server.issuer);
    const first = await browser.navigate((await startFlow()).url);
    const loginChallenge = new URL(first.location!).searchParams.get('login_challenge')!;
    const accepted = await api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: PLATFORM_SUBJECT } });
    const again = await sdkFailure(api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'someone-else' } }));
    assert.equal(again.status, 409);
    assert.equal((await sdkFailure(api.getOAuth2LoginRequest({ loginChallenge }))).status, 410);

    // Another browser with the verifier: a page saying so, and nothing used up.
    const thief = await new TestUserAgent(server.issuer).navigate(accepted.redirect_to);
    assert.equal(thief.response.status, 400);
    assert.match(thief.html, /started in another browser/);
    const own = await browser.navigate(accepted.redirect_to);
    assert.match(new URL(own.location!).pathname, /\/consent$/, 'its own browser goes on to consent');
    const replay = await browser.navigate(accepted.redirect_to);
    assert.equal(replay.response.status, 400);
    assert.match(replay.html, /already completed/);

    // Expired: answering and reading say so; nothing is recorded.
    const late = await new TestUserAgent(server.issuer).navigate((await startFlow()).url);
    const lateChallenge = new URL(late.location!).searchParams.get('login_challenge')!;
    clock.advanceSeconds(server.config.delegation.challengeTtlSeconds + 1);
    const expired = await sdkFailure(api.acceptOAuth2LoginRequest({ loginChallenge: lateChallenge, acceptOAuth2LoginRequest: { subject: PLATFORM_SUBJECT } }));
    assert.equal(expired.status, 404);
    assert.match(expired.body.error_description, /expired/);
    assert.equal((await sdkFailure(api.getOAuth2LoginRequest({ loginChallenge: 'made-up' }))).status, 404);
  });

  test('a first-party client (skip_consent) never reaches the consent page', async () => {
    const firstPartySecret = (await server.services.clients.rotateSecret('first-party')).clientSecret;
    const firstParty = await oidcClient(server, 'first-party', client.ClientSecretBasic(firstPartySecret));
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(firstParty, { redirect_uri: CALLBACK, scope: 'openid read:leads', state: 's', code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const walked = await walk(new TestUserAgent(server.issuer), url.href);
    assert.ok(walked.callback?.searchParams.get('code'));
    assert.equal(app.logins.length, 1);
    assert.equal(app.consents.length, 0);
    assert.equal(app.logins[0]!.client.skip_consent, true);
  });

  test('consent sessions are listed and withdrawn through the admin API, which ends their tokens', async () => {
    const subject = 'platform-user-connected-apps';
    app.onLogin = (request) => ({ accept: { subject: request.skip ? request.subject : subject, remember: true } });
    const tokens = await signIn(new TestUserAgent(server.issuer));
    const api = app.api();
    const sessions = await api.listOAuth2ConsentSessions({ subject });
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]!.consent_request?.client?.client_id, 'zapier-client');
    assert.deepEqual(sessions[0]!.grant_scope, SCOPE.split(' '));
    assert.equal(sessions[0]!.remember, true);
    assert.deepEqual(sessions[0]!.session?.id_token, { email: 'dana@platform.example', name: 'Dana Platform' });

    await api.revokeOAuth2ConsentSessions({ subject, client: 'zapier-client' });
    assert.deepEqual(await api.listOAuth2ConsentSessions({ subject }), []);
    assert.equal((await introspect(tokens.access_token)).active, false);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: { error?: string }) => error.error === 'invalid_grant');
    // Neither client nor all: a clear 400.
    assert.equal((await sdkFailure(api.revokeOAuth2ConsentSessions({ subject }))).status, 400);
  });

  test('ending a subject\'s login sessions makes the login page ask again', async () => {
    const browser = new TestUserAgent(server.issuer);
    await signIn(browser);
    await app.api().revokeOAuth2LoginSessions({ subject: PLATFORM_SUBJECT });
    app.reset();
    await signIn(browser);
    assert.equal(app.logins[0]!.skip, false);
  });

  test('RP-initiated logout goes through the platform\'s logout page; accepted, the session ends and the browser goes to the client', async () => {
    const browser = new TestUserAgent(server.issuer);
    const tokens = await signIn(browser);
    const sid = tokens.claims()!.sid as string;
    const url = client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: SIGNED_OUT, state: 'bye-1' });
    const walked = await walk(browser, url.href);
    assert.equal(walked.callback?.origin + walked.callback!.pathname, SIGNED_OUT);
    assert.equal(walked.callback?.searchParams.get('state'), 'bye-1');
    const [logout] = app.logouts;
    assert.equal(logout!.subject, PLATFORM_SUBJECT);
    assert.equal(logout!.sid, sid);
    assert.equal(logout!.client?.client_id, 'zapier-client');
    assert.equal(logout!.rp_initiated, true);
    // Signed out: the next authorization is no longer skipped.
    app.reset();
    await signIn(browser);
    assert.equal(app.logins[0]!.skip, false);
  });

  test('a logout the platform rejects keeps the user signed in; with nobody signed in the platform is not asked', async () => {
    const browser = new TestUserAgent(server.issuer);
    const tokens = await signIn(browser);
    app.reset();
    app.onLogout = () => false;
    const kept = await walk(browser, client.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: SIGNED_OUT }).href);
    assert.equal(kept.callback?.pathname, '/still-signed-in');
    assert.equal(app.logouts.length, 1);
    await signIn(browser);
    assert.equal(app.logins[0]!.skip, true, 'still signed in');
    app.reset();
    const nobody = await walk(new TestUserAgent(server.issuer), client.buildEndSessionUrl(config, { post_logout_redirect_uri: SIGNED_OUT, state: 's' }).href);
    assert.equal(nobody.callback?.origin + nobody.callback!.pathname, SIGNED_OUT);
    assert.equal(app.logouts.length, 0);
  });

  test('device flow on the platform\'s pages: the code typed there, sign-in and consent there, the device gets the platform\'s subject', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'openid read:leads' });
    app.deviceUserCode = started.user_code.toLowerCase().replace('-', ' ');
    const done = await walk(new TestUserAgent(server.issuer), started.verification_uri);
    assert.equal(done.status, 200, done.html.slice(0, 300));
    assert.match(done.html, /Your device is connected/);
    assert.equal(app.devicePages.length, 1);
    assert.equal(app.logins[0]!.client.client_id, 'tv-app');
    assert.deepEqual(app.consents[0]!.requested_scope, ['openid', 'read:leads']);
    const tokens = await client.pollDeviceAuthorizationGrant(tv, { ...started, interval: 0 }, undefined, { signal: AbortSignal.timeout(10_000) });
    assert.equal(tokens.claims()!.sub, PLATFORM_SUBJECT);
    assert.equal(tokens.claims()!.email, 'dana@platform.example', 'the consent session\'s claims reach the device\'s ID token');
  });

  test('device flow on the platform\'s pages: a mistyped code is refused to the page (400), a rejected consent denies the device', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    app.deviceUserCode = 'BCDF-GHJK';
    const mistyped = await walk(new TestUserAgent(server.issuer), started.verification_uri);
    assert.equal(mistyped.status, 500, 'the platform\'s page got a 400 from the admin API (and showed its own error)');
    assert.match(mistyped.html, /Response returned an error code/);
    app.reset();
    app.deviceUserCode = started.user_code;
    app.onConsent = () => ({ reject: { error: 'access_denied' } });
    const denied = await walk(new TestUserAgent(server.issuer), started.verification_uri);
    assert.match(denied.html, /Device not connected/);
    await assert.rejects(client.pollDeviceAuthorizationGrant(tv, { ...started, interval: 0 }, undefined, { signal: AbortSignal.timeout(10_000) }), (error: { error?: string }) => error.error === 'access_denied');
  });

  test('the Hydra routes answer bad input with a clear 400, never a 500', async () => {
    const api = app.api();
    const browser = new TestUserAgent(server.issuer);
    const first = await browser.navigate((await startFlow()).url);
    const loginChallenge = new URL(first.location!).searchParams.get('login_challenge')!;
    const unsupported = await sdkFailure(api.acceptOAuth2LoginRequest({ loginChallenge, acceptOAuth2LoginRequest: { subject: 'x', force_subject_identifier: 'pairwise-x' } }));
    assert.equal(unsupported.status, 400);
    assert.match(unsupported.body.error_description, /force_subject_identifier is not supported/);
    const response = await fetch(`${server.adminUrl}/admin/oauth2/auth/requests/login/accept?login_challenge=${loginChallenge}`, {
      method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ subject: 'x', remember: 'yes' }),
    });
    assert.equal(response.status, 400);
    const badError = await sdkFailure(api.rejectOAuth2LoginRequest({ loginChallenge, rejectOAuth2Request: { error: 'made_up_error' } }));
    assert.equal(badError.status, 400);
    // None of that answered the challenge.
    assert.equal((await api.getOAuth2LoginRequest({ loginChallenge })).challenge, loginChallenge);
  });
});

describe('delegated sign-in with GATEHOUSE_ADMIN_TOKEN set', () => {
  test('the login app\'s addresses reach only the Hydra routes without the token', async () => {
    const app = await new LoginApp().start();
    const server = await startTestServer({ env: { ...app.env(), GATEHOUSE_ADMIN_TOKEN: 'admin-token-0123456789abcdef', GATEHOUSE_LOGIN_APP_ADDRESSES: '127.0.0.1,::1' } });
    try {
      app.adminUrl = server.adminUrl;
      const secret = (await createClient(server, { clientId: 'zapier-client', scopes: SCOPE })).clientSecret!;
      const config = await oidcClient(server, 'zapier-client', client.ClientSecretBasic(secret));
      const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'openid', state: 's', code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()), code_challenge_method: 'S256' });
      const agent = new TestUserAgent(server.issuer);
      let step = await agent.navigate(url.href);
      for (let hops = 0; hops < 4 && step.location && new URL(step.location).origin === app.url; hops++) {
        const page = await fetch(step.location, { redirect: 'manual' });
        assert.equal(page.status, 302, await page.text());
        step = await agent.navigate(page.headers.get('location')!);
      }
      assert.ok(new URL(step.location!).searchParams.get('code'), 'the flow completed without the admin token');
      const clients = await fetch(`${server.adminUrl}/admin/clients`);
      assert.equal(clients.status, 401, 'the rest of the admin API still needs the token');
    } finally {
      await server.close();
      await app.close();
    }
  });

  test('without GATEHOUSE_LOGIN_APP_ADDRESSES the Hydra routes need the token like the rest', async () => {
    const server = await startTestServer({ env: { GATEHOUSE_LOGIN_URL: 'http://127.0.0.1:9/login', GATEHOUSE_CONSENT_URL: 'http://127.0.0.1:9/consent', GATEHOUSE_ADMIN_TOKEN: 'admin-token-0123456789abcdef' } });
    try {
      const response = await fetch(`${server.adminUrl}/admin/oauth2/auth/requests/login?login_challenge=x`);
      assert.equal(response.status, 401);
    } finally {
      await server.close();
    }
  });
});
