// OpenID logout end to end, with openid-client as the relying party and a relying party's back channel served by a
// node:http server in the test: RP-Initiated Logout 1.0 (end_session_endpoint, id_token_hint, registered
// post_logout_redirect_uri, state, the confirmation page), Back-Channel Logout 1.0 (a logout token verified with jose
// against the JWKS; retried after a failure once the clock has moved) and Front-Channel Logout 1.0 (the iframes).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';
import { createRemoteJWKSet, decodeJwt, jwtVerify, SignJWT, generateKeyPair } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { createClient, createUser, oidcClient, USER } from '../helpers/fixtures.js';
import { SESSION_COOKIE } from '../../src/http/cookies.js';
import { BACKCHANNEL_BACKOFF_SECONDS, BACKCHANNEL_LOGOUT_EVENT, BACKCHANNEL_MAX_ATTEMPTS, type LogoutLogger } from '../../src/domain/logout.js';

const SIGNED_OUT = 'https://rp.example/signed-out';
const FRONT_CHANNEL = 'https://fc.example/logout?from=gatehouse';

/** A relying party's back channel: records every POST, answers each path with the next status queued for it (else 200). */
class BackChannel {
  readonly received: Array<{ path: string; contentType: string | undefined; form: URLSearchParams }> = [];
  readonly failures = new Map<string, number[]>();
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      this.received.push({ path, contentType: request.headers['content-type'], form: new URLSearchParams(body) });
      const status = this.failures.get(path)?.shift() ?? 200;
      response.writeHead(status, { 'cache-control': 'no-store' }).end();
    });
  });

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  to(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

await describeOnBackends('OpenID logout', (backend) => {
  let server: TestServer;
  let clock: TestClock;
  const rp = new BackChannel();
  let rpUrl: string;
  const configs = new Map<string, client.Configuration>();

  before(async () => {
    rpUrl = await rp.listen();
    clock = new TestClock();
    server = await startTestServer({ backend, clock });
    await createUser(server);
    const register = async (clientId: string, extra: Parameters<typeof createClient>[1]) => {
      const { clientSecret } = await createClient(server, { clientId, scopes: 'openid profile', postLogoutRedirectUris: [SIGNED_OUT], ...extra });
      configs.set(clientId, await oidcClient(server, clientId, client.ClientSecretBasic(clientSecret!)));
    };
    await register('rp-client', { backchannelLogoutUri: `${rpUrl}/backchannel`, backchannelLogoutSessionRequired: true });
    await register('fc-client', { frontchannelLogoutUri: FRONT_CHANNEL, frontchannelLogoutSessionRequired: true });
    await register('flaky-client', { backchannelLogoutUri: `${rpUrl}/flaky` });
  });
  after(async () => {
    await server.close();
    await rp.close();
  });

  /** A browser signed in through the code flow of `clientId`, with the tokens the relying party got. */
  async function signedIn(clientId: string) {
    const config = configs.get(clientId)!;
    const agent = new TestUserAgent(server.issuer);
    const verifier = client.randomPKCECodeVerifier();
    const nonce = client.randomNonce();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: 'https://zapier.com/oauth/callback', scope: 'openid profile', state: 'in', nonce,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const callback = await agent.authorize(url.href, USER);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: 'in', expectedNonce: nonce, idTokenExpected: true });
    const cookie = agent.cookies.get(SESSION_COOKIE)!;
    return { agent, config, tokens, idToken: tokens.id_token!, claims: tokens.claims()!, cookie };
  }

  const stillSignedIn = async (cookie: string) => (await server.services.accounts.resolveSession(cookie)) !== undefined;

  test('discovery names the end-session endpoint and exactly the logout features implemented', async () => {
    const metadata = configs.get('rp-client')!.serverMetadata();
    assert.equal(metadata.end_session_endpoint, `${server.issuer}/oauth2/logout`);
    assert.equal(metadata.backchannel_logout_supported, true);
    assert.equal(metadata.backchannel_logout_session_supported, true);
    assert.equal(metadata.frontchannel_logout_supported, true);
    assert.equal(metadata.frontchannel_logout_session_supported, true);
  });

  test('ID tokens carry sid: a public id of the session, not its cookie', async () => {
    const { claims, cookie, tokens, config } = await signedIn('rp-client');
    assert.equal(typeof claims.sid, 'string');
    assert.ok(!cookie.includes(claims.sid as string));
    const session = await server.services.accounts.resolveSession(cookie);
    assert.equal(session?.session.sid, claims.sid);
    // An ID token issued on refresh names the same session.
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(refreshed.claims()?.sid, claims.sid);
  });

  test('buildEndSessionUrl with id_token_hint ends the session and redirects to the registered URI with state', async () => {
    const { agent, config, idToken, cookie } = await signedIn('rp-client');
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'bye-123' });
    assert.equal(url.origin + url.pathname, `${server.issuer}/oauth2/logout`);
    const response = await agent.request(url.href);
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), `${SIGNED_OUT}?state=bye-123`);
    assert.equal(agent.cookies.has(SESSION_COOKIE), false, 'the session cookie is cleared');
    assert.equal(await stillSignedIn(cookie), false, 'the session is gone from the store');
  });

  test("Hydra's path /oauth2/sessions/logout is the same endpoint, by POST too", async () => {
    const { agent, idToken, cookie } = await signedIn('rp-client');
    const response = await agent.request('/oauth2/sessions/logout', { form: { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT } });
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), SIGNED_OUT);
    assert.equal(await stillSignedIn(cookie), false);
  });

  test('the relying party receives a back-channel logout token that verifies against the JWKS', async () => {
    await server.services.logout.deliverPending(); // what earlier tests' logouts sent
    const before = rp.to('/backchannel').length;
    const { agent, config, idToken, claims } = await signedIn('rp-client');
    await agent.request(client.buildEndSessionUrl(config, { id_token_hint: idToken }).href);
    await server.services.logout.deliverPending();
    const deliveries = rp.to('/backchannel').slice(before);
    assert.equal(deliveries.length, 1);
    const [delivery] = deliveries;
    assert.equal(delivery!.contentType, 'application/x-www-form-urlencoded');
    const jwks = createRemoteJWKSet(new URL(`${server.issuer}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(delivery!.form.get('logout_token')!, jwks, {
      issuer: server.issuer, audience: 'rp-client', typ: 'logout+jwt', algorithms: ['RS256'], currentDate: new Date(clock.now()),
    });
    assert.equal(protectedHeader.typ, 'logout+jwt');
    assert.deepEqual(payload.events, { [BACKCHANNEL_LOGOUT_EVENT]: {} });
    assert.equal(payload.sub, claims.sub);
    assert.equal(payload.sid, claims.sid);
    assert.equal(typeof payload.jti, 'string');
    assert.equal('nonce' in payload, false, 'a logout token never carries a nonce');
    assert.ok(payload.exp! - payload.iat! <= 300, 'short-lived');
  });

  test("a client's cross-site form POST, which arrives without the Lax session cookie, is turned into a GET that has it", async () => {
    const { agent, idToken, cookie } = await signedIn('rp-client');
    const form = { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'p' };
    const crossSite = await fetch(`${server.issuer}/oauth2/logout`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
    assert.equal(crossSite.status, 303);
    const location = new URL(crossSite.headers.get('location')!, server.issuer);
    assert.equal(location.pathname, '/oauth2/logout');
    assert.deepEqual(Object.fromEntries(location.searchParams), form);
    assert.equal(await stillSignedIn(cookie), true, 'nothing was ended without the cookie');
    const followed = await agent.request(location.href);
    assert.equal(followed.headers.get('location'), `${SIGNED_OUT}?state=p`);
    assert.equal(await stillSignedIn(cookie), false);
  });

  test('a logout_hint naming someone else than the signed-in user asks first', async () => {
    const { agent, idToken, cookie } = await signedIn('rp-client');
    const page = await agent.navigate(`/oauth2/logout?${new URLSearchParams({ id_token_hint: idToken, logout_hint: 'mallory' })}`);
    assert.match(page.html, /Sign out of Gatehouse\?/);
    assert.equal(await stillSignedIn(cookie), true);
  });

  test('an unregistered post_logout_redirect_uri is refused with a page, never redirected to', async () => {
    const { agent, config, idToken, cookie } = await signedIn('rp-client');
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'https://evil.example/phish' });
    const response = await agent.request(url.href);
    assert.equal(response.status, 400);
    assert.equal(response.headers.get('location'), null);
    const html = await response.text();
    assert.match(html, /post_logout_redirect_uri is not registered/);
    assert.doesNotMatch(html, /evil\.example/, 'the page does not link to it');
    assert.equal(await stillSignedIn(cookie), true, 'nothing was ended');
  });

  test('an id_token_hint from another issuer, or with a bad signature, is refused with a clear 400 page', async () => {
    const { agent, idToken, cookie } = await signedIn('rp-client');
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await new SignJWT({ ...decodeJwt(idToken) }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'forged' }).sign(privateKey);
    const other = await new SignJWT({ ...decodeJwt(idToken), iss: 'https://other.example' }).setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: 'x' }).sign(privateKey);
    for (const [hint, message] of [[forged, /not an ID token issued by this server/], [other, /issued by another server/]] as const) {
      const response = await agent.request(`/oauth2/logout?${new URLSearchParams({ id_token_hint: hint, post_logout_redirect_uri: SIGNED_OUT })}`);
      assert.equal(response.status, 400);
      assert.match(response.headers.get('content-type')!, /text\/html/);
      assert.match(await response.text(), message);
    }
    assert.equal(await stillSignedIn(cookie), true);
  });

  test('without an id_token_hint the user is asked first (CSRF-protected), and the answer is honoured', async () => {
    const { agent, cookie } = await signedIn('rp-client');
    const url = `/oauth2/logout?${new URLSearchParams({ client_id: 'rp-client', post_logout_redirect_uri: SIGNED_OUT, state: 's1' })}`;
    const page = await agent.navigate(url);
    assert.equal(page.response.status, 200);
    assert.match(page.html, /Sign out of Gatehouse\?/);
    assert.equal(await stillSignedIn(cookie), true, 'a link alone signs nobody out');
    const fields = hiddenFields(page.html, '/oauth2/logout');
    assert.ok(fields.csrf);
    // A forged form (another site's page, without the CSRF token) is refused.
    const forged = await agent.request('/oauth2/logout', { form: { ...fields, csrf: 'x'.repeat(43), decision: 'logout' } });
    assert.equal(forged.status, 403);
    assert.equal(await stillSignedIn(cookie), true);
    const stay = await agent.request('/oauth2/logout', { form: { ...fields, decision: 'stay' } });
    assert.equal(stay.status, 200);
    assert.equal(await stillSignedIn(cookie), true);
    const confirmed = await agent.request('/oauth2/logout', { form: { ...fields, decision: 'logout' } });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get('location'), `${SIGNED_OUT}?state=s1`);
    assert.equal(await stillSignedIn(cookie), false);
  });

  test("a hint for another user than the signed-in one asks first", async () => {
    const { idToken } = await signedIn('rp-client');
    const other = await signedIn('rp-client');
    // Same user, other session: the hint names a session that is not this browser's.
    const page = await other.agent.navigate(`/oauth2/logout?${new URLSearchParams({ id_token_hint: idToken })}`);
    assert.match(page.html, /Sign out of Gatehouse\?/);
    assert.equal(await stillSignedIn(other.cookie), true);
  });

  test('with nobody signed in, a valid request goes straight back to the client; without one, a signed-out page', async () => {
    const agent = new TestUserAgent(server.issuer);
    const back = await agent.request(`/oauth2/logout?${new URLSearchParams({ client_id: 'rp-client', post_logout_redirect_uri: SIGNED_OUT, state: 'z' })}`);
    assert.equal(back.headers.get('location'), `${SIGNED_OUT}?state=z`);
    const page = await agent.navigate('/oauth2/logout');
    assert.equal(page.response.status, 200);
    assert.match(page.html, /You are signed out/);
    assert.match(page.html, /href="\/login"/, 'with a way back to sign in');
  });

  test('the signed-out page loads each front-channel logout URI (with iss and sid) in an invisible iframe the CSP allows', async () => {
    const { agent, config, idToken, claims, cookie } = await signedIn('fc-client');
    const url = client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT, state: 'fc' });
    const page = await agent.navigate(url.href);
    assert.equal(page.response.status, 200);
    assert.equal(await stillSignedIn(cookie), false);
    const frame = /<iframe src="([^"]+)"/.exec(page.html);
    assert.ok(frame, 'an iframe is on the page');
    const src = new URL(frame[1]!.replace(/&amp;/g, '&'));
    assert.equal(src.origin + src.pathname, 'https://fc.example/logout');
    assert.equal(src.searchParams.get('from'), 'gatehouse');
    assert.equal(src.searchParams.get('iss'), server.issuer);
    assert.equal(src.searchParams.get('sid'), claims.sid);
    const csp = page.response.headers.get('content-security-policy')!;
    assert.match(csp, /frame-src https:\/\/fc\.example(;|$)/);
    assert.match(csp, /frame-ancestors 'none'/, 'the page itself still cannot be framed');
    assert.match(page.html, /http-equiv="refresh" content="2;url=https:\/\/rp\.example\/signed-out\?state=fc"/);
    // Other pages keep the policy without frames.
    const plain = await agent.request('/login');
    assert.doesNotMatch(plain.headers.get('content-security-policy')!, /frame-src/);
  });

  test("Gatehouse's own sign-out button ends the session the same way: clients are told", async () => {
    await server.services.logout.deliverPending(); // what earlier tests' logouts sent
    const before = rp.to('/backchannel').length;
    const { agent } = await signedIn('rp-client');
    const apps = await agent.navigate('/account/apps');
    const response = await agent.navigate('/logout', { form: hiddenFields(apps.html, '/logout') });
    assert.match(response.html, /You are signed out/);
    await server.services.logout.deliverPending();
    assert.equal(rp.to('/backchannel').length, before + 1);
  });

  test("a password change ends the user's sessions and tells their clients too", async () => {
    await server.services.logout.deliverPending(); // what earlier tests' logouts sent
    const before = rp.to('/backchannel').length;
    const { claims, cookie } = await signedIn('rp-client');
    await server.services.accounts.setPassword(USER.username, 'a-new-password-123');
    await server.services.accounts.setPassword(USER.username, USER.password);
    assert.equal(await stillSignedIn(cookie), false);
    await server.services.logout.deliverPending();
    const sent = rp.to('/backchannel').slice(before).map((d) => decodeJwt(d.form.get('logout_token')!).sid);
    assert.ok(sent.includes(claims.sid), 'the session of the ID token was notified');
  });

  test('an expired id_token_hint is still accepted: clients usually hold one that has expired', async () => {
    const { agent, config, idToken, cookie } = await signedIn('rp-client');
    clock.advanceSeconds(2 * 3600);
    try {
      assert.ok(decodeJwt(idToken).exp! < clock.seconds(), 'the hint has expired');
      const response = await agent.request(client.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: SIGNED_OUT }).href);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), SIGNED_OUT);
      assert.equal(await stillSignedIn(cookie), false);
      await server.services.logout.deliverPending();
    } finally {
      clock.reset();
    }
  });

  test('a relying party that fails is tried again once the clock has moved past the backoff, and not before', async () => {
    rp.failures.set('/flaky', [503]);
    const { agent, config, idToken } = await signedIn('flaky-client');
    await agent.request(client.buildEndSessionUrl(config, { id_token_hint: idToken }).href);
    let round = await server.services.logout.deliverPending();
    assert.equal(rp.to('/flaky').length, 1, 'the first attempt was made (and failed)');
    round = await server.services.logout.deliverPending();
    assert.deepEqual(round, { sent: 0, retried: 0, gaveUp: 0 }, 'not retried before the backoff');
    clock.advanceSeconds(BACKCHANNEL_BACKOFF_SECONDS[0]!);
    round = await server.services.logout.deliverPending();
    assert.deepEqual(round, { sent: 1, retried: 0, gaveUp: 0 });
    assert.equal(rp.to('/flaky').length, 2);
    const token = rp.to('/flaky')[1]!.form.get('logout_token')!;
    assert.equal(decodeJwt(token).aud, 'flaky-client');
    clock.reset();
  });

  test('a relying party that keeps failing is given up after the last attempt, with an error logged (and no token in it)', async () => {
    const logged: Array<{ level: string; object: Record<string, unknown>; message: string }> = [];
    const logger: LogoutLogger = {
      info: (object, message) => logged.push({ level: 'info', object, message }),
      warn: (object, message) => logged.push({ level: 'warn', object, message }),
      error: (object, message) => logged.push({ level: 'error', object, message }),
    };
    // Only this test's rounds run (the server's beat stops), and their lines come here.
    await server.services.logout.stop();
    server.services.logout.start(0, logger);
    try {
      await server.services.logout.deliverPending();
      rp.failures.set('/flaky', Array<number>(BACKCHANNEL_MAX_ATTEMPTS).fill(500));
      const before = rp.to('/flaky').length;
      const { agent, config, idToken, claims } = await signedIn('flaky-client');
      await agent.request(client.buildEndSessionUrl(config, { id_token_hint: idToken }).href);
      const rounds = [];
      for (let attempt = 1; attempt <= BACKCHANNEL_MAX_ATTEMPTS; attempt++) {
        rounds.push(await server.services.logout.deliverPending());
        clock.advanceSeconds(BACKCHANNEL_BACKOFF_SECONDS[attempt - 1] ?? 0);
      }
      assert.equal(rp.to('/flaky').length - before, BACKCHANNEL_MAX_ATTEMPTS);
      assert.deepEqual(rounds.at(-1), { sent: 0, retried: 0, gaveUp: 1 });
      assert.deepEqual(await server.services.logout.deliverPending(), { sent: 0, retried: 0, gaveUp: 0 }, 'nothing left to send');
      const gaveUp = logged.find((line) => line.level === 'error');
      assert.ok(gaveUp, 'the give-up is logged');
      assert.equal(gaveUp.object.clientId, 'flaky-client');
      assert.equal(gaveUp.object.sid, claims.sid);
      assert.equal(gaveUp.object.failure, 'HTTP 500');
      assert.equal(logged.filter((line) => line.level === 'warn').length, BACKCHANNEL_MAX_ATTEMPTS - 1);
      assert.doesNotMatch(JSON.stringify(logged), /eyJ/, 'no token is logged');
    } finally {
      clock.reset();
      rp.failures.delete('/flaky');
      server.services.logout.start(5, server.server.publicApp.log);
    }
  });
});
