// Dynamic client registration (RFC 7591) and its management (RFC 7592) through the public surface: openid-client
// registers and then runs the code flow with what it got; every policy refusal; the registration access token;
// initial access tokens (GATEHOUSE_REGISTRATION=token); housekeeping of registrations never used; rate limit; CORS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { describeOnBackends } from '../helpers/backends.js';
import { TestClock } from '../helpers/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { basic, createUser, USER } from '../helpers/fixtures.js';
import { sha256Hex } from '../../src/domain/crypto.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

const CALLBACK = 'http://127.0.0.1:6274/oauth/callback';
const SCOPES = 'openid profile read:leads';
const insecure = { execute: [client.allowInsecureRequests] };

async function register(server: TestServer, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(`${server.issuer}/oauth2/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function manage(url: string, method: string, token: string | undefined, body?: unknown): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** Sign-in, consent (whose page must mark the app as not verified) and the code exchange, as the registered client. */
async function codeFlow(server: TestServer, config: client.Configuration): Promise<client.TokenEndpointResponse> {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: CALLBACK, scope: 'openid read:leads', state: 'dcr',
    code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
  });
  const browser = new TestUserAgent(server.issuer);
  const login = await browser.navigate(url.href);
  const consent = await browser.signIn(login.html, USER.username, USER.password);
  assert.match(consent.html, /wants to access your account/);
  assert.match(consent.html, /comes from <strong>127\.0\.0\.1:6274<\/strong>/, 'a registered client is marked as not verified');
  assert.match(consent.html, /has not been verified by this platform/);
  const done = await browser.navigate('/oauth2/authorize', { form: { ...hiddenFields(consent.html, '/oauth2/authorize'), decision: 'allow' } });
  return client.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier, expectedState: 'dcr' });
}

await describeOnBackends('dynamic client registration, open', (backend) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ backend, clock, env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_SCOPES: SCOPES, GATEHOUSE_REGISTRATION_RATE_LIMIT: '0' } });
    await createUser(server);
  });
  after(() => server.close());

  test('discovery announces the registration endpoint', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = await (await fetch(`${server.issuer}${path}`)).json() as Record<string, unknown>;
      assert.equal(metadata.registration_endpoint, `${server.issuer}/oauth2/register`, path);
    }
  });

  test('openid-client registers a confidential client (client_secret_basic by default) and runs the code flow with it', async () => {
    const config = await client.dynamicClientRegistration(new URL(server.issuer), {
      client_name: 'Inspector', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], scope: SCOPES,
      logo_uri: 'https://inspector.example/logo.png', tos_uri: 'https://inspector.example/tos', software_id: 'ignored', 'x-unknown': { any: 1 },
    }, client.ClientSecretBasic(), insecure);
    const registered = config.clientMetadata();
    assert.equal(registered.token_endpoint_auth_method, 'client_secret_basic');
    assert.match(String(registered.client_secret), /^ghs_/);
    assert.equal(registered.client_secret_expires_at, 0);
    assert.equal(registered.logo_uri, 'https://inspector.example/logo.png');
    assert.equal(registered.scope, SCOPES);
    assert.equal(registered['x-unknown'], undefined, 'unknown metadata is ignored');
    const stored = await server.services.store.getClient(registered.client_id);
    assert.notEqual(stored?.secretHash, registered.client_secret, 'the secret is stored hashed');
    assert.ok(stored?.registration?.unusedUntil, 'not used yet');

    const tokens = await codeFlow(server, config);
    assert.equal(tokens.scope, 'openid read:leads');
    assert.ok(tokens.refresh_token);
    assert.equal((await server.services.store.getClient(registered.client_id))?.registration?.unusedUntil, null, 'the first token marks it used');
    assert.ok((await client.refreshTokenGrant(config, tokens.refresh_token!)).access_token);
  });

  test('a public native client with a private-use scheme and a loopback redirect on any port registers without a secret', async () => {
    const { status, json } = await register(server, {
      client_name: 'Desktop', application_type: 'native', token_endpoint_auth_method: 'none',
      redirect_uris: ['com.example.desktop:/callback', 'http://127.0.0.1:49152/cb', 'http://[::1]:8080/cb', 'http://localhost/cb'],
    });
    assert.equal(status, 201, JSON.stringify(json));
    assert.equal(json.client_secret, undefined);
    assert.equal(json.token_endpoint_auth_method, 'none');
    assert.equal(json.application_type, 'native');
    assert.equal(json.scope, SCOPES, 'no scope asked: every registrable scope');
    assert.deepEqual(json.grant_types, ['authorization_code'], 'RFC 7591 default');
  });

  test('every policy refusal is a 400 naming the problem, and nothing is registered', async () => {
    const base = { redirect_uris: [CALLBACK] };
    const cases: Array<[string, unknown, string, RegExp]> = [
      ['http off loopback', { redirect_uris: ['http://app.example/cb'] }, 'invalid_redirect_uri', /not loopback; use https/],
      ['private scheme for a web app', { redirect_uris: ['com.example.app:/cb'] }, 'invalid_redirect_uri', /only a client with application_type "native"/],
      ['fragment', { redirect_uris: ['https://app.example/cb#x'] }, 'invalid_redirect_uri', /fragment/],
      ['relative', { redirect_uris: ['/cb'] }, 'invalid_redirect_uri', /not an absolute URI/],
      ['no redirect URI', { client_name: 'x' }, 'invalid_redirect_uri', /at least one URI/],
      ['client_credentials', { ...base, grant_types: ['client_credentials'] }, 'invalid_client_metadata', /grant_types may be authorization_code and refresh_token only, not client_credentials/],
      ['device grant', { ...base, grant_types: ['urn:ietf:params:oauth:grant-type:device_code'] }, 'invalid_client_metadata', /not urn:ietf:params:oauth:grant-type:device_code/],
      ['implicit', { ...base, response_types: ['token'] }, 'invalid_client_metadata', /response_types may be "code" only/],
      ['client_secret_jwt', { ...base, token_endpoint_auth_method: 'client_secret_jwt' }, 'invalid_client_metadata', /token_endpoint_auth_method must be one of/],
      ['private_key_jwt without keys', { ...base, token_endpoint_auth_method: 'private_key_jwt' }, 'invalid_client_metadata', /private_key_jwt needs the client's public keys/],
      ['scope beyond', { ...base, scope: 'openid admin:all' }, 'invalid_client_metadata', /not admin:all/],
      ['application_type', { ...base, application_type: 'tv' }, 'invalid_client_metadata', /application_type must be web or native/],
      ['logo_uri over http', { ...base, logo_uri: 'http://app.example/logo.png' }, 'invalid_client_metadata', /logo_uri .* not loopback/],
      ['tos_uri not a URL', { ...base, tos_uri: 'terms' }, 'invalid_client_metadata', /tos_uri "terms" is not an absolute URI/],
      ['redirect_uris of the wrong type', { redirect_uris: CALLBACK }, 'invalid_client_metadata', /redirect_uris must be an array of strings/],
      ['client_name of the wrong type', { ...base, client_name: 5 }, 'invalid_client_metadata', /client_name must be a string/],
      ['jwks of the wrong type', { ...base, jwks: [1] }, 'invalid_client_metadata', /jwks must be a JSON Web Key Set/],
      ['long name', { ...base, client_name: 'n'.repeat(101) }, 'invalid_client_metadata', /at most 100 characters/],
      ['software statement', { ...base, software_statement: 'eyJhbGciOiJub25lIn0.e30.' }, 'invalid_software_statement', /software statements are not accepted/],
      ['not an object', [base], 'invalid_client_metadata', /must be a JSON object/],
      ['not JSON', '{"redirect_uris": [', 'invalid_client_metadata', /not valid JSON/],
    ];
    const before = (await server.services.store.listClients()).length;
    for (const [name, body, error, description] of cases) {
      const { status, json, headers } = await register(server, body);
      assert.equal(status, 400, name);
      assert.equal(json.error, error, name);
      assert.match(String(json.error_description), description, name);
      assert.equal(headers.get('cache-control'), 'no-store', name);
    }
    const form = await register(server, 'redirect_uris=x', { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(form.status, 415);
    assert.match(String(form.json.error_description), /must be sent as application\/json/);
    const huge = await register(server, { ...base, client_name: 'x', padding: 'p'.repeat(40 * 1024) });
    assert.equal(huge.status, 413);
    assert.equal((await server.services.store.listClients()).length, before, 'nothing half-written');
  });

  test('RFC 7592: the registration access token reads, replaces and deletes its own client only', async () => {
    const first = await register(server, { client_name: 'First', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'], scope: 'openid' });
    const second = await register(server, { client_name: 'Second', redirect_uris: [CALLBACK] });
    const url = String(first.json.registration_client_uri);
    const token = String(first.json.registration_access_token);
    assert.equal(url, `${server.issuer}/oauth2/register/${first.json.client_id}`);
    assert.match(token, /^ghr_/);

    const read = await manage(url, 'GET', token);
    assert.equal(read.status, 200);
    assert.equal(read.json.client_name, 'First');
    assert.equal(read.json.client_secret, undefined, 'the secret was shown once');
    assert.equal(read.json.registration_access_token, undefined);
    for (const wrong of [undefined, 'ghr_wrong', String(second.json.registration_access_token)]) {
      const refused = await manage(url, 'GET', wrong);
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'invalid_token');
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer/);
    }
    const stored = await server.services.store.getClient(String(first.json.client_id));
    assert.notEqual(stored?.registration?.tokenHash, token, 'the registration access token is stored hashed');

    const replaced = await manage(url, 'PUT', token, {
      client_id: first.json.client_id, client_name: 'First, renamed', redirect_uris: ['https://first.example/cb'], policy_uri: 'https://first.example/privacy',
    });
    assert.equal(replaced.status, 200, JSON.stringify(replaced.json));
    assert.equal(replaced.json.client_name, 'First, renamed');
    assert.deepEqual(replaced.json.redirect_uris, ['https://first.example/cb']);
    assert.deepEqual(replaced.json.grant_types, ['authorization_code'], 'omitted fields return to their defaults');
    assert.equal(replaced.json.policy_uri, 'https://first.example/privacy');
    assert.equal((await manage(url, 'PUT', token, { client_id: second.json.client_id, redirect_uris: [CALLBACK] })).json.error, 'invalid_client_metadata');
    const secretChosen = await manage(url, 'PUT', token, { client_id: first.json.client_id, client_secret: 'mine', redirect_uris: [CALLBACK] });
    assert.equal(secretChosen.status, 400);
    assert.match(String(secretChosen.json.error_description), /client_secret cannot be chosen/);
    const keepsSecret = await manage(url, 'PUT', token, { client_id: first.json.client_id, client_secret: first.json.client_secret, redirect_uris: [CALLBACK] });
    assert.equal(keepsSecret.status, 200, 'the current secret may be sent back');
    assert.equal((await manage(url, 'PUT', token, { client_id: first.json.client_id, redirect_uris: ['com.example.app:/cb'] })).json.error, 'invalid_redirect_uri');
    assert.equal((await manage(url, 'PUT', token, { client_id: first.json.client_id, redirect_uris: [CALLBACK], token_endpoint_auth_method: 'none' })).status, 400);

    assert.equal((await manage(url, 'DELETE', String(second.json.registration_access_token))).status, 401);
    const deleted = await manage(url, 'DELETE', token);
    assert.equal(deleted.status, 204);
    assert.equal(await server.services.store.getClient(String(first.json.client_id)), undefined);
    assert.equal((await manage(url, 'GET', token)).status, 401, 'gone');

    // Each change is an audit event whose actor is the registered client itself.
    await server.services.audit.flush();
    const trail = await server.services.store.listAuditEvents({ clientId: String(first.json.client_id), limit: 50 });
    const seen = trail.map((event) => `${event.event} by ${event.actorType}:${event.actorId}`);
    for (const name of ['client.created', 'client.updated', 'client.deleted']) {
      assert.ok(seen.includes(`${name} by client:${first.json.client_id}`), `${name} in ${seen.join(', ')}`);
    }
  });

  test('deleting a used registration revokes what it was issued', async () => {
    const config = await client.dynamicClientRegistration(new URL(server.issuer), { redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'] }, client.ClientSecretBasic(), insecure);
    const tokens = await codeFlow(server, config);
    const metadata = config.clientMetadata();
    assert.equal((await manage(String(metadata.registration_client_uri), 'DELETE', String(metadata.registration_access_token))).status, 204);
    const refresh = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic(metadata.client_id, String(metadata.client_secret)) },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }),
    });
    assert.equal(refresh.status, 401);
    assert.equal(((await refresh.json()) as { error: string }).error, 'invalid_client', 'the client is gone');
    const introspected = await server.services.store.getRefreshToken(sha256Hex(tokens.refresh_token!));
    assert.equal(introspected, undefined, 'its tokens went with it');
  });

  test('housekeeping deletes a registration never used within GATEHOUSE_REGISTRATION_UNUSED_TTL and keeps a used one', async () => {
    clock.freeze();
    try {
      const unused = await register(server, { client_name: 'Tried once', redirect_uris: [CALLBACK] });
      const usedConfig = await client.dynamicClientRegistration(new URL(server.issuer), { client_name: 'Used', redirect_uris: [CALLBACK] }, client.ClientSecretBasic(), insecure);
      await codeFlow(server, usedConfig);
      clock.advanceSeconds(86400 - 1);
      await server.services.store.cleanup(server.services.now(), 1000);
      assert.ok(await server.services.store.getClient(String(unused.json.client_id)), 'kept until its day is over');
      clock.advanceSeconds(1);
      const removed = await server.services.store.cleanup(server.services.now(), 1000);
      assert.ok(removed.unusedClients >= 1);
      assert.equal(await server.services.store.getClient(String(unused.json.client_id)), undefined);
      assert.ok(await server.services.store.getClient(usedConfig.clientMetadata().client_id), 'a used registration stays');
    } finally {
      clock.reset();
    }
  });

  test('CORS: the registration endpoint answers preflights and any origin may read its answers (MCP Inspector)', async () => {
    const origin = { origin: 'http://localhost:6274' };
    for (const path of ['/oauth2/register', '/oauth2/register/some-client', '/oauth2/token']) {
      const preflight = await fetch(`${server.issuer}${path}`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type, authorization' } });
      assert.equal(preflight.status, 204, path);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*', path);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Content-Type/, path);
    }
    const preflight = await fetch(`${server.issuer}/oauth2/register/some-client`, { method: 'OPTIONS', headers: origin });
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, PUT, DELETE');
    const created = await register(server, { redirect_uris: [CALLBACK] }, origin);
    assert.equal(created.headers.get('access-control-allow-origin'), '*');
    const refused = await register(server, { redirect_uris: ['http://evil.example/cb'] }, origin);
    assert.equal(refused.headers.get('access-control-allow-origin'), '*', 'errors too');
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      assert.equal((await fetch(`${server.issuer}${path}`, { headers: origin })).headers.get('access-control-allow-origin'), '*', path);
    }
    const token = await fetch(`${server.issuer}/oauth2/token`, { method: 'POST', headers: { ...origin, 'content-type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' });
    assert.equal(token.headers.get('access-control-allow-origin'), '*');
  });
});

await describeOnBackends('dynamic client registration with initial access tokens', (backend) => {
  let server: TestServer;
  const clock = new TestClock();
  before(async () => {
    server = await startTestServer({ backend, clock, env: { GATEHOUSE_REGISTRATION: 'token', GATEHOUSE_REGISTRATION_SCOPES: SCOPES } });
    await createUser(server);
  });
  after(() => server.close());

  test('without, with a wrong, a used-up or an expired initial access token registration is refused; with a live one it works', async () => {
    const metadata = { client_name: 'Partner', redirect_uris: [CALLBACK] };
    for (const headers of [{}, { authorization: 'Bearer ghi_unknown' }] as Array<Record<string, string>>) {
      const refused = await register(server, metadata, headers);
      assert.equal(refused.status, 401);
      assert.equal(refused.json.error, 'invalid_token');
      assert.match(refused.headers.get('www-authenticate') ?? '', /^Bearer realm/);
    }
    const { token } = await server.services.registration.createInitialAccessToken({ expiresInSeconds: 3600, maxUses: 1 });
    const config = await client.dynamicClientRegistration(new URL(server.issuer), { ...metadata, grant_types: ['authorization_code'] }, client.ClientSecretBasic(), { ...insecure, initialAccessToken: token });
    assert.ok((await codeFlow(server, config)).access_token);
    const usedUp = await register(server, metadata, { authorization: `Bearer ${token}` });
    assert.equal(usedUp.status, 401);
    assert.match(String(usedUp.json.error_description), /unknown, expired or used up/);

    clock.freeze();
    try {
      const expiring = await server.services.registration.createInitialAccessToken({ expiresInSeconds: 60, maxUses: null });
      assert.equal((await register(server, metadata, { authorization: `Bearer ${expiring.token}` })).status, 201);
      assert.equal((await register(server, metadata, { authorization: `Bearer ${expiring.token}` })).status, 201, 'no limit on uses');
      clock.advanceSeconds(60);
      assert.equal((await register(server, metadata, { authorization: `Bearer ${expiring.token}` })).status, 401, 'expired');
    } finally {
      clock.reset();
    }
  });
});

await describeOnBackends('dynamic client registration off (the default)', (backend) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ backend });
  });
  after(() => server.close());

  test('discovery does not announce it and the endpoint answers 404 saying why', async () => {
    for (const path of ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']) {
      const metadata = await (await fetch(`${server.issuer}${path}`)).json() as Record<string, unknown>;
      assert.equal('registration_endpoint' in metadata, false, path);
    }
    const { status, json } = await register(server, { redirect_uris: [CALLBACK] });
    assert.equal(status, 404);
    assert.match(String(json.error_description), /not enabled on this server \(GATEHOUSE_REGISTRATION=off\)/);
    assert.equal((await manage(`${server.issuer}/oauth2/register/x`, 'GET', 'ghr_x')).status, 404);
  });
});

await describeOnBackends('dynamic client registration rate limit', (backend) => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ backend, env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE_LIMIT: '2' } });
  });
  after(() => server.close());

  test('an address gets GATEHOUSE_REGISTRATION_RATE_LIMIT registrations an hour, then 429 with Retry-After', async () => {
    for (let i = 0; i < 2; i++) assert.equal((await register(server, { redirect_uris: [CALLBACK] })).status, 201);
    const refused = await register(server, { redirect_uris: [CALLBACK] });
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error, 'temporarily_unavailable');
    assert.match(String(refused.json.error_description), /too many client registrations from this address/);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
  });
}, { skip: false });

await describeOnBackends('dynamic client registration with software statements', (backend) => {
  let server: TestServer;
  const clock = new TestClock();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-statements-'));
  let trusted: CryptoKey;
  let stranger: CryptoKey;
  const sign = (key: CryptoKey, claims: Record<string, unknown>, expiresIn = '1h') =>
    new SignJWT(claims).setProtectedHeader({ alg: 'ES256' }).setIssuedAt(Math.floor(clock.now() / 1000)).setExpirationTime(Math.floor(clock.now() / 1000) + (expiresIn === '1h' ? 3600 : -3600)).sign(key);

  before(async () => {
    const issuer = await generateKeyPair('ES256');
    trusted = issuer.privateKey;
    stranger = (await generateKeyPair('ES256')).privateKey;
    const file = join(dir, 'trusted-issuers.json');
    writeFileSync(file, JSON.stringify({ keys: [await exportJWK(issuer.publicKey)] }));
    server = await startTestServer({ backend, clock, env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE_LIMIT: '0', GATEHOUSE_REGISTRATION_SCOPES: SCOPES, GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS: file } });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a statement signed by a trusted issuer is accepted and its claims take precedence over the metadata sent beside it', async () => {
    const statement = await sign(trusted, { iss: 'https://partners.example', software_id: 'leadsync', client_name: 'LeadSync (certified)', redirect_uris: ['https://leadsync.example/cb'] });
    const { status, json } = await register(server, { software_statement: statement, client_name: 'Something else', redirect_uris: [CALLBACK], logo_uri: 'https://leadsync.example/logo.png' });
    assert.equal(status, 201, JSON.stringify(json));
    assert.equal(json.client_name, 'LeadSync (certified)', 'the statement wins');
    assert.deepEqual(json.redirect_uris, ['https://leadsync.example/cb']);
    assert.equal(json.logo_uri, 'https://leadsync.example/logo.png', 'fields the statement does not name come from the request');
    assert.equal(json.software_statement, undefined);
  });

  test('an unknown signer is unapproved; a garbage, expired, unsigned or wrongly typed statement is invalid; nothing is registered', async () => {
    const before = (await server.services.store.listClients()).length;
    const cases: Array<[string, string, RegExp]> = [
      [await sign(stranger, { iss: 'https://evil.example', redirect_uris: [CALLBACK] }), 'unapproved_software_statement', /not signed by an issuer this server trusts/],
      ['not-a-jwt', 'invalid_software_statement', /not a valid signed JWT/],
      [await sign(trusted, { iss: 'https://partners.example', redirect_uris: [CALLBACK] }, 'expired'), 'invalid_software_statement', /has expired/],
      ['eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.', 'invalid_software_statement', /must be signed with one of/],
      [await sign(trusted, { redirect_uris: [CALLBACK] }), 'invalid_software_statement', /must name its issuer/],
      [await sign(trusted, { iss: 'https://partners.example', redirect_uris: 'not a list' }), 'invalid_client_metadata', /software_statement: redirect_uris must be an array/],
    ];
    for (const [statement, error, description] of cases) {
      const { status, json } = await register(server, { software_statement: statement, redirect_uris: [CALLBACK] });
      assert.equal(status, 400, statement.slice(0, 20));
      assert.equal(json.error, error, statement.slice(0, 20));
      assert.match(String(json.error_description), description);
    }
    assert.equal((await server.services.store.listClients()).length, before);
  });
});
