// DPoP (RFC 9449) at the authorization server, with oauth4webapi (which has DPoP built in) as the client: a public
// client's code flow and refresh with sender-constrained tokens, the token bound to the key (cnf.jkt), userinfo with
// the DPoP scheme, a bound refresh token refused with another key, a client that must use DPoP, proof replay, the
// nonce challenge, and the same rules across two instances on one PostgreSQL.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as oauth from 'oauth4webapi';
import { calculateJwkThumbprint, decodeJwt, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser, postForm } from '../helpers/fixtures.js';
import { TestClock } from '../helpers/clock.js';
import { testBackends } from '../helpers/databases.js';
import { DPOP_NONCE_WINDOW_SECONDS } from '../../src/oauth/dpop.js';
import { sha256Hex } from '../../src/domain/crypto.js';
import { startProtectedApi, type AdapterKind } from '../resource/helpers/gatehouse-api.js';

const insecure = { [oauth.allowInsecureRequests]: true } as const;

async function discover(issuer: string): Promise<oauth.AuthorizationServer> {
  const url = new URL(issuer);
  return oauth.processDiscoveryResponse(url, await oauth.discoveryRequest(url, { ...insecure, algorithm: 'oauth2' }));
}

/** A hand-made proof for the token endpoint of `issuer`, with these claims over good defaults. */
async function proof(key: CryptoKeyPair, issuer: string, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const jwk = await exportJWK(key.publicKey);
  return new SignJWT({ jti: randomUUID(), htm: 'POST', htu: `${issuer}/oauth2/token`, iat: Math.floor(Date.now() / 1000), ...claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
    .sign(key.privateKey);
}

const thumbprint = async (key: CryptoKeyPair) => calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256');

/** The error a refused token request gets from oauth4webapi. */
const refusedWith = (code: string, description?: RegExp) => (error: unknown) => {
  assert.ok(error instanceof oauth.ResponseBodyError, String(error));
  assert.equal(error.error, code, error.error_description);
  if (description) assert.match(error.error_description ?? '', description);
  return true;
};

/** Signs alice in and approves; answers the callback parameters and the PKCE verifier. */
async function authorize(issuer: string, as: oauth.AuthorizationServer, client: oauth.Client, scope: string) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint!);
  url.search = new URLSearchParams({
    client_id: client.client_id, redirect_uri: CALLBACK, response_type: 'code', scope, state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  }).toString();
  const callback = await new TestUserAgent(issuer).authorize(url.href, USER);
  return { params: oauth.validateAuthResponse(as, client, callback, state), verifier };
}

