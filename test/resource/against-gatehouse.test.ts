// The resource SDK over real HTTP against a running Gatehouse (issue 5, "SDK tests over real HTTP"):
// Gatehouse issues the tokens over HTTP (client_credentials at /oauth2/token, or the code flow through a
// cookie-keeping browser), a real API protected by the SDK listens on a loopback port, and each test calls
// that API with fetch. Every refusal is checked three ways: the status and WWW-Authenticate header (the
// category only), a body that never says why, and the one log line that does (its code and reason).
// gatehouse-interop.test.ts covers verify() directly; this file goes through the adapters and the wire.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { decodeJwt, decodeProtectedHeader, exportSPKI, generateKeyPair, importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { createTokenVerifier } from '../../src/resource/index.js';
import type { UserRecord } from '../../src/store/types.js';
import { basic, CALLBACK, createClient, createUser, postForm, USER } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { startProtectedApi, type AdapterKind, type ApiVerifierOptions, type PrincipalSummary, type ProtectedApi } from './helpers/gatehouse-api.js';
import type { LogEntry } from './helpers/logger.js';

const OTHER_AUDIENCE = 'https://other-api.example';
const INVALID_TOKEN_DESCRIPTION = 'The access token is not valid.';
const BEARER_HINT = 'send `Authorization: Bearer <token>`';
/** Words that would tell the caller why its token failed; they belong in the log only. */
const REASON_WORDS = /expir|audience|\baud\b|issuer|\biss\b|signature|\balg\b|\bkid\b|\bnone\b|HS256|revok|inactive|introspect|refetch|cooling|ERR_/i;

