// Token exchange (RFC 8693) with a real OAuth client (openid-client's genericGrantRequest), over real HTTP, on SQLite
// and PostgreSQL. The story: Zapier holds a user's token for the leads API; the leads API (a resource server) trades
// it for a narrower token for the enrichment API, which trades that for one for the archive API. Each token is the
// user's, names who acts in `act` (nested: the chain), never outlives the one it came from, and ends when the user's
// grant is revoked. Who may exchange what, and every bad subject token, is refused with an error that names why.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { basic, CALLBACK, USER, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';
import { createTokenVerifier } from '../../src/resource/index.js';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const LEADS = 'https://api.example.com/leads';
const ENRICH = 'https://enrich.example.com';
const ARCHIVE = 'https://archive.example.com';
const UNREGISTERED = 'https://unknown.example.com';
const BILLING = 'https://billing.example.com';

const oauthError = (code: string, pattern?: RegExp) => (error: client.ResponseBodyError) => {
  assert.equal(error.error, code, `${error.error}: ${error.error_description}`);
  if (pattern) assert.match(error.error_description ?? '', pattern);
  return true;
};

await describeOnBackends('token exchange (RFC 8693)', (backend) => {
  let server: TestServer;
  const clock = new TestClock();
  const secrets: Record<string, string> = {};
  const configs: Record<string, client.Configuration> = {};
  let userId: string;

  /** A fresh user token from Zapier's authorization code flow: aud LEADS, scope read:leads write:leads. */
  async function userToken(): Promise<client.TokenEndpointResponse> {
    const verifier = client.randomPKCECodeVerifier();
    const params = new URLSearchParams({ redirect_uri: CALLBACK, scope: 'read:leads write:leads', resource: LEADS, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const url = client.buildAuthorizationUrl(configs.zapier!, params);
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    return client.authorizationCodeGrant(configs.zapier!, callback, { pkceCodeVerifier: verifier });
  }

  const exchange = (as: string, subjectToken: string, extra: Record<string, string> = {}) =>
    client.genericGrantRequest(configs[as]!, EXCHANGE, { subject_token: subjectToken, subject_token_type: ACCESS_TOKEN, ...extra });

  const introspect = async (as: string, token: string) =>
    (await postForm(`${server.issuer}/oauth2/introspect`, { token }, { authorization: basic(as, secrets[as]!) })).json() as Promise<Record<string, unknown>>;

  before(async () => {
    server = await startTestServer({ backend, clock });
    userId = (await createUser(server, USER)).id;
    await server.services.resources.create({ uri: LEADS, name: 'Leads API', scopes: 'read:leads write:leads' });
    await server.services.resources.create({ uri: ENRICH, name: 'Enrichment API', scopes: 'read:leads' });
    await server.services.resources.create({ uri: ARCHIVE, name: 'Archive', scopes: 'read:leads' });
    const clients = [
      // The third-party app the user connected; it may also exchange its own user tokens (an agent acting for the user).
      { clientId: 'zapier', scopes: 'read:leads write:leads', grantTypes: ['authorization_code', 'refresh_token', EXCHANGE], tokenExchangeResources: [ENRICH] },
      // The leads API: a resource server for LEADS that calls the enrichment API for the user.
      { clientId: 'leads-api', scopes: 'read:leads', grantTypes: [EXCHANGE, 'client_credentials'], resourceServerFor: [LEADS], tokenExchangeResources: [ENRICH, UNREGISTERED, BILLING] },
      // The enrichment API: serves ENRICH, calls the archive; its tokens are opaque (their `act` lives on their row).
      { clientId: 'enricher', scopes: 'read:leads', grantTypes: [EXCHANGE], resourceServerFor: [ENRICH], tokenExchangeResources: [ARCHIVE], accessTokenFormat: 'opaque' as const },
      // Serves LEADS too but was never allowed to exchange.
      { clientId: 'reporter', scopes: 'read:leads', grantTypes: ['client_credentials'], resourceServerFor: [LEADS], tokenExchangeResources: [ENRICH] },
      // May exchange, but neither holds nor serves the user's token.
      { clientId: 'bystander', scopes: 'read:leads', grantTypes: [EXCHANGE], tokenExchangeResources: [ENRICH] },
    ];
    for (const input of clients) {
      const made = await createClient(server, input as never);
      secrets[input.clientId] = made.clientSecret!;
      configs[input.clientId] = await oidcClient(server, input.clientId, client.ClientSecretBasic(made.clientSecret!));
    }
  });
  after(() => server.close());

  test('discovery lists the token exchange grant', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json() as { grant_types_supported: string[] };
    assert.ok(metadata.grant_types_supported.includes(EXCHANGE));
  });

  test('a resource server trades the user\'s token for a narrower one for another resource: aud, scope, sub, act, exp; no refresh token', async () => {
    const user = await userToken();
    const subject = decodeJwt(user.access_token);
    clock.advanceSeconds(60);
    const sent = clock.seconds();
    const exchanged = await exchange('leads-api', user.access_token, { resource: ENRICH, scope: 'read:leads' });
    const answered = clock.seconds();
    assert.equal(exchanged.issued_token_type, ACCESS_TOKEN);
    assert.equal(exchanged.token_type, 'bearer');
    assert.equal(exchanged.refresh_token, undefined, 'an exchange issues no refresh token');
    assert.equal(exchanged.scope, 'read:leads');
    const claims = decodeJwt(exchanged.access_token);
    assert.equal(claims.aud, ENRICH);
    assert.equal(claims.sub, userId, 'the token is still the user\'s');
    assert.equal(claims.client_id, 'leads-api');
    assert.equal(claims.scope, 'read:leads');
    assert.deepEqual(claims.act, { sub: 'leads-api' });
    assert.ok(claims.exp! <= subject.exp!, 'never outlives the subject token');
    assert.equal(claims.exp, subject.exp, 'capped at what the subject token had left (leads-api\'s lifetime is as long)');
    // The clock runs on in real time: expires_in is what the subject token had left when the server answered.
    assert.ok(exchanged.expires_in! <= subject.exp! - sent && exchanged.expires_in! >= subject.exp! - answered, `expires_in ${exchanged.expires_in}`);

    // The enrichment API's SDK sees who acts.
    const verifier = createTokenVerifier({ issuer: server.issuer, audience: ENRICH, now: () => clock.now() });
    const principal = await verifier.verify(exchanged.access_token, { requiredScopes: ['read:leads'] });
    assert.equal(principal.subject, userId);
    assert.deepEqual(principal.act, { sub: 'leads-api' });
    // The original token has no actor.
    assert.equal((await createTokenVerifier({ issuer: server.issuer, audience: LEADS, now: () => clock.now() }).verify(user.access_token)).act, null);
  });

  test('a second exchange nests act; introspection shows the chain (JWT and opaque)', async () => {
    const user = await userToken();
    const first = await exchange('leads-api', user.access_token, { audience: ENRICH });
    assert.equal(first.scope, 'read:leads', 'without scope: the subject\'s scopes the target and the client accept');
    const second = await exchange('enricher', first.access_token, { resource: ARCHIVE });
    assert.ok(second.access_token.startsWith('gha_'), 'enricher gets opaque tokens');
    assert.ok(second.expires_in! <= first.expires_in!);

    const chain = { sub: 'enricher', act: { sub: 'leads-api' } };
    const opaque = await introspect('enricher', second.access_token);
    assert.equal(opaque.active, true);
    assert.equal(opaque.sub, userId);
    assert.equal(opaque.aud, ARCHIVE);
    assert.equal(opaque.client_id, 'enricher');
    assert.deepEqual(opaque.act, chain);
    const jwt = await introspect('enricher', first.access_token);
    assert.equal(jwt.active, true, 'the resource server of the exchanged token\'s audience may introspect it');
    assert.deepEqual(jwt.act, { sub: 'leads-api' });
    const original = await introspect('zapier', user.access_token);
    assert.equal(original.active, true);
    assert.equal(original.act, undefined, 'a token nobody exchanged names no actor');

    // So does `tokens inspect` (admin API, same domain function as the CLI).
    const inspect = async (token: string) => (await fetch(`${server.adminUrl}/admin/tokens/inspect`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) })).json() as Promise<Record<string, unknown>>;
    const report = await inspect(second.access_token);
    assert.equal(report.kind, 'opaque_access_token');
    assert.equal(report.status, 'active');
    assert.deepEqual(report.act, chain);
    assert.deepEqual((await inspect(first.access_token)).act, { sub: 'leads-api' });
    assert.equal((await inspect(user.access_token)).act, null);

    // The SDK reads the chain from introspection too.
    const verifier = createTokenVerifier({ issuer: server.issuer, audience: ARCHIVE, introspection: { clientId: 'enricher', clientSecret: secrets.enricher! }, now: () => clock.now() });
    assert.deepEqual((await verifier.verify(second.access_token)).act, chain);
  });

  test('the client the token was issued to may exchange it (an agent), and may name itself with an actor_token', async () => {
    const user = await userToken();
    const own = await exchange('zapier', user.access_token, { resource: ENRICH });
    assert.deepEqual(decodeJwt(own.access_token).act, { sub: 'zapier' });
    const serviceToken = await client.clientCredentialsGrant(configs['leads-api']!, { scope: 'read:leads' });
    const withActor = await exchange('leads-api', user.access_token, { resource: ENRICH, actor_token: serviceToken.access_token, actor_token_type: ACCESS_TOKEN });
    assert.deepEqual(decodeJwt(withActor.access_token).act, { sub: 'leads-api' });
    // An actor token of another client does not make this one that actor.
    await assert.rejects(exchange('zapier', user.access_token, { resource: ENRICH, actor_token: serviceToken.access_token, actor_token_type: ACCESS_TOKEN }), oauthError('invalid_grant', /actor_token was not issued to client "zapier"/));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, actor_token: serviceToken.access_token }), oauthError('invalid_request', /actor_token_type is required/));
  });

  test('a chain records at most 5 actors', async () => {
    let token = (await userToken()).access_token;
    for (let depth = 1; depth <= 5; depth++) {
      token = (await exchange('zapier', token, { resource: ENRICH })).access_token;
      let act = decodeJwt(token).act as { sub: string; act?: unknown } | undefined;
      let links = 0;
      for (; act; act = act.act as typeof act) links++;
      assert.equal(links, depth);
    }
    await assert.rejects(exchange('zapier', token, { resource: ENRICH }), oauthError('invalid_grant', /subject_token already records 5 actors; a chain may hold at most 5/));
  });

  test('scope may only narrow: beyond the subject token, the client, or the target is refused', async () => {
    const user = await userToken();
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, scope: 'read:leads delete:leads' }), oauthError('invalid_scope', /the token exchange asked for "delete:leads", beyond "read:leads write:leads"/));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, scope: 'write:leads' }), oauthError('invalid_scope', /client "leads-api" asked for "write:leads"/));
    await assert.rejects(exchange('zapier', user.access_token, { resource: ENRICH, scope: 'write:leads' }), oauthError('invalid_target', /"https:\/\/enrich\.example\.com" does not accept scope "write:leads"/));
  });

  test('the target must be in the client\'s token_exchange_resources and registered; one is required', async () => {
    const user = await userToken();
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ARCHIVE }), oauthError('invalid_target', /client "leads-api" may not exchange tokens for "https:\/\/archive\.example\.com" \(its token_exchange_resources: "https:\/\/enrich\.example\.com", /));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, audience: ARCHIVE }), oauthError('invalid_target', /may not exchange tokens for "https:\/\/archive\.example\.com"/));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: UNREGISTERED }), oauthError('invalid_target', /resource "https:\/\/unknown\.example\.com" is not registered/));
    await assert.rejects(exchange('leads-api', user.access_token, { audience: BILLING }), oauthError('invalid_target', /^audience "https:\/\/billing\.example\.com" is not registered/));
    await assert.rejects(exchange('leads-api', user.access_token), oauthError('invalid_request', /resource or audience is required/));
  });

  test('who may exchange: not a client without the grant, nor one that neither holds nor serves the token', async () => {
    const user = await userToken();
    await assert.rejects(exchange('reporter', user.access_token, { resource: ENRICH }), oauthError('unauthorized_client', /not allowed the urn:ietf:params:oauth:grant-type:token-exchange grant/));
    await assert.rejects(exchange('bystander', user.access_token, { resource: ENRICH }), oauthError('invalid_grant', /issued to another client and is not meant for a resource client "bystander" serves/));
    const own = await client.clientCredentialsGrant(configs['leads-api']!, { scope: 'read:leads' });
    await assert.rejects(exchange('leads-api', own.access_token, { resource: ENRICH }), oauthError('invalid_grant', /only a user's access token/));
  });

  test('bad subject tokens: garbage, a refresh token, a revoked one, an unsupported type; only access tokens are issued', async () => {
    const user = await userToken();
    await assert.rejects(exchange('leads-api', 'not-a-token', { resource: ENRICH }), oauthError('invalid_grant', /subject_token is not an access token issued by this server/));
    await assert.rejects(exchange('zapier', user.refresh_token!, { resource: ENRICH }), oauthError('invalid_grant', /subject_token is a refresh token/));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, subject_token_type: 'urn:ietf:params:oauth:token-type:id_token' }), oauthError('invalid_request', /subject_token_type "urn:ietf:params:oauth:token-type:id_token" is not supported; only urn:ietf:params:oauth:token-type:access_token/));
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH, requested_token_type: 'urn:ietf:params:oauth:token-type:refresh_token' }), oauthError('invalid_request', /requested_token_type .* is not supported/));
    await assert.rejects(client.genericGrantRequest(configs['leads-api']!, EXCHANGE, { subject_token: user.access_token, resource: ENRICH }), oauthError('invalid_request', /subject_token_type is required/));

    const revoked = await postForm(`${server.issuer}/oauth2/revoke`, { token: user.access_token }, { authorization: basic('zapier', secrets.zapier!) });
    assert.equal(revoked.status, 200);
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH }), oauthError('invalid_grant', /subject_token has been revoked/));
  });

  test('revoking the user\'s grant ends every token exchanged from it, down the chain', async () => {
    const user = await userToken();
    const first = await exchange('leads-api', user.access_token, { resource: ENRICH });
    const second = await exchange('enricher', first.access_token, { resource: ARCHIVE });
    const grantId = decodeJwt(user.access_token).grant_id as string;
    const response = await fetch(`${server.adminUrl}/admin/grants/${grantId}`, { method: 'DELETE', headers: { 'content-type': 'application/json' } });
    assert.equal(response.status, 200, await response.text());
    assert.deepEqual(await introspect('enricher', first.access_token), { active: false });
    assert.deepEqual(await introspect('enricher', second.access_token), { active: false });
    await assert.rejects(exchange('enricher', first.access_token, { resource: ARCHIVE }), oauthError('invalid_grant', /subject_token has been revoked/));
  });

  test('an expired subject token is refused (and an exchanged one expires with it)', async () => {
    const user = await userToken();
    const exchanged = await exchange('leads-api', user.access_token, { resource: ENRICH });
    clock.advanceSeconds(3601);
    await assert.rejects(exchange('leads-api', user.access_token, { resource: ENRICH }), oauthError('invalid_grant', /subject_token has expired/));
    await assert.rejects(exchange('enricher', exchanged.access_token, { resource: ARCHIVE }), oauthError('invalid_grant', /subject_token has expired/));
  });
});