await describeOnBackends('DPoP (RFC 9449)', (backend) => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let key: CryptoKeyPair;
  let otherKey: CryptoKeyPair;
  let confidentialSecret: string;
  const app: oauth.Client = { client_id: 'dpop-app' };

  /** Code flow with a proof by `with` on every token request. */
  async function codeFlow(scope = 'openid read:leads', withKey = key) {
    const { params, verifier } = await authorize(server.issuer, as, app, scope);
    const DPoP = oauth.DPoP(app, withKey);
    const response = await oauth.authorizationCodeGrantRequest(as, app, oauth.None(), params, CALLBACK, verifier, { DPoP, ...insecure });
    return { tokens: await oauth.processAuthorizationCodeResponse(as, app, response), DPoP };
  }

  async function refresh(refreshToken: string, DPoP?: oauth.DPoPHandle) {
    const response = await oauth.refreshTokenGrantRequest(as, app, oauth.None(), refreshToken, { DPoP, ...insecure });
    return oauth.processRefreshTokenResponse(as, app, response);
  }

  async function clientCredentials(dpop?: string) {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'dpop-service', client_secret: confidentialSecret }, dpop ? { dpop } : {});
    return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    server = await startTestServer({ backend });
    as = await discover(server.issuer);
    await createUser(server, USER);
    await createClient(server, { clientId: 'dpop-app', name: 'DPoP App', public: true, scopes: 'openid read:leads', grantTypes: ['authorization_code', 'refresh_token'] });
    const service = await createClient(server, { clientId: 'dpop-service', name: 'Service', scopes: 'read:leads', grantTypes: ['client_credentials'], accessTokenFormat: 'opaque' });
    confidentialSecret = service.clientSecret!;
    await createClient(server, { clientId: 'dpop-required', name: 'Strict', public: true, scopes: 'read:leads', grantTypes: ['authorization_code', 'refresh_token'], dpopBoundAccessTokens: true });
    key = await oauth.generateKeyPair('ES256');
    otherKey = await oauth.generateKeyPair('ES256');
  });
  after(() => server.close());

  test('discovery lists the asymmetric algorithms proofs may be signed with', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = (await (await fetch(`${server.issuer}${path}`)).json()) as Record<string, string[]>;
      const algs = metadata.dpop_signing_alg_values_supported!;
      assert.ok(algs.includes('ES256') && algs.includes('RS256') && algs.includes('EdDSA'), path);
      assert.ok(!algs.some((alg) => alg.startsWith('HS') || alg === 'none'), 'no symmetric algorithm, no none');
    }
  });

  test('code flow and refresh with oauth4webapi: DPoP tokens bound to the key, the binding kept through rotation', async () => {
    const { tokens, DPoP } = await codeFlow();
    assert.equal(tokens.token_type, 'dpop');
    const jkt = await thumbprint(key);
    assert.deepEqual(decodeJwt(tokens.access_token).cnf, { jkt });
    const stored = await server.services.store.getRefreshToken(sha256Hex(tokens.refresh_token!));
    assert.equal(stored?.dpopJkt, jkt, 'a public client\'s refresh token is bound to the key');

    const refreshed = await refresh(tokens.refresh_token!, DPoP);
    assert.equal(refreshed.token_type, 'dpop');
    assert.deepEqual(decodeJwt(refreshed.access_token).cnf, { jkt });
    // The successor is bound too: another key, or none, is refused.
    await assert.rejects(refresh(refreshed.refresh_token!, oauth.DPoP(app, otherKey)), refusedWith('invalid_grant', /bound to another DPoP key/));
    await assert.rejects(refresh(refreshed.refresh_token!), refusedWith('invalid_grant', /bound to a DPoP key/));
    // Those refusals ended nothing: the right key still refreshes.
    assert.equal((await refresh(refreshed.refresh_token!, DPoP)).token_type, 'dpop');
  });

  test('userinfo takes a DPoP-bound token with the DPoP scheme and a proof, and refuses it as Bearer', async () => {
    const { tokens, DPoP } = await codeFlow();
    const response = await oauth.userInfoRequest(as, app, tokens.access_token, { DPoP, ...insecure });
    assert.equal(response.status, 200);
    const claims = (await response.json()) as Record<string, unknown>;
    assert.equal(typeof claims.sub, 'string');

    const asBearer = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    assert.equal(asBearer.status, 401);
    assert.match(asBearer.headers.get('www-authenticate') ?? '', /error="invalid_token".*DPoP-bound/);

    // A proof for another token (wrong ath) is refused with a DPoP challenge naming the algorithms.
    const wrongAth = await proof(key, server.issuer, { htm: 'GET', htu: `${server.issuer}/userinfo`, ath: 'x'.repeat(43) });
    const refused = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}`, dpop: wrongAth } });
    assert.equal(refused.status, 401);
    const challenge = refused.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /^DPoP error="invalid_dpop_proof"/);
    assert.match(challenge, /algs="[^"]*ES256/);
    // The DPoP scheme without a proof says what is missing.
    const noProof = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `DPoP ${tokens.access_token}` } });
    assert.equal(noProof.status, 401);
    assert.match(noProof.headers.get('www-authenticate') ?? '', /^DPoP error="invalid_dpop_proof", error_description="the DPoP scheme needs a DPoP proof header"/);
  });

  test('a confidential client\'s access token is bound (opaque: introspection says cnf.jkt), its proof used once', async () => {
    const dpop = await proof(key, server.issuer);
    const answer = await clientCredentials(dpop);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.token_type, 'DPoP');
    const introspected = await postForm(`${server.issuer}/oauth2/introspect`, { token: answer.body.access_token as string, client_id: 'dpop-service', client_secret: confidentialSecret });
    const body = (await introspected.json()) as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.token_type, 'DPoP');
    assert.deepEqual(body.cnf, { jkt: await thumbprint(key) });

    const replayed = await clientCredentials(dpop);
    assert.equal(replayed.status, 400);
    assert.equal(replayed.body.error, 'invalid_dpop_proof');
    assert.match(replayed.body.error_description as string, /used already/);
    // Without a proof the same client gets a Bearer token: DPoP is the client's choice unless required.
    assert.equal((await clientCredentials()).body.token_type, 'Bearer');
  });

  test('every broken proof at the token endpoint is invalid_dpop_proof naming the rule', async () => {
    const now = Math.floor(Date.now() / 1000);
    const privateJwk = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    const cases: Array<[string, Promise<string> | string, RegExp]> = [
      ['wrong htm', proof(key, server.issuer, { htm: 'GET' }), /htm must be "POST"/],
      ['wrong htu', proof(key, server.issuer, { htu: 'https://elsewhere.example/oauth2/token' }), /htu must be/],
      ['old iat', proof(key, server.issuer, { iat: now - 3600 }), /too old/],
      ['future iat', proof(key, server.issuer, { iat: now + 3600 }), /in the future/],
      ['no jti', proof(key, server.issuer, { jti: undefined }), /jti/],
      ['wrong typ', proof(key, server.issuer, {}, { typ: 'JWT' }), /typ/],
      ['private key in jwk', proof(key, server.issuer, {}, { jwk: privateJwk }), /public key/],
      ['signed by another key', proof(otherKey, server.issuer, {}, { jwk: await exportJWK(key.publicKey) }), /signature/],
      ['not a JWS', 'not-a-proof', /compact JWS/],
    ];
    for (const [what, made, description] of cases) {
      const answer = await clientCredentials(await made);
      assert.equal(answer.status, 400, what);
      assert.equal(answer.body.error, 'invalid_dpop_proof', what);
      assert.match(answer.body.error_description as string, description, what);
    }
    const twice = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: [['content-type', 'application/x-www-form-urlencoded'], ['dpop', await proof(key, server.issuer)], ['dpop', await proof(key, server.issuer)]],
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'dpop-service', client_secret: confidentialSecret }).toString(),
    });
    assert.equal(twice.status, 400);
    assert.match(((await twice.json()) as { error_description: string }).error_description, /exactly one DPoP header/);
  });

  test('dpop_jkt at the authorization endpoint (RFC 9449 §10) binds the code: only a proof by that key exchanges it', async () => {
    const jkt = await thumbprint(key);
    const verifier = oauth.generateRandomCodeVerifier();
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({
      client_id: 'dpop-app', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 's', dpop_jkt: jkt,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).toString();
    const params = oauth.validateAuthResponse(as, app, await new TestUserAgent(server.issuer).authorize(url.href, USER), 's');
    const exchange = (DPoP?: oauth.DPoPHandle) => oauth.authorizationCodeGrantRequest(as, app, oauth.None(), params, CALLBACK, verifier, { DPoP, ...insecure }).then((response) => oauth.processAuthorizationCodeResponse(as, app, response));
    await assert.rejects(exchange(oauth.DPoP(app, otherKey)), refusedWith('invalid_grant', /bound to a DPoP key \(dpop_jkt\)/));
    await assert.rejects(exchange(), refusedWith('invalid_grant', /dpop_jkt/));
    // The refusals spent nothing: the code still works with the right key.
    assert.equal((await exchange(oauth.DPoP(app, key))).token_type, 'dpop');

    const bad = new URL(url);
    bad.searchParams.set('dpop_jkt', 'short');
    const step = await new TestUserAgent(server.issuer).navigate(bad.href);
    const redirected = new URL(step.location!);
    assert.equal(redirected.searchParams.get('error'), 'invalid_request');
    assert.match(redirected.searchParams.get('error_description')!, /dpop_jkt/);
  });

  test('a DPoP proof at PAR (RFC 9449 §10.1) binds the pushed request\'s code to its key; a dpop_jkt of another key is refused', async () => {
    const verifier = oauth.generateRandomCodeVerifier();
    const pushParams = new URLSearchParams({ redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 'p', code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const DPoP = oauth.DPoP(app, key);
    const pushed = await oauth.processPushedAuthorizationResponse(as, app, await oauth.pushedAuthorizationRequest(as, app, oauth.None(), pushParams, { DPoP, ...insecure }));
    const url = new URL(as.authorization_endpoint!);
    url.search = new URLSearchParams({ client_id: 'dpop-app', request_uri: pushed.request_uri }).toString();
    const params = oauth.validateAuthResponse(as, app, await new TestUserAgent(server.issuer).authorize(url.href, USER), 'p');
    const exchange = (handle: oauth.DPoPHandle) => oauth.authorizationCodeGrantRequest(as, app, oauth.None(), params, CALLBACK, verifier, { DPoP: handle, ...insecure }).then((response) => oauth.processAuthorizationCodeResponse(as, app, response));
    await assert.rejects(exchange(oauth.DPoP(app, otherKey)), refusedWith('invalid_grant', /dpop_jkt/));
    assert.equal((await exchange(DPoP)).token_type, 'dpop');

    const mismatched = new URLSearchParams(pushParams);
    mismatched.set('dpop_jkt', await thumbprint(otherKey));
    const refused = await postForm(`${server.issuer}/oauth2/par`, { client_id: 'dpop-app', ...Object.fromEntries(mismatched) }, { dpop: await proof(key, server.issuer, { htu: `${server.issuer}/oauth2/par` }) });
    assert.equal(refused.status, 400);
    assert.deepEqual(await refused.json(), { error: 'invalid_dpop_proof', error_description: 'dpop_jkt does not match the key of the DPoP proof' });
  });

  test('a client made to require DPoP is refused a token without a proof, and gets one with it', async () => {
    const strict: oauth.Client = { client_id: 'dpop-required' };
    const first = await authorize(server.issuer, as, strict, 'read:leads');
    const without = await oauth.authorizationCodeGrantRequest(as, strict, oauth.None(), first.params, CALLBACK, first.verifier, insecure);
    await assert.rejects(oauth.processAuthorizationCodeResponse(as, strict, without), refusedWith('invalid_request', /must send a DPoP proof.*dpop_bound_access_tokens/));
    const second = await authorize(server.issuer, as, strict, 'read:leads');
    const withProof = await oauth.authorizationCodeGrantRequest(as, strict, oauth.None(), second.params, CALLBACK, second.verifier, { DPoP: oauth.DPoP(strict, key), ...insecure });
    assert.equal((await oauth.processAuthorizationCodeResponse(as, strict, withProof)).token_type, 'dpop');
  });
});

describe('DPoP server nonces (GATEHOUSE_DPOP_NONCE=on) [sqlite]', () => {
  let server: TestServer;
  let secret: string;
  let key: CryptoKeyPair;
  const clock = new TestClock();

  async function token(dpop: string) {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: secret }, { dpop });
    return { status: response.status, nonce: response.headers.get('dpop-nonce'), body: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    server = await startTestServer({ clock, env: { GATEHOUSE_DPOP_NONCE: 'on' } });
    secret = (await createClient(server, { clientId: 'svc', name: 'Service', scopes: 'read:leads', grantTypes: ['client_credentials'] })).clientSecret!;
    key = await oauth.generateKeyPair('ES256');
  });
  after(() => server.close());

  test('oauth4webapi: the first request gets use_dpop_nonce with a DPoP-Nonce header; the retry with it succeeds', async () => {
    clock.reset();
    const as = await discover(server.issuer);
    const svc: oauth.Client = { client_id: 'svc' };
    const DPoP = oauth.DPoP(svc, key);
    const request = () => oauth.clientCredentialsGrantRequest(as, svc, oauth.ClientSecretPost(secret), { scope: 'read:leads' }, { DPoP, ...insecure });
    let error: unknown;
    try {
      await oauth.processClientCredentialsResponse(as, svc, await request());
    } catch (caught) {
      error = caught;
    }
    assert.ok(oauth.isDPoPNonceError(error), `expected use_dpop_nonce, got ${String(error)}`);
    const tokens = await oauth.processClientCredentialsResponse(as, svc, await request());
    assert.equal(tokens.token_type, 'dpop');
  });

  test('a nonce lasts its window and the next; after that the answer is use_dpop_nonce with a new one', async () => {
    clock.freeze();
    const now = () => Math.floor(clock.now() / 1000);
    const challenge = await token(await proof(key, server.issuer, { iat: now() }));
    assert.equal(challenge.status, 400);
    assert.equal(challenge.body.error, 'use_dpop_nonce');
    const nonce = challenge.nonce!;
    assert.ok(nonce);
    const ok = await token(await proof(key, server.issuer, { iat: now(), nonce }));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.ok(ok.nonce, 'a successful answer hands out the current nonce too');

    clock.advanceMs(DPOP_NONCE_WINDOW_SECONDS * 1000);
    assert.equal((await token(await proof(key, server.issuer, { iat: now(), nonce }))).status, 200, 'still accepted in the next window');
    clock.advanceMs(DPOP_NONCE_WINDOW_SECONDS * 1000);
    const stale = await token(await proof(key, server.issuer, { iat: now(), nonce }));
    assert.equal(stale.body.error, 'use_dpop_nonce');
    assert.match(stale.body.error_description as string, /not current/);
    assert.notEqual(stale.nonce, nonce);
  });
});

const postgres = (await testBackends()).includes('postgres');

describe('DPoP across two instances on one PostgreSQL [postgres]', { skip: postgres ? false : 'PostgreSQL is unreachable' }, () => {
  let a: TestServer;
  let b: TestServer;
  let secret: string;
  let key: CryptoKeyPair;

  async function token(at: TestServer, dpop: string) {
    const response = await postForm(`${at.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'svc', client_secret: secret }, { dpop });
    return { status: response.status, nonce: response.headers.get('dpop-nonce'), body: (await response.json()) as Record<string, unknown> };
  }

  before(async () => {
    a = await startTestServer({ backend: 'postgres', env: { GATEHOUSE_DPOP_NONCE: 'on' } });
    // One issuer (A's URL, as behind a load balancer) and one secret: a proof for the issuer's endpoint is good at both.
    b = await startTestServer({ databaseUrl: a.config.databaseUrl, env: { GATEHOUSE_ISSUER: a.issuer, GATEHOUSE_DPOP_NONCE: 'on' } });
    secret = (await createClient(a, { clientId: 'svc', name: 'Service', scopes: 'read:leads', grantTypes: ['client_credentials'] })).clientSecret!;
    key = await oauth.generateKeyPair('ES256');
  });
  after(async () => {
    await b.close();
    await a.close();
  });

  test('a nonce from one instance is good at the other, and a proof accepted by one is refused by the other', async () => {
    const nonce = (await token(a, await proof(key, a.issuer))).nonce!;
    const dpop = await proof(key, a.issuer, { nonce });
    const first = await token(a, dpop);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.token_type, 'DPoP');
    const replay = await token(b, dpop);
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_dpop_proof');
    assert.match(replay.body.error_description as string, /used already/);
    const fresh = await token(b, await proof(key, a.issuer, { nonce }));
    assert.equal(fresh.status, 200, 'the other instance accepts the first one\'s nonce');
  });
});