describe('the resource SDK over real HTTP against a running Gatehouse', () => {
  let gatehouse: TestServer; // the issuer the APIs trust
  let other: TestServer; // another Gatehouse: another issuer, and tokens for another audience
  let api: ProtectedApi; // Fastify, trusting `gatehouse`, audience = its default (the issuer URL)
  let user: UserRecord;
  const secrets = { zapier: '', partner: '', shortLived: '', opaque: '', leadsApi: '', otherPartner: '' };
  const apis: ProtectedApi[] = [];
  const gatehouseClock = new TestClock(); // moved on by the key rotation case (8)
  const apiClock = new TestClock(); // the main API's clock, moved on by the expiry case (2)

  before(async () => {
    [gatehouse, other] = await Promise.all([
      // Keys refresh every second here, so the rotation case (8) moves the clock one second, not ten.
      startTestServer({ env: { GATEHOUSE_KEY_REFRESH: '1' }, clock: gatehouseClock }),
      startTestServer({ env: { GATEHOUSE_DEFAULT_AUDIENCE: OTHER_AUDIENCE } }),
    ]);
    user = await createUser(gatehouse);
    const made = await Promise.all([
      createClient(gatehouse, { clientId: 'zapier-client', scopes: 'openid read:leads write:leads' }),
      createClient(gatehouse, { name: 'Partner', clientId: 'partner', grantTypes: ['client_credentials'], scopes: 'read:leads write:leads' }),
      createClient(gatehouse, { name: 'Short-lived', clientId: 'short-lived', grantTypes: ['client_credentials'], scopes: 'read:leads', accessTokenTtl: 1 }),
      createClient(gatehouse, { name: 'Opaque', clientId: 'opaque-app', grantTypes: ['client_credentials'], scopes: 'read:leads', accessTokenFormat: 'opaque' }),
      createClient(gatehouse, { name: 'Leads API', clientId: 'leads-api', grantTypes: ['client_credentials'], scopes: 'read:leads', resourceServerFor: [gatehouse.config.defaultAudience] }),
      createClient(other, { name: 'Partner elsewhere', clientId: 'partner', grantTypes: ['client_credentials'], scopes: 'read:leads write:leads' }),
    ]);
    (['zapier', 'partner', 'shortLived', 'opaque', 'leadsApi', 'otherPartner'] as const).forEach((name, index) => {
      secrets[name] = made[index]!.clientSecret!;
    });
    // clockToleranceSeconds 1 (not 5): the expiry case moves the API's clock past exp + 1 s.
    api = await startApi('fastify', { clockToleranceSeconds: 1, now: () => apiClock.now() });
  });

  after(async () => {
    await Promise.all(apis.map((each) => each.close()));
    await Promise.all([gatehouse?.close(), other?.close()]);
  });

  async function startApi(kind: AdapterKind, options: Partial<ApiVerifierOptions> = {}): Promise<ProtectedApi> {
    const started = await startProtectedApi(kind, { issuer: gatehouse.issuer, audience: gatehouse.issuer, ...options });
    apis.push(started);
    return started;
  }

  // ---- tokens, issued by Gatehouse over HTTP ----

  async function clientCredentials(server: TestServer, clientId: string, secret: string, scope = 'read:leads'): Promise<string> {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', scope }, { authorization: basic(clientId, secret) });
    assert.equal(response.status, 200, `client_credentials for ${clientId}: ${await response.clone().text()}`);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function codeFlow(scope: string): Promise<{ access_token: string; refresh_token?: string; id_token?: string }> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(`${gatehouse.issuer}/oauth2/authorize`);
    url.search = new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope, state: 'st-1', code_challenge: challenge, code_challenge_method: 'S256',
    }).toString();
    const callback = await new TestUserAgent(gatehouse.issuer).authorize(url.href, USER);
    assert.equal(callback.searchParams.get('state'), 'st-1');
    const code = callback.searchParams.get('code');
    assert.ok(code, `no code in ${callback.href}`);
    const response = await postForm(
      `${gatehouse.issuer}/oauth2/token`,
      { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier },
      { authorization: basic('zapier-client', secrets.zapier) },
    );
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as { access_token: string; refresh_token?: string; id_token?: string };
  }

  async function gatehouseJwks(): Promise<JWK[]> {
    const response = await fetch(`${gatehouse.issuer}/.well-known/jwks.json`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { keys: JWK[] }).keys;
  }

  /** The claims of a real Gatehouse token, still valid for a while: what a forger would copy. */
  async function realClaims(): Promise<JWTPayload> {
    return decodeJwt(await clientCredentials(gatehouse, 'partner', secrets.partner));
  }

  // ---- what the API answers ----

  const bearer = (token: string): RequestInit => ({ headers: { authorization: `Bearer ${token}` } });

  async function expectAccepted(target: ProtectedApi, init: RequestInit, expected: PrincipalSummary, method = 'GET'): Promise<void> {
    const logged = target.logger.entries.length;
    const response = await target.call('/api/leads', { ...init, method });
    const text = await response.text();
    assert.equal(response.status, 200, `expected 200, got ${response.status} ${text}; log: ${JSON.stringify(target.logger.last()?.fields)}`);
    assert.deepEqual(JSON.parse(text), expected);
    assert.deepEqual(refusals(target.logger.entries.slice(logged)), [], 'an accepted request logs no refusal');
  }

  interface Refusal {
    status: 400 | 401 | 403;
    /** The `error` of the challenge; null when no token was found (a bare `Bearer realm=…` challenge). */
    error: 'invalid_token' | 'insufficient_scope' | 'invalid_request' | null;
    scope?: string;
    /** The ResourceAuthError code the log must hold. */
    code: string;
    reason?: RegExp;
    hint?: string;
    level?: LogEntry['level'];
    /** Tokens that must appear nowhere in the log. */
    tokens?: string[];
  }

  /** Calls the API once and checks the refusal: status, WWW-Authenticate, a body that says nothing, and the log line. */
  async function expectRefused(target: ProtectedApi, init: RequestInit, expected: Refusal, path = '/api/leads'): Promise<LogEntry> {
    const logged = target.logger.entries.length;
    const response = await target.call(path, init);
    const body = await response.text();
    assert.equal(response.status, expected.status, `status (body ${body}, log ${JSON.stringify(target.logger.last()?.fields)})`);

    const header = response.headers.get('www-authenticate');
    assert.ok(header, 'a WWW-Authenticate header');
    const params = parseBearerChallenge(header);
    // A 401 names the scope the route needs (GET /api/leads: read:leads, POST: write:leads), so a client asks for it.
    if (expected.status === 401 && expected.scope === undefined) expected = { ...expected, scope: init.method === 'POST' ? 'write:leads' : 'read:leads' };
    const names = ['realm', ...(expected.error ? ['error', 'error_description'] : []), ...(expected.scope ? ['scope'] : []), 'resource_metadata'];
    assert.deepEqual([...params.keys()].sort(), names.sort(), `the parameters of ${header}`);
    assert.equal(params.get('realm'), target.resource);
    assert.equal(params.get('resource_metadata'), target.resourceMetadataUrl, 'resource_metadata names the path-suffixed RFC 9728 URL');
    if (expected.error) assert.equal(params.get('error'), expected.error);
    if (expected.scope) assert.equal(params.get('scope'), expected.scope);
    if (expected.error === 'invalid_token') assert.equal(params.get('error_description'), INVALID_TOKEN_DESCRIPTION);

    // The body names the category at most, never the reason.
    const json = JSON.parse(body) as Record<string, unknown>;
    assert.ok(Object.keys(json).every((key) => ['error', 'error_description', 'scope'].includes(key)), `body ${body}`);
    assert.equal(json.scope, expected.scope);
    assert.equal(json.error, expected.error ?? undefined);
    if (expected.error === 'invalid_token') assert.equal(json.error_description, INVALID_TOKEN_DESCRIPTION);
    assert.doesNotMatch(body, REASON_WORDS, 'the body does not say why');
    assert.doesNotMatch(params.get('error_description') ?? '', REASON_WORDS, 'the header does not say why');

    // The reason is in the log: one line per refused request.
    const entries = refusals(target.logger.entries.slice(logged));
    assert.equal(entries.length, 1, `one refusal logged, got ${JSON.stringify(target.logger.entries.slice(logged))}`);
    const entry = entries[0]!;
    assert.equal(entry.fields.code, expected.code, `log code (reason: ${String(entry.fields.reason)})`);
    assert.equal(entry.level, expected.level ?? 'info');
    if (expected.reason) assert.match(String(entry.fields.reason), expected.reason);
    if (expected.hint !== undefined) assert.equal(entry.fields.hint, expected.hint);
    assert.ok(!body.includes(String(entry.fields.reason)) && !header.includes(String(entry.fields.reason)));
    for (const token of expected.tokens ?? []) {
      const log = target.logger.text();
      assert.ok(!log.includes(token), 'the token is never logged');
      const signature = token.split('.')[2];
      if (signature) assert.ok(!log.includes(signature), 'nor its signature');
    }
    return entry;
  }

  // ---- 1. a valid token ----

  it('1. a valid JWT from the code flow: 200 with the user as subject and the granted scopes, verified locally', async () => {
    const { access_token: token } = await codeFlow('read:leads');
    assert.deepEqual(decodeProtectedHeader(token).typ, 'at+jwt');
    const expected: PrincipalSummary = { subject: user.id, clientId: 'zapier-client', scopes: ['read:leads'], tokenType: 'jwt' };
    await expectAccepted(api, bearer(token), expected);
    assert.deepEqual(api.issuerRequests, { discovery: 1, jwks: 1, introspection: 0, other: 0 }, 'discovery and JWKS on first use');
    await expectAccepted(api, bearer(token), expected);
    await expectAccepted(api, { headers: { authorization: `bEaReR ${token}` } }, expected);
    assert.deepEqual(api.issuerRequests, { discovery: 1, jwks: 1, introspection: 0, other: 0 }, 'no call to Gatehouse per request');
  });

  it('1b. the ID token sent instead of the access token: 401, and the log says it looks like an ID token', async () => {
    const tokens = await codeFlow('openid read:leads');
    assert.ok(tokens.id_token, 'Gatehouse issued an ID token');
    assert.equal(decodeProtectedHeader(tokens.id_token).alg, 'RS256', 'signed with a key in the same JWKS');
    await expectRefused(api, bearer(tokens.id_token), {
      status: 401, error: 'invalid_token', code: 'ERR_TOKEN_WRONG_TYPE', hint: 'this looks like an ID token: send the access token instead', tokens: [tokens.id_token],
    });
    await expectAccepted(api, bearer(tokens.access_token), { subject: user.id, clientId: 'zapier-client', scopes: ['openid', 'read:leads'], tokenType: 'jwt' });
  });

  // ---- 2–8: invalid tokens → 401 invalid_token, the reason only in the log ----

  it('2. an expired token (client accessTokenTtl 1 s): accepted at first, 401 invalid_token once exp has passed', async () => {
    const token = await clientCredentials(gatehouse, 'short-lived', secrets.shortLived);
    const claims = decodeJwt(token);
    assert.equal(claims.exp! - claims.iat!, 1, 'Gatehouse honoured the client lifetime');
    await expectAccepted(api, bearer(token), { subject: 'short-lived', clientId: 'short-lived', scopes: ['read:leads'], tokenType: 'jwt' });
    // exp + the API's 1 s tolerance must be behind: 2.2 s on is past iat + 2.
    apiClock.advanceMs(2200);
    try {
      await expectRefused(api, bearer(token), {
        status: 401, error: 'invalid_token', code: 'ERR_TOKEN_EXPIRED', reason: /expired at/, hint: 'refresh the access token', tokens: [token],
      });
    } finally {
      apiClock.reset();
    }
  });

  it('3. a token from another Gatehouse (another issuer): 401, and refused before any JWKS fetch', async () => {
    const token = await clientCredentials(other, 'partner', secrets.otherPartner);
    // The token is good where it comes from: only the issuer makes it wrong here.
    const atHome = createTokenVerifier({ issuer: other.issuer, audience: OTHER_AUDIENCE, resource: 'https://other-api.example' });
    assert.equal((await atHome.verify(token)).clientId, 'partner');
    const jwks = api.issuerRequests.jwks;
    const entry = await expectRefused(api, bearer(token), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_WRONG_ISSUER', tokens: [token] });
    assert.ok(String(entry.fields.reason).includes(other.issuer), `the log names the foreign issuer: ${String(entry.fields.reason)}`);
    assert.equal(api.issuerRequests.jwks, jwks, 'a foreign token costs no JWKS fetch');
  });

  it('4. a token for another audience (GATEHOUSE_DEFAULT_AUDIENCE=https://other-api.example): 401', async () => {
    const leadsApi = await startApi('fastify', { issuer: other.issuer, audience: 'https://leads-api.example' });
    const token = await clientCredentials(other, 'partner', secrets.otherPartner);
    assert.equal(decodeJwt(token).aud, OTHER_AUDIENCE);
    const entry = await expectRefused(leadsApi, bearer(token), {
      status: 401, error: 'invalid_token', code: 'ERR_TOKEN_WRONG_AUDIENCE', hint: 'the token was issued for another API: request it with the right resource/audience', tokens: [token],
    });
    assert.match(String(entry.fields.reason), /other-api\.example.*leads-api\.example/);
  });

  it('5. alg "none" with valid claims and a published kid: 401, refused before any JWKS fetch', async () => {
    const [key] = await gatehouseJwks();
    const forged = `${b64json({ alg: 'none', typ: 'at+jwt', kid: key!.kid })}.${b64json(await realClaims())}.`;
    const jwks = api.issuerRequests.jwks;
    await expectRefused(api, bearer(forged), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_ALG_NOT_ALLOWED', reason: /"none"/, tokens: [forged] });
    assert.equal(api.issuerRequests.jwks, jwks);
  });

  it("6. HS256 signed with Gatehouse's own public keys as the HMAC secret (key confusion): 401 for each key", async () => {
    const keys = await gatehouseJwks();
    assert.deepEqual(new Set(keys.map((key) => key.alg)), new Set(['ES256', 'RS256']));
    const claims = await realClaims();
    const jwks = api.issuerRequests.jwks;
    for (const jwk of keys) {
      const pem = await exportSPKI((await importJWK(jwk, jwk.alg, { extractable: true })) as CryptoKey);
      for (const secret of [pem, JSON.stringify(jwk)]) {
        const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: jwk.kid! }).sign(new TextEncoder().encode(secret));
        await expectRefused(api, bearer(forged), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_ALG_NOT_ALLOWED', reason: /"HS256"/, tokens: [forged] });
      }
    }
    assert.equal(api.issuerRequests.jwks, jwks, 'no JWKS fetch for a forged algorithm');
  });

  it('7. an unknown kid (signed with a local ES256 key): 401, and the JWKS is refetched once, not per token', async () => {
    const fresh = await startApi('fastify');
    await expectAccepted(fresh, bearer(await clientCredentials(gatehouse, 'partner', secrets.partner)), { subject: 'partner', clientId: 'partner', scopes: ['read:leads'], tokenType: 'jwt' });
    assert.equal(fresh.issuerRequests.jwks, 1);

    const { privateKey } = await generateKeyPair('ES256');
    const claims = await realClaims();
    const forge = (kid: string) => new SignJWT(claims).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid }).sign(privateKey);
    const first = await forge('es256-not-published-1');
    await expectRefused(fresh, bearer(first), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_KEY_NOT_FOUND', reason: /after a refetch/, tokens: [first] });
    assert.equal(fresh.issuerRequests.jwks, 2, 'one refetch for the unknown kid');

    for (const kid of ['es256-not-published-2', 'es256-not-published-3', 'es256-not-published-1']) {
      const forged = await forge(kid);
      await expectRefused(fresh, bearer(forged), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_KEY_NOT_FOUND', reason: /cooling down/, tokens: [forged] });
    }
    assert.equal(fresh.issuerRequests.jwks, 2, 'further unknown kids wait for the cooldown');
    const refetches = fresh.logger.entries.filter((entry) => entry.message?.includes('refetching the JWKS'));
    assert.deepEqual(refetches.map((entry) => [entry.level, entry.fields.kid]), [['debug', 'es256-not-published-1']]);
    assert.equal(fresh.issuerRequests.discovery, 1);
  });

  it("7b. a published kid but a local key's signature: 401 invalid_token, no refetch", async () => {
    const jwks = api.issuerRequests.jwks;
    const es256 = (await gatehouseJwks()).find((key) => key.alg === 'ES256')!;
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(await realClaims()).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: es256.kid! }).sign(privateKey);
    await expectRefused(api, bearer(forged), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_INVALID_SIGNATURE', tokens: [forged] });
    assert.equal(api.issuerRequests.jwks, jwks);
  });

  // ---- 9–11: scope and the header ----

  it('9. a token without the scope: 403 insufficient_scope with scope="write:leads"; with it, 200', async () => {
    const reader = await clientCredentials(gatehouse, 'partner', secrets.partner, 'read:leads');
    const entry = await expectRefused(api, { ...bearer(reader), method: 'POST' }, {
      status: 403, error: 'insufficient_scope', scope: 'write:leads', code: 'ERR_INSUFFICIENT_SCOPE', tokens: [reader],
    });
    assert.equal(entry.fields.requiredScopes, 'write:leads');
    assert.equal(entry.fields.grantedScopes, 'read:leads');
    assert.equal(entry.fields.clientId, 'partner');
    const writer = await clientCredentials(gatehouse, 'partner', secrets.partner, 'read:leads write:leads');
    await expectAccepted(api, bearer(writer), { subject: 'partner', clientId: 'partner', scopes: ['read:leads', 'write:leads'], tokenType: 'jwt' }, 'POST');
  });

  describe('10. a malformed or missing Authorization header', () => {
    let token: string;
    before(async () => {
      token = await clientCredentials(gatehouse, 'partner', secrets.partner);
    });

    it('no header: 401 with no error code (RFC 6750 §3.1), logged at debug', async () => {
      await expectRefused(api, {}, { status: 401, error: null, code: 'ERR_TOKEN_MISSING', reason: /no Authorization header/, level: 'debug' });
    });

    it('"Bearer" with nothing after it: 400 invalid_request', async () => {
      await expectRefused(api, { headers: { authorization: 'Bearer ' } }, { status: 400, error: 'invalid_request', code: 'ERR_INVALID_REQUEST', reason: /carries no token/, hint: BEARER_HINT });
    });

    it('"Basic abc" (another scheme): 401 with no error code, and the log names the scheme', async () => {
      await expectRefused(api, { headers: { authorization: 'Basic abc' } }, { status: 401, error: null, code: 'ERR_TOKEN_MISSING', reason: /Basic scheme, not Bearer/, hint: BEARER_HINT });
    });

    it('two tokens in one header: 400 invalid_request', async () => {
      await expectRefused(api, { headers: { authorization: `Bearer ${token} ${token}` } }, { status: 400, error: 'invalid_request', code: 'ERR_INVALID_REQUEST', reason: /more than one token/, tokens: [token] });
    });

    it('two Authorization fields (joined "Bearer a, Bearer b" on the wire): 400 invalid_request', async () => {
      const headers = new Headers();
      headers.append('authorization', `Bearer ${token}`);
      headers.append('authorization', `Bearer ${token}`);
      await expectRefused(api, { headers }, { status: 400, error: 'invalid_request', code: 'ERR_INVALID_REQUEST', tokens: [token] });
    });

    // docs/resource-sdk.md: "several Authorization headers" is a 400. Node keeps only the first Authorization
    // line in `req.headers`, so the adapters read `headersDistinct`, which keeps them all.
    it('two Authorization header lines on the wire: 400 invalid_request', async () => {
      const junk = await realClaims().then(b64json);
      const raw = await rawRequest(api.baseUrl, ['GET /api/leads HTTP/1.1', `Authorization: Bearer ${token}`, `Authorization: Bearer ${junk}`]);
      assert.match(raw.split('\r\n')[0]!, /^HTTP\/1\.1 400 /);
    });

    it('a token in the header and in ?access_token=: 400 invalid_request', async () => {
      await expectRefused(api, bearer(token), { status: 400, error: 'invalid_request', code: 'ERR_INVALID_REQUEST', reason: /both/, tokens: [token] }, `/api/leads?access_token=${token}`);
    });
  });

  it('11. a bare token without "Bearer" (as the blog post sends it): 401, and the log hints at the Bearer scheme', async () => {
    const token = await clientCredentials(gatehouse, 'partner', secrets.partner);
    const entry = await expectRefused(api, { headers: { authorization: token } }, {
      status: 401, error: null, code: 'ERR_TOKEN_MISSING', reason: /no Bearer scheme \(a bare token\?\)/, hint: BEARER_HINT, tokens: [token],
    });
    assert.equal(entry.fields.reason, 'the Authorization header has no Bearer scheme (a bare token?)');
  });

  // ---- 12. opaque tokens through introspection ----

  it("12. an opaque token: 200 through introspection with the API's own client credentials; 401 after revocation once no answer is cached", async () => {
    const introspection = { clientId: 'leads-api', clientSecret: secrets.leadsApi };
    const uncached = await startApi('fastify', { introspection, introspectionCacheSeconds: 0 });
    const cached = await startApi('fastify', { introspection, introspectionCacheSeconds: 30 });
    const token = await clientCredentials(gatehouse, 'opaque-app', secrets.opaque);
    assert.match(token, /^gha_/, 'an opaque token, not a JWT');
    const principal: PrincipalSummary = { subject: 'opaque-app', clientId: 'opaque-app', scopes: ['read:leads'], tokenType: 'opaque' };

    await expectAccepted(uncached, bearer(token), principal);
    await expectAccepted(cached, bearer(token), principal);
    await expectAccepted(cached, bearer(token), principal);
    assert.equal(uncached.issuerRequests.introspection, 1);
    assert.equal(cached.issuerRequests.introspection, 1, 'the second request was answered from the cache');
    assert.equal(cached.issuerRequests.jwks, 0, 'an opaque token needs no JWKS');

    const revoked = await postForm(`${gatehouse.issuer}/oauth2/revoke`, { token }, { authorization: basic('opaque-app', secrets.opaque) });
    assert.equal(revoked.status, 200);

    await expectRefused(uncached, bearer(token), {
      status: 401, error: 'invalid_token', code: 'ERR_TOKEN_INACTIVE', reason: /not active/, tokens: [token, secrets.leadsApi],
    });
    assert.equal(uncached.issuerRequests.introspection, 2);
    // The documented trade-off: an API with a 30 s cache keeps the answer it has until the cache expires.
    await expectAccepted(cached, bearer(token), principal);
    assert.equal(cached.issuerRequests.introspection, 1);
  });

  it('12b. a refresh token sent as a bearer token: 401 invalid_token, and the log says to send the access token', async () => {
    const { refresh_token: refreshToken } = await codeFlow('read:leads');
    assert.ok(refreshToken);
    const introspecting = await startApi('fastify', { introspection: { clientId: 'leads-api', clientSecret: secrets.leadsApi }, introspectionCacheSeconds: 0 });
    await expectRefused(introspecting, bearer(refreshToken), {
      status: 401, error: 'invalid_token', code: 'ERR_TOKEN_INACTIVE', hint: 'this is a refresh token: send the access token', tokens: [refreshToken],
    });
  });

  // ---- 13. RFC 9728 metadata ----

  it('13. RFC 9728 metadata at the bare and the path-suffixed well-known URL, naming the real issuer; a client can follow it from a 401', async () => {
    const document = {
      resource: api.resource,
      authorization_servers: [gatehouse.issuer],
      scopes_supported: ['read:leads', 'write:leads'],
      bearer_methods_supported: ['header'],
    };
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/api']) {
      const response = await api.call(path);
      assert.equal(response.status, 200, path);
      assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
      assert.deepEqual(await response.json(), document, path);
    }

    // What an MCP client does: 401 → resource_metadata → authorization_servers → the issuer's own metadata.
    const challenge = parseBearerChallenge((await api.call('/api/leads')).headers.get('www-authenticate') ?? '');
    const metadata = (await (await fetch(challenge.get('resource_metadata')!)).json()) as typeof document;
    assert.deepEqual(metadata, document);
    const asMetadata = await fetch(`${metadata.authorization_servers[0]}/.well-known/oauth-authorization-server`);
    assert.equal(asMetadata.status, 200);
    const server = (await asMetadata.json()) as { issuer: string; token_endpoint: string; jwks_uri: string };
    assert.equal(server.issuer, gatehouse.issuer);
    assert.equal(server.token_endpoint, `${gatehouse.issuer}/oauth2/token`);
  });

  // ---- the other adapters, against the same Gatehouse ----

  for (const kind of ['express', 'fetch'] as const) {
    it(`the ${kind} adapter: 200, 401 (foreign issuer, bare token), 403 and the metadata, over real HTTP`, async () => {
      const target = await startApi(kind);
      const reader = await clientCredentials(gatehouse, 'partner', secrets.partner, 'read:leads');
      await expectAccepted(target, bearer(reader), { subject: 'partner', clientId: 'partner', scopes: ['read:leads'], tokenType: 'jwt' });
      await expectRefused(target, { ...bearer(reader), method: 'POST' }, { status: 403, error: 'insufficient_scope', scope: 'write:leads', code: 'ERR_INSUFFICIENT_SCOPE', tokens: [reader] });
      const foreign = await clientCredentials(other, 'partner', secrets.otherPartner);
      await expectRefused(target, bearer(foreign), { status: 401, error: 'invalid_token', code: 'ERR_TOKEN_WRONG_ISSUER', tokens: [foreign] });
      await expectRefused(target, { headers: { authorization: reader } }, { status: 401, error: null, code: 'ERR_TOKEN_MISSING', hint: BEARER_HINT, tokens: [reader] });
      await expectRefused(target, { headers: { authorization: 'Bearer' } }, { status: 400, error: 'invalid_request', code: 'ERR_INVALID_REQUEST' });
      const metadata = await target.call('/.well-known/oauth-protected-resource/api');
      assert.equal(metadata.status, 200);
      assert.deepEqual(((await metadata.json()) as { authorization_servers: string[] }).authorization_servers, [gatehouse.issuer]);
    });
  }

  // ---- 8. key rotation (last: it changes the key Gatehouse signs with) ----

  it('8. key rotation: a token with the new kid is accepted after one JWKS refetch; one signed with the retired key still verifies', async () => {
    const rotating = await startApi('fastify');
    const principal: PrincipalSummary = { subject: 'partner', clientId: 'partner', scopes: ['read:leads'], tokenType: 'jwt' };
    const oldToken = await clientCredentials(gatehouse, 'partner', secrets.partner);
    await expectAccepted(rotating, bearer(oldToken), principal);
    assert.equal(rotating.issuerRequests.jwks, 1, 'the API has cached the JWKS');

    const [made] = await gatehouse.services.keys.rotate(['ES256']);
    // The new key is published at once but signs only after one refresh period (1 s here), so that every
    // instance serves it before any token carries it.
    const meanwhile = await clientCredentials(gatehouse, 'partner', secrets.partner);
    assert.equal(decodeProtectedHeader(meanwhile).kid, decodeProtectedHeader(oldToken).kid, 'the old key signs until the new one is everywhere');
    assert.ok((await gatehouseJwks()).some((key) => key.kid === made!.kid), 'the new key is published before it signs');
    // One refresh period on (the clock stays there: going back would make the old key sign again).
    gatehouseClock.advanceMs(1100);
    const newToken = await clientCredentials(gatehouse, 'partner', secrets.partner);
    const oldKid = decodeProtectedHeader(oldToken).kid;
    const newKid = decodeProtectedHeader(newToken).kid;
    assert.equal(newKid, made!.kid);
    assert.notEqual(newKid, oldKid);
    const published = (await gatehouseJwks()).map((key) => key.kid);
    assert.ok(published.includes(oldKid) && published.includes(newKid), `both keys are published: ${published.join(', ')}`);

    // Several requests with the new kid at once share one refetch.
    await Promise.all(Array.from({ length: 5 }, () => expectAccepted(rotating, bearer(newToken), principal)));
    assert.equal(rotating.issuerRequests.jwks, 2, 'exactly one refetch for the new kid');
    await expectAccepted(rotating, bearer(oldToken), principal);
    await expectAccepted(rotating, bearer(newToken), principal);
    assert.equal(rotating.issuerRequests.jwks, 2, 'both kids are now in the cached copy');
    // The main API, which cached the JWKS before the rotation, catches up the same way.
    const before = api.issuerRequests.jwks;
    await expectAccepted(api, bearer(newToken), principal);
    assert.equal(api.issuerRequests.jwks, before + 1);
  });
});

