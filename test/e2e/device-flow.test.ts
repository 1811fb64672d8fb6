// The device authorization grant (RFC 8628) with a real OAuth client (openid-client's device flow) over real HTTP,
// and the user's side walked through the built-in verification, sign-in and consent pages with a cookie jar.
// Time moves on the server's test clock, never by sleeping: each test starts a new minute (a fresh user-code
// limit window); openid-client polls at once when told the interval is 0 (its own wait is the client's business).
import assert from 'node:assert/strict';
import { before, after, beforeEach, test } from 'node:test';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describeOnBackends, dumpDatabase } from '../helpers/backends.js';
import { TestClock } from '../helpers/clock.js';
import { basic, createClient, createUser, oidcClient, postForm, USER } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hiddenFields, TestUserAgent } from '../helpers/user-agent.js';
import { DEVICE_CODE_GRANT } from '../../src/store/types.js';

const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const VERIFY = '/oauth2/device/verify';

/** The error an openid-client call rejected with (RFC 6749 `error`). */
async function errorOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return error.error;
    throw error;
  }
  throw new Error('the call succeeded');
}

await describeOnBackends('device authorization grant', (backend) => {
  let server: TestServer;
  let clock: TestClock;
  let tv: client.Configuration;
  let userId: string;

  before(async () => {
    clock = new TestClock();
    server = await startTestServer({ backend, clock });
    userId = (await createUser(server, USER, { name: 'Alice' })).id;
    await createClient(server, { name: 'Living-room TV', clientId: 'tv-app', public: true, redirectUris: [], grantTypes: [DEVICE_CODE_GRANT, 'refresh_token'], scopes: 'openid profile read:leads' });
    tv = await oidcClient(server, 'tv-app', client.None());
  });
  after(() => server.close());
  beforeEach(() => clock.advanceSeconds(61));

  /** What the device polls with, as openid-client sends it. */
  const poll = (config: client.Configuration, deviceCode: string) => client.genericGrantRequest(config, DEVICE_CODE_GRANT, { device_code: deviceCode });
  /** Polls once, at once (openid-client waits `interval` seconds before each poll). */
  const pollNow = (config: client.Configuration, started: client.DeviceAuthorizationResponse) =>
    client.pollDeviceAuthorizationGrant(config, { ...started, interval: 0 }, undefined, { signal: AbortSignal.timeout(10_000) });

  /** The user's side: open the link the device shows, type the code, sign in, answer the consent page. */
  async function userApproves(started: client.DeviceAuthorizationResponse, decision: 'allow' | 'deny', typed = started.user_code): Promise<{ html: string; consent: string }> {
    const browser = new TestUserAgent(server.issuer);
    const form = await browser.navigate(started.verification_uri);
    assert.equal(form.response.status, 200);
    assert.match(form.html, /name="user_code"/);
    const login = await browser.navigate(VERIFY, { form: { ...hiddenFields(form.html, VERIFY), user_code: typed } });
    assert.match(login.html, /action="\/login"/, 'a signed-out user signs in first');
    const consent = await browser.signIn(login.html, USER.username, USER.password);
    assert.equal(consent.response.status, 200);
    assert.match(consent.html, /name="decision"/, 'then sees the consent page');
    const done = await browser.navigate(VERIFY, { form: { ...hiddenFields(consent.html, VERIFY), decision } });
    assert.equal(done.response.status, 200);
    return { html: done.html, consent: consent.html };
  }

  test('discovery names the device authorization endpoint and the grant', async () => {
    const metadata = tv.serverMetadata();
    assert.equal(metadata.device_authorization_endpoint, `${server.issuer}/oauth2/device/auth`);
    assert.ok(metadata.grant_types_supported?.includes(DEVICE_CODE_GRANT));
  });

  test('a device gets a code, waits while the user decides, and once approved gets the same tokens as a code exchange, once', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'openid profile read:leads' });
    assert.match(started.user_code, USER_CODE);
    assert.equal(started.verification_uri, `${server.issuer}${VERIFY}`);
    assert.equal(started.verification_uri_complete, `${server.issuer}${VERIFY}?user_code=${started.user_code}`);
    assert.equal(started.expires_in, 600, 'GATEHOUSE_DEVICE_CODE_TTL defaults to 10 minutes');
    assert.equal(started.interval, 5);

    assert.equal(await errorOf(poll(tv, started.device_code)), 'authorization_pending');
    assert.equal(await errorOf(poll(tv, started.device_code)), 'slow_down', 'polled again within the interval');
    clock.advanceSeconds(10);
    assert.equal(await errorOf(poll(tv, started.device_code)), 'authorization_pending', 'on time at the grown interval (10 s)');

    // Typed in lower case, without its dash: matched all the same.
    const { html, consent } = await userApproves(started, 'allow', started.user_code.toLowerCase().replace('-', ' '));
    assert.match(consent, new RegExp(started.user_code), 'the consent page shows the code to compare with the device');
    assert.match(consent, /Living-room TV wants to access your account/);
    assert.match(html, /Your device is connected/);

    const tokens = await pollNow(tv, started);
    assert.equal(tokens.scope, 'openid profile read:leads');
    assert.ok(tokens.refresh_token, 'the client is allowed refresh_token');
    assert.equal(tokens.claims()?.sub, userId, 'an ID token for openid');
    assert.equal(decodeJwt(tokens.access_token).client_id, 'tv-app');
    const info = await client.fetchUserInfo(tv, tokens.access_token, userId);
    assert.equal(info.name, 'Alice');

    assert.equal(await errorOf(poll(tv, started.device_code)), 'invalid_grant', 'an exchanged device code is spent');
    const refreshed = await client.refreshTokenGrant(tv, tokens.refresh_token!);
    assert.ok(refreshed.access_token, 'the grant refreshes like any other');
  });

  test('a confidential client authenticates at both endpoints; a denial is access_denied', async () => {
    const made = await createClient(server, { name: 'Printer', clientId: 'printer', redirectUris: [], grantTypes: [DEVICE_CODE_GRANT], scopes: 'read:leads' });
    const printer = await oidcClient(server, 'printer', client.ClientSecretBasic(made.clientSecret!));
    const started = await client.initiateDeviceAuthorization(printer, { scope: 'read:leads' });
    const { html } = await userApproves(started, 'deny');
    assert.match(html, /Device not connected/);
    assert.equal(await errorOf(pollNow(printer, started)), 'access_denied');

    const wrongSecret = await postForm(`${server.issuer}/oauth2/device/auth`, { scope: 'read:leads' }, { authorization: basic('printer', 'wrong') });
    assert.equal(wrongSecret.status, 401);
    assert.equal((await wrongSecret.json()).error, 'invalid_client');

    // Resource indicators are not carried through the device flow: refused, not silently ignored.
    const withResource = await postForm(`${server.issuer}/oauth2/device/auth`, { scope: 'read:leads', resource: 'https://api.example.com' }, { authorization: basic('printer', made.clientSecret!) });
    assert.equal(withResource.status, 400);
    assert.equal((await withResource.json()).error, 'invalid_target');
  });

  test('an approved device with no refresh_token grant and no openid gets an access token only', async () => {
    const made = await createClient(server, { name: 'Kiosk', clientId: 'kiosk', redirectUris: [], grantTypes: [DEVICE_CODE_GRANT], scopes: 'read:leads' });
    const kiosk = await oidcClient(server, 'kiosk', client.ClientSecretPost(made.clientSecret!));
    const started = await client.initiateDeviceAuthorization(kiosk, {});
    await userApproves(started, 'allow');
    const tokens = await pollNow(kiosk, started);
    assert.equal(tokens.refresh_token, undefined);
    assert.equal(tokens.id_token, undefined);
  });

  test('a device code past its lifetime is expired_token, and its user code is no longer accepted', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    clock.advanceSeconds(601);
    assert.equal(await errorOf(pollNow(tv, started)), 'expired_token');
    const browser = new TestUserAgent(server.issuer);
    const form = await browser.navigate(VERIFY);
    const answer = await browser.navigate(VERIFY, { form: { ...hiddenFields(form.html, VERIFY), user_code: started.user_code } });
    assert.equal(answer.response.status, 400);
    assert.match(answer.html, /not valid, or it has expired/);
  });

  test('a wrong or malformed user code is refused on the page, and a form without its CSRF token is refused', async () => {
    const browser = new TestUserAgent(server.issuer);
    const form = await browser.navigate(VERIFY);
    for (const typed of ['BCDF-GHJK', 'AAAA-AAAA', 'x', '']) {
      const answer = await browser.navigate(VERIFY, { form: { ...hiddenFields(form.html, VERIFY), user_code: typed } });
      assert.equal(answer.response.status, 400, typed);
      assert.match(answer.html, /role="alert"/);
      assert.match(answer.html, /name="user_code"/, 'the form again');
    }
    const forged = await browser.navigate(VERIFY, { form: { user_code: 'BCDF-GHJK' } });
    assert.equal(forged.response.status, 403);
  });

  test('guessing user codes is limited per address: after ten wrong codes in a minute every look-up is refused, even a right one', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    const browser = new TestUserAgent(server.issuer);
    const form = await browser.navigate(VERIFY);
    const fields = hiddenFields(form.html, VERIFY);
    // People who type their code right are not counted.
    for (let attempt = 1; attempt <= 12; attempt++) assert.equal((await browser.request(VERIFY, { form: { ...fields, user_code: started.user_code } })).status, 200);
    for (let attempt = 1; attempt <= 10; attempt++) {
      const answer = await browser.request(VERIFY, { form: { ...fields, user_code: 'BCDF-GHJK' } });
      assert.equal(answer.status, 400, `attempt ${attempt}`);
    }
    for (const typed of ['BCDF-GHJK', started.user_code]) {
      const refused = await browser.request(VERIFY, { form: { ...fields, user_code: typed } });
      assert.equal(refused.status, 429, typed);
      assert.ok(Number(refused.headers.get('retry-after')) > 0);
      // The form again, saying what happened in plain words.
      const page = await refused.text();
      assert.match(page, /Too many wrong codes were entered from your network[^<]*Wait \d+ (seconds?|minutes?), then enter the code again/);
      assert.match(page, /<input id="user_code" name="user_code"/);
    }
    clock.advanceSeconds(61);
    assert.equal((await browser.request(VERIFY, { form: { ...fields, user_code: started.user_code } })).status, 200, 'a new minute, a new budget');
  });

  test('a client not allowed the grant gets unauthorized_client; another client\'s device code is invalid_grant', async () => {
    const made = await createClient(server, { name: 'Web app', clientId: 'web-app', scopes: 'read:leads' });
    const web = await oidcClient(server, 'web-app', client.ClientSecretBasic(made.clientSecret!));
    assert.equal(await errorOf(client.initiateDeviceAuthorization(web, { scope: 'read:leads' })), 'unauthorized_client');
    assert.equal(await errorOf(poll(web, 'any-device-code')), 'unauthorized_client', 'nor may it poll');

    await createClient(server, { name: 'Other TV', clientId: 'other-tv', public: true, redirectUris: [], grantTypes: [DEVICE_CODE_GRANT], scopes: 'read:leads' });
    const other = await oidcClient(server, 'other-tv', client.None());
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    await userApproves(started, 'allow');
    assert.equal(await errorOf(poll(other, started.device_code)), 'invalid_grant');
    assert.ok((await pollNow(tv, started)).access_token, 'and the code still works for its own client');
    assert.equal(await errorOf(client.initiateDeviceAuthorization(tv, { scope: 'write:leads' })), 'invalid_scope');
  });

  test('racing polls after the approval: exactly one gets tokens, the others invalid_grant, and one grant is made', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    await userApproves(started, 'allow');
    const grantsBefore = (await server.services.store.listGrants({ clientId: 'tv-app', includeRevoked: true })).length;
    const answers = await Promise.all(Array.from({ length: 8 }, () =>
      postForm(`${server.issuer}/oauth2/token`, { grant_type: DEVICE_CODE_GRANT, device_code: started.device_code, client_id: 'tv-app' })));
    const bodies = await Promise.all(answers.map(async (answer) => ({ status: answer.status, body: await answer.json() as Record<string, string> })));
    assert.equal(bodies.filter((b) => b.status === 200 && b.body.access_token).length, 1, JSON.stringify(bodies.map((b) => b.body.error ?? 'tokens')));
    assert.ok(bodies.filter((b) => b.status !== 200).every((b) => b.status === 400 && b.body.error === 'invalid_grant'));
    assert.equal((await server.services.store.listGrants({ clientId: 'tv-app', includeRevoked: true })).length, grantsBefore + 1);
  });

  test('only hashes of the device code and the user code are stored', async () => {
    const started = await client.initiateDeviceAuthorization(tv, { scope: 'read:leads' });
    const dump = await dumpDatabase(server.config.databaseUrl);
    assert.ok(!dump.includes(started.device_code));
    assert.ok(!dump.includes(started.user_code) && !dump.includes(started.user_code.replace('-', '')));
  });
});