describe('the resource SDK with Gatehouse\'s DPoP tokens and oauth4webapi as the client [sqlite]', () => {
  let server: TestServer;
  let as: oauth.AuthorizationServer;
  let secret: string;
  let apiSecret: string;
  let opaqueSecret: string;
  const svc: oauth.Client = { client_id: 'svc' };

  before(async () => {
    server = await startTestServer();
    as = await discover(server.issuer);
    secret = (await createClient(server, { clientId: 'svc', name: 'Service', scopes: 'read:leads', grantTypes: ['client_credentials'] })).clientSecret!;
    opaqueSecret = (await createClient(server, { clientId: 'svc-opaque', name: 'Opaque', scopes: 'read:leads', grantTypes: ['client_credentials'], accessTokenFormat: 'opaque', tokenEndpointAuthMethod: 'client_secret_post' })).clientSecret!;
    apiSecret = (await createClient(server, { clientId: 'leads-api', name: 'Leads API', grantTypes: ['client_credentials'], resourceServerFor: [server.issuer] })).clientSecret!;
  });
  after(() => server.close());

  for (const kind of ['fastify', 'express', 'fetch'] as AdapterKind[]) {
    test(`${kind}: a DPoP-bound JWT with oauth4webapi's proofs is served; the same token as Bearer, or a replayed proof, is refused`, async () => {
      const api = await startProtectedApi(kind, { issuer: server.issuer, audience: server.issuer });
      try {
        const DPoP = oauth.DPoP(svc, await oauth.generateKeyPair('ES256'));
        const response = await oauth.clientCredentialsGrantRequest(as, svc, oauth.ClientSecretPost(secret), { scope: 'read:leads' }, { DPoP, ...insecure });
        const { access_token: token } = await oauth.processClientCredentialsResponse(as, svc, response);
        const url = new URL(`${api.baseUrl}/api/leads?page=1`);
        const served = await oauth.protectedResourceRequest(token, 'GET', url, undefined, undefined, { DPoP, ...insecure });
        assert.equal(served.status, 200, await served.clone().text());
        assert.equal(((await served.json()) as { clientId: string }).clientId, 'svc');

        const asBearer = await api.call('/api/leads', { headers: { authorization: `Bearer ${token}` } });
        assert.equal(asBearer.status, 401);
        assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);

        // Capture one proof oauth4webapi made and send it twice.
        let captured = '';
        const capture = async (input: string, init: { headers: Record<string, string> }) => {
          captured = new Headers(init.headers).get('dpop') ?? '';
          return globalThis.fetch(input, init as unknown as RequestInit);
        };
        assert.equal((await oauth.protectedResourceRequest(token, 'GET', url, undefined, undefined, { DPoP, ...insecure, [oauth.customFetch]: capture })).status, 200);
        const replayed = await api.call('/api/leads', { headers: { authorization: `DPoP ${token}`, dpop: captured } });
        assert.equal(replayed.status, 401);
        assert.match(replayed.headers.get('www-authenticate') ?? '', /error="invalid_dpop_proof"/);
      } finally {
        await api.close();
      }
    });
  }

  test('an opaque DPoP-bound token: introspection gives the SDK cnf.jkt, and the proof\'s key must match it', async () => {
    const api = await startProtectedApi('fetch', { issuer: server.issuer, audience: server.issuer, introspection: { clientId: 'leads-api', clientSecret: apiSecret } });
    try {
      const opaqueClient: oauth.Client = { client_id: 'svc-opaque' };
      const DPoP = oauth.DPoP(opaqueClient, await oauth.generateKeyPair('ES256'));
      const response = await oauth.clientCredentialsGrantRequest(as, opaqueClient, oauth.ClientSecretPost(opaqueSecret), { scope: 'read:leads' }, { DPoP, ...insecure });
      const { access_token: token } = await oauth.processClientCredentialsResponse(as, opaqueClient, response);
      assert.ok(token.startsWith('gha_'));
      const url = new URL(`${api.baseUrl}/api/leads`);
      const served = await oauth.protectedResourceRequest(token, 'GET', url, undefined, undefined, { DPoP, ...insecure });
      assert.equal(served.status, 200, await served.clone().text());
      const otherKey = oauth.DPoP(opaqueClient, await oauth.generateKeyPair('ES256'));
      // oauth4webapi throws on a 401 with a challenge.
      await assert.rejects(oauth.protectedResourceRequest(token, 'GET', url, undefined, undefined, { DPoP: otherKey, ...insecure }), (error: unknown) => {
        assert.ok(error instanceof oauth.WWWAuthenticateChallengeError, String(error));
        assert.equal(error.response.status, 401);
        return true;
      });
      assert.equal(api.logger.last()?.fields.code, 'ERR_TOKEN_DPOP_BINDING');
    } finally {
      await api.close();
    }
  });
});