/** The lines the core writes once per refused request (the JWKS cache also logs its refetches, at debug). */
function refusals(entries: LogEntry[]): LogEntry[] {
  return entries.filter((entry) => entry.message?.startsWith('bearer token rejected: '));
}

/** `Bearer a="1", b="2"` → Map { a → 1, b → 2 }; fails on anything that is not one well-formed Bearer challenge. */
function parseBearerChallenge(header: string): Map<string, string> {
  assert.match(header, /^Bearer /, `a Bearer challenge: ${header}`);
  const params = new Map<string, string>();
  const pattern = /([A-Za-z_]+)="((?:[^"\\]|\\.)*)"(?:, |$)/y;
  pattern.lastIndex = 'Bearer '.length;
  while (pattern.lastIndex < header.length) {
    const match = pattern.exec(header);
    assert.ok(match, `malformed challenge at ${pattern.lastIndex}: ${header}`);
    assert.ok(!params.has(match[1]!), `duplicate parameter ${match[1]}`);
    params.set(match[1]!, match[2]!.replace(/\\(.)/g, '$1'));
  }
  return params;
}

/** One HTTP/1.1 request written by hand (fetch cannot send a header field twice), the raw answer back. */
function rawRequest(baseUrl: string, head: string[]): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write([...head, `Host: ${hostname}:${port}`, 'Connection: close', '', ''].join('\r\n'));
    });
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
