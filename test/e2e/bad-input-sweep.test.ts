// Every route, public and admin, swept with hostile input: each field of each form, query and JSON body gets
// every C0 control character, DEL, non-Latin-1 text, broken percent-encoding, oversized and wrong-type values;
// bodies come malformed, oversized and with the wrong media type. Each answer must be a deliberate one (never a
// 5xx), an error must name its problem in the shape of its surface (RFC 6749 JSON, admin JSON, or an HTML page
// with the security headers), and the server must still serve afterwards. The route tables are checked against
// what the apps really register, so a new route cannot be added without being swept.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { connect } from 'node:net';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CALLBACK, basic, createClient, createUser } from '../helpers/fixtures.js';
import { ClientAuthThrottle } from '../../src/http/rate-limits/index.js';
import * as oidc from 'openid-client';
import { TestUserAgent } from '../helpers/user-agent.js';
import { USER, oidcClient } from '../helpers/fixtures.js';

const C0 = Array.from({ length: 32 }, (_, code) => String.fromCharCode(code));
/** Values that must never crash a handler, whatever field they land in. */
const HOSTILE_STRINGS = [
  ...C0.map((char) => `a${char}b`),
  ...C0.map((char) => `/${char}/evil.example`),
  '\x7f', 'ü', '日本語', '😀', '\u2028', '\ufeff', '\ud800', '%', '%ZZ', '%00', '../../etc/passwd', '<script>alert(1)</script>',
  "' or 1=1 --", '${7*7}', '//evil.example', '/\\evil.example', 'javascript:alert(1)', ' ', '',
  'x'.repeat(5000),
];
/** JSON values of every type, for the admin API's typed fields. */
const HOSTILE_JSON: unknown[] = [null, true, 0, -1, 1.5, 1e308, [], ['a', 1], {}, { a: 1 }, 'a\u0000b', 'a\nb', 'x'.repeat(5000), '😀'];

/** Token exchange (RFC 8693): its grant type, and the resource the sweep's client may exchange for. */
const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const EXCHANGE_TARGET = 'https://exchange-target.example.com';

interface Route { method: string; path: string }

/** The routes a Fastify app registers, from printRoutes' tree (HEAD is Fastify's own twin of GET). */
function registeredRoutes(tree: string): Route[] {
  const routes: Route[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│ ]*)(?:[├└]── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    const path = stack.join('').replace(/\/+/g, '/');
    for (const method of match[3]?.split(', ') ?? []) if (method !== 'HEAD') routes.push({ method, path: path.replace(/\/$/, '') || '/' });
  }
  // A prefix registers "/admin/clients" and "/admin/clients/" alike: one route.
  return [...new Map(routes.map((route) => [key(route), route])).values()];
}

const key = (route: Route) => `${route.method} ${route.path}`;

// The fields each public route reads; the sweep puts each hostile value in each of them in turn.
const PUBLIC: Array<Route & { fields: string[]; body?: 'form' }> = [
  { method: 'GET', path: '/', fields: ['x'] },
  { method: 'GET', path: '/userinfo', fields: ['access_token'] },
  { method: 'POST', path: '/userinfo', fields: ['access_token'], body: 'form' },
  { method: 'GET', path: '/.well-known/oauth-authorization-server', fields: ['x'] },
  { method: 'GET', path: '/.well-known/openid-configuration', fields: ['x'] },
  { method: 'GET', path: '/.well-known/jwks.json', fields: ['x'] },
  { method: 'GET', path: '/oauth2/authorize', fields: ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'login_hint', 'id_token_hint', 'resource', 'response_mode', 'return_to', 'login_verifier', 'consent_verifier', 'request', 'request_uri', 'pushed_request_seal', 'dpop_jkt'] },
  { method: 'POST', path: '/oauth2/authorize', fields: ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'resource', 'decision', 'csrf', 'request_uri', 'pushed_request_seal'], body: 'form' },
  // Hydra's path for the same endpoint.
  { method: 'GET', path: '/oauth2/auth', fields: ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'prompt', 'id_token_hint', 'resource', 'login_verifier', 'consent_verifier', 'request_uri'] },
  { method: 'POST', path: '/oauth2/auth', fields: ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'resource', 'decision', 'csrf'], body: 'form' },
  { method: 'GET', path: '/login', fields: ['return_to'] },
  { method: 'POST', path: '/login', fields: ['username', 'password', 'csrf', 'return_to'], body: 'form' },
  { method: 'POST', path: '/logout', fields: ['csrf', 'return_to', 'post_logout_redirect_uri'], body: 'form' },
  ...['/oauth2/logout', '/oauth2/sessions/logout'].flatMap((path) => [
    { method: 'GET', path, fields: ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'logout_hint', 'ui_locales', 'logout_verifier'] },
    { method: 'POST', path, fields: ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'logout_hint', 'decision', 'csrf'], body: 'form' as const },
  ]),
  { method: 'GET', path: '/account/apps', fields: ['revoked'] },
  { method: 'POST', path: '/account/apps/:clientId/revoke', fields: ['csrf', 'confirm'], body: 'form' },
  { method: 'GET', path: '/oauth2/device/verify', fields: ['user_code', 'device_verifier'] },
  { method: 'POST', path: '/oauth2/device/verify', fields: ['user_code', 'csrf', 'decision'], body: 'form' },
  // Dynamic client registration takes JSON: its fields are swept by their own test (REGISTRATION_FIELDS below).
  { method: 'POST', path: '/oauth2/register', fields: [] },
  { method: 'GET', path: '/oauth2/register/:clientId', fields: [] },
  { method: 'PUT', path: '/oauth2/register/:clientId', fields: [] },
  { method: 'DELETE', path: '/oauth2/register/:clientId', fields: [] },
  // Its preflight: the path has a parameter, so cors.ts's list cannot answer it.
  { method: 'OPTIONS', path: '/oauth2/register/:clientId', fields: [] },
];
/** Every metadata field /oauth2/register and /oauth2/register/{id} read (RFC 7591 §2, RFC 7592 §2.2). */
const REGISTRATION_FIELDS = [
  'redirect_uris', 'token_endpoint_auth_method', 'grant_types', 'response_types', 'client_name', 'client_uri', 'logo_uri', 'scope',
  'contacts', 'tos_uri', 'policy_uri', 'jwks_uri', 'jwks', 'software_id', 'software_version', 'software_statement', 'application_type',
  'post_logout_redirect_uris', 'client_id', 'client_secret',
];
// Served on node:http ahead of Fastify, so not in its route table.
const DIRECT: Array<Route & { fields: string[] }> = [
  { method: 'POST', path: '/oauth2/token', fields: ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'client_id', 'client_secret', 'resource', 'device_code', 'client_assertion_type', 'client_assertion', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'audience'] },
  { method: 'POST', path: '/oauth2/device/auth', fields: ['client_id', 'client_secret', 'scope'] },
  // RFC 9126: client authentication, then the authorization request's own parameters.
  { method: 'POST', path: '/oauth2/par', fields: ['client_id', 'client_secret', 'response_type', 'redirect_uri', 'scope', 'state', 'nonce', 'code_challenge', 'code_challenge_method', 'prompt', 'max_age', 'id_token_hint', 'request', 'request_uri', 'pushed_request_seal', 'dpop_jkt'] },
  { method: 'POST', path: '/oauth2/introspect', fields: ['token', 'token_type_hint'] },
  { method: 'POST', path: '/oauth2/revoke', fields: ['token', 'token_type_hint'] },
];
const DIRECT_PATHS = new Set(DIRECT.map((route) => route.path));
// The admin routes and the JSON fields (or query fields, for GET) each reads.
const ADMIN: Array<Route & { fields: string[]; query?: Record<string, string> }> = [
  { method: 'GET', path: '/healthz', fields: [] },
  { method: 'GET', path: '/readyz', fields: [] },
  { method: 'GET', path: '/metrics', fields: [] },
  { method: 'POST', path: '/admin/clients', fields: ['client_name', 'client_id', 'redirect_uris', 'grant_types', 'scope', 'token_endpoint_auth_method', 'access_token_ttl', 'refresh_token_ttl', 'refresh_token_grace', 'access_token_format', 'resource_server_for', 'token_exchange_resources', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'backchannel_logout_session_required', 'frontchannel_logout_uri', 'frontchannel_logout_session_required', 'require_pushed_authorization_requests', 'dpop_bound_access_tokens', 'jwks', 'jwks_uri', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri'] },
  { method: 'GET', path: '/admin/clients', fields: ['limit'] },
  { method: 'GET', path: '/admin/clients/:id', fields: [] },
  { method: 'PATCH', path: '/admin/clients/:id', fields: ['client_name', 'redirect_uris', 'grant_types', 'scope', 'access_token_ttl', 'refresh_token_grace', 'access_token_format', 'resource_server_for', 'token_exchange_resources', 'post_logout_redirect_uris', 'backchannel_logout_uri', 'frontchannel_logout_uri', 'require_pushed_authorization_requests', 'dpop_bound_access_tokens', 'logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'skip_consent'] },
  { method: 'DELETE', path: '/admin/clients/:id', fields: [] },
  { method: 'POST', path: '/admin/clients/:id/rotate-secret', fields: [] },
  { method: 'POST', path: '/admin/users', fields: ['username', 'password', 'name', 'email'] },
  { method: 'GET', path: '/admin/users', fields: [] },
  { method: 'DELETE', path: '/admin/users/:username', fields: [] },
  { method: 'PUT', path: '/admin/users/:username/password', fields: ['password'] },
  { method: 'POST', path: '/admin/resources', fields: ['uri', 'name', 'scope'] },
  { method: 'GET', path: '/admin/resources', fields: [] },
  { method: 'DELETE', path: '/admin/resources/:uri', fields: [] },
  { method: 'POST', path: '/admin/registration-tokens', fields: ['expires_in', 'max_uses'] },
  { method: 'GET', path: '/admin/registration-tokens', fields: [] },
  { method: 'DELETE', path: '/admin/registration-tokens/:id', fields: [] },
  { method: 'GET', path: '/admin/keys', fields: [] },
  { method: 'POST', path: '/admin/keys/rotate', fields: ['alg'] },
  { method: 'GET', path: '/admin/grants', fields: ['user', 'client', 'include_revoked'] },
  { method: 'DELETE', path: '/admin/grants/:id', fields: [] },
  { method: 'POST', path: '/admin/tokens/inspect', fields: ['token'] },
  { method: 'GET', path: '/admin/audit-events', fields: ['event', 'client', 'user', 'since', 'limit'] },
  // Hydra's login and consent API: the challenge in the query, the answer in the body.
  { method: 'GET', path: '/admin/oauth2/auth/requests/login', fields: ['login_challenge'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/login/accept', query: { login_challenge: 'c' }, fields: ['subject', 'remember', 'remember_for', 'acr', 'amr', 'context', 'extend_session_lifespan', 'force_subject_identifier'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/login/reject', query: { login_challenge: 'c' }, fields: ['error', 'error_description', 'error_hint', 'error_debug', 'status_code'] },
  { method: 'GET', path: '/admin/oauth2/auth/requests/consent', fields: ['consent_challenge'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/consent/accept', query: { consent_challenge: 'c' }, fields: ['grant_scope', 'grant_access_token_audience', 'remember', 'remember_for', 'session'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/consent/reject', query: { consent_challenge: 'c' }, fields: ['error', 'error_description', 'status_code'] },
  { method: 'GET', path: '/admin/oauth2/auth/requests/logout', fields: ['logout_challenge'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/device/accept', query: { device_challenge: 'c' }, fields: ['user_code'] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/logout/accept', query: { logout_challenge: 'c' }, fields: [] },
  { method: 'PUT', path: '/admin/oauth2/auth/requests/logout/reject', query: { logout_challenge: 'c' }, fields: [] },
  { method: 'GET', path: '/admin/oauth2/auth/sessions/consent', fields: ['subject', 'login_session_id'] },
  { method: 'DELETE', path: '/admin/oauth2/auth/sessions/consent', query: { subject: 's' }, fields: [] },
  { method: 'DELETE', path: '/admin/oauth2/auth/sessions/login', query: { subject: 's' }, fields: ['sid'] },
];
/** Path parameters that are not valid URL components, not UTF-8, or too long. */
const PATH_PARAM_VALUES = ['%00', '%0d%0a', '%ZZ', 'x'.repeat(300), '%F0%9F%98%80', '..%2F..%2Fadmin', '%E0%A4%A'];

interface Answer { status: number; headers: Headers; text: string }

async function answer(response: Response): Promise<Answer> {
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** An answer is deliberate: not a 5xx, and an error names its problem in the shape of its surface. */
function assertDeliberate(what: string, got: Answer, surface: 'oauth' | 'page' | 'admin'): void {
  assert.ok(got.status < 500 || (got.status === 503 && got.headers.get('retry-after')), `${what}: status ${got.status} ${got.text.slice(0, 200)}`);
  if (got.status < 400) return;
  const type = got.headers.get('content-type') ?? '';
  if (type.startsWith('application/json')) {
    const body = JSON.parse(got.text) as Record<string, unknown>;
    assert.equal(typeof body.error, 'string', `${what}: JSON error without "error": ${got.text.slice(0, 200)}`);
    const description = body.error_description ?? body.message;
    assert.ok(typeof description === 'string' && description.length > 0, `${what}: error without a description: ${got.text.slice(0, 200)}`);
    assert.doesNotMatch(got.text, /FST_ERR|ERR_INVALID|at .*\.ts:\d+|SqliteError|stack/, `${what}: leaks an internal error: ${got.text.slice(0, 200)}`);
    return;
  }
  assert.notEqual(surface, 'admin', `${what}: the admin API answers errors in JSON, got ${type}`);
  assert.match(type, /^text\/html/, `${what}: error of type "${type}"`);
  assert.match(got.text, /<title>[^<]+<\/title>/, `${what}: an error page without a title`);
  assert.doesNotMatch(got.text, /FST_ERR|ERR_INVALID|SqliteError/, `${what}: leaks an internal error code`);
  assert.equal(got.headers.get('x-frame-options'), 'DENY', `${what}: an error page without the security headers`);
  assert.match(got.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: an error page without a CSP`);
}

/** Sends bytes exactly as given (fetch refuses raw control characters); resolves with the status code. */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request));
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0)));
  });
}

await describeOnBackends('bad input on every route', (backend) => {
  let server: TestServer;
  let auth: string;
  let userToken: string;
  let adminHeaders: Record<string, string>;
  // The sweep fails client authentication hundreds of times from one address: the throttle's clock is moved on at the end.
  let clock = Date.now();

  before(async () => {
    server = await startTestServer({ backend, env: { GATEHOUSE_REGISTRATION: 'open', GATEHOUSE_REGISTRATION_RATE_LIMIT: '0' } });
    server.services.clientAuthThrottle = new ClientAuthThrottle({ clock: { now: () => clock } });
    await createUser(server);
    const { clientSecret } = await createClient(server, { clientId: 'sweep-client', scopes: 'openid read:leads', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials', EXCHANGE], tokenExchangeResources: [EXCHANGE_TARGET] });
    auth = basic('sweep-client', clientSecret!);
    await server.services.resources.create({ uri: EXCHANGE_TARGET, scopes: 'read:leads' });
    // A live user token for the token exchange sweep, made before the sweeps trip the sign-in rate limits.
    const config = await oidcClient(server, 'sweep-client', oidc.ClientSecretBasic(clientSecret!));
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'read:leads', code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    userToken = (await oidc.authorizationCodeGrant(config, await new TestUserAgent(server.issuer).authorize(url.href, USER), { pkceCodeVerifier: verifier })).access_token;
    // The admin sweep updates, rotates and deletes this one; the public sweep's client stays as it was.
    await createClient(server, { clientId: 'victim-client' });
    adminHeaders = { 'content-type': 'application/json' };
  });
  after(() => server.close());

  const sub = (path: string, value = 'sweep-client') => path.replace(/:[A-Za-z]+/g, value);

  test('the sweep covers every route the public and admin apps register', () => {
    const publicRoutes = registeredRoutes(server.server.publicApp.printRoutes({ commonPrefix: false })).map(key).sort();
    assert.deepEqual(publicRoutes, PUBLIC.map(key).sort(), 'a public route is missing from the sweep (or gone)');
    const adminRoutes = registeredRoutes(server.server.adminApp.printRoutes({ commonPrefix: false })).map(key).sort();
    assert.deepEqual(adminRoutes, ADMIN.map(key).sort(), 'an admin route is missing from the sweep (or gone)');
  });

  test('public pages and endpoints: every field with every hostile value', async () => {
    for (const route of PUBLIC) {
      for (const field of route.fields) {
        for (const value of HOSTILE_STRINGS) {
          const params = new URLSearchParams({ [field]: value });
          const what = `${route.method} ${route.path} ${field}=${JSON.stringify(value.slice(0, 20))}`;
          const response = route.body === 'form'
            ? await fetch(`${server.issuer}${sub(route.path)}`, { method: route.method, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: params.toString() })
            : await fetch(`${server.issuer}${sub(route.path)}?${params}`, { method: route.method, redirect: 'manual' });
          assertDeliberate(what, await answer(response), route.path.startsWith('/.well-known') || route.path === '/userinfo' ? 'oauth' : 'page');
        }
      }
      if (route.path.includes(':')) {
        for (const value of PATH_PARAM_VALUES) {
          const withBody = route.method === 'POST' || route.method === 'PUT';
          const response = await fetch(`${server.issuer}${sub(route.path, value)}`, { method: route.method, redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: withBody ? 'csrf=x' : undefined });
          assertDeliberate(`${route.method} ${sub(route.path, value)}`, await answer(response), 'page');
        }
      }
    }
  });

  // Before the sweep below floods client authentication (and trips its throttle): these requests authenticate.
  test('token exchange (RFC 8693): each of its fields with every hostile value, around a live user token', async () => {
    const base = { grant_type: EXCHANGE, subject_token: userToken, subject_token_type: 'urn:ietf:params:oauth:token-type:access_token', resource: EXCHANGE_TARGET };
    const fields = ['subject_token', 'subject_token_type', 'actor_token', 'actor_token_type', 'requested_token_type', 'resource', 'audience', 'scope'];
    for (const field of fields) {
      for (const value of HOSTILE_STRINGS) {
        const form = new URLSearchParams({ ...base, ...(field === 'actor_token' ? { actor_token_type: base.subject_token_type } : {}), [field]: value });
        const response = await fetch(`${server.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: form.toString() });
        const got = await answer(response);
        assertDeliberate(`token exchange ${field}=${JSON.stringify(value.slice(0, 20))}`, got, 'oauth');
      }
    }
    // The baseline itself works: the sweep reached the exchange, not only its parameter checks.
    const ok = await fetch(`${server.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: new URLSearchParams(base).toString() });
    assert.equal(ok.status, 200, await ok.text());
  });

  test('dynamic registration: every metadata field with every JSON type and hostile value, at registration and replacement', async () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.issuer}/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    const registered = await (await post({ client_name: 'Swept', redirect_uris: [CALLBACK] })).json() as Record<string, string>;
    for (const field of REGISTRATION_FIELDS) {
      for (const value of [...HOSTILE_JSON, ...HOSTILE_STRINGS, [CALLBACK, ...HOSTILE_STRINGS.slice(0, 40)], { keys: [{ kty: 'EC', kid: '\u0000' }] }]) {
        const what = `POST /oauth2/register ${field}=${JSON.stringify(value)?.slice(0, 30)}`;
        assertDeliberate(what, await answer(await post({ client_name: 'Swept', redirect_uris: [CALLBACK], [field]: value })), 'oauth');
      }
      for (const value of HOSTILE_JSON) {
        const response = await fetch(registered.registration_client_uri!, {
          method: 'PUT',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${registered.registration_access_token}` },
          body: JSON.stringify({ client_id: registered.client_id, redirect_uris: [CALLBACK], [field]: value }),
        });
        assertDeliberate(`PUT /oauth2/register/{id} ${field}=${JSON.stringify(value)?.slice(0, 30)}`, await answer(response), 'oauth');
      }
    }
    for (const token of ['', 'x', 'ghr_' + 'x'.repeat(5000), '\u00fc']) {
      for (const method of ['GET', 'PUT', 'DELETE']) {
        const response = await fetch(registered.registration_client_uri!, { method, headers: { authorization: `Bearer ${encodeURIComponent(token)}`, 'content-type': 'application/json' }, body: method === 'PUT' ? '{}' : undefined });
        assertDeliberate(`${method} /oauth2/register/{id} with token ${token.slice(0, 10)}`, await answer(response), 'oauth');
      }
    }
  });

  test('token, introspection and revocation: every field with every hostile value, authenticated and not', async () => {
    for (const route of DIRECT) {
      for (const field of route.fields) {
        for (const value of HOSTILE_STRINGS) {
          const form = new URLSearchParams({ grant_type: 'client_credentials', token: 'x', [field]: value });
          for (const headers of [{ authorization: auth }, {}] as Array<Record<string, string>>) {
            const response = await fetch(`${server.issuer}${route.path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form.toString() });
            assertDeliberate(`${route.path} ${field}=${JSON.stringify(value.slice(0, 20))}`, await answer(response), 'oauth');
          }
        }
      }
    }
  });

  test('every public POST: malformed, oversized and mistyped bodies', async () => {
    const bodies: Array<[string, string | Blob]> = [
      ['application/x-www-form-urlencoded', '%ZZ=%&&=&a=%'],
      ['application/x-www-form-urlencoded', new Blob([new Uint8Array([0xff, 0xfe, 0x00, 0x3d, 0x80])])],
      ['application/x-www-form-urlencoded', `a=${'b'.repeat(200 * 1024)}`],
      ['application/json', '{"grant_type":'],
      ['text/plain', 'grant_type=client_credentials'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--'],
      ['application/x-www-form-urlencoded; charset=utf-16', 'a=b'],
    ];
    const posts = [...PUBLIC.filter((route) => route.method === 'POST'), ...DIRECT];
    for (const route of posts) {
      for (const [type, body] of bodies) {
        const response = await fetch(`${server.issuer}${sub(route.path)}`, { method: 'POST', redirect: 'manual', headers: { 'content-type': type, authorization: auth }, body }).catch((error: Error) => error);
        // Only the oversized body may be cut off by the server before the client finished sending: nothing to read then.
        if (response instanceof Error) {
          assert.ok(typeof body === 'string' && body.length > 64 * 1024, `POST ${route.path} with ${type}: ${response.message}`);
          continue;
        }
        const got = await answer(response);
        assertDeliberate(`POST ${route.path} with ${type} (${typeof body === 'string' ? body.length : body.size} bytes)`, got, DIRECT_PATHS.has(route.path) || route.path === '/userinfo' ? 'oauth' : 'page');
        // Not signed in, the connected-apps action sends the browser to sign in before it reads anything.
        const toSignIn = got.status === 303 && response.headers.get('location')?.startsWith('/login');
        // The end-session endpoint takes every parameter as optional and ignores unknown ones (RP-Initiated Logout §2):
        // a form it can read, with nothing it knows in it, sent without a session cookie, is the same request as a GET.
        const readableLogout = got.status === 303 && route.path.startsWith('/oauth2/') && route.path.endsWith('/logout')
          && type.startsWith('application/x-www-form-urlencoded') && response.headers.get('location') === route.path;
        assert.ok(got.status >= 400 || toSignIn || readableLogout, `POST ${route.path} with ${type} (${String(body).slice(0, 20)}): ${got.status}, expected a refusal`);
      }
    }
  });

  test('headers: hostile Authorization, Cookie and Host values are refused or ignored, never a crash', async () => {
    const authorizations = ['Basic', 'Basic !!!', 'Basic ' + Buffer.from('a').toString('base64'), 'Basic ' + Buffer.from(':').toString('base64'), 'Basic ' + Buffer.from('%ZZ:%ZZ').toString('base64'),
      'Bearer', 'Bearer a b', 'Bearer ' + 'x'.repeat(9000), 'Bearer ü', 'DPoP x', 'basic ' + Buffer.from('sweep-client:x').toString('base64')];
    const cookies = ['gatehouse_session=%ZZ', 'gatehouse_session=' + 'x'.repeat(4000), 'gatehouse_csrf=ü', '=; ;; =x', 'gatehouse_session="unterminated'];
    for (const route of [...PUBLIC, ...DIRECT]) {
      for (const authorization of authorizations) {
        const init: RequestInit = { method: route.method, redirect: 'manual', headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' } };
        if (route.method === 'POST') init.body = 'grant_type=client_credentials&token=x';
        assertDeliberate(`${route.method} ${route.path} Authorization: ${authorization.slice(0, 20)}`, await answer(await fetch(`${server.issuer}${sub(route.path)}`, init)), 'oauth');
      }
      for (const cookie of cookies) {
        const init: RequestInit = { method: route.method, redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' } };
        if (route.method === 'POST') init.body = 'csrf=x&username=a&password=b';
        const got = await answer(await fetch(`${server.issuer}${sub(route.path)}`, init));
        assertDeliberate(`${route.method} ${route.path} Cookie: ${cookie.slice(0, 30)}`, got, DIRECT_PATHS.has(route.path) ? 'oauth' : 'page');
      }
    }
  });

  test('request lines the HTTP parser or the router must refuse', async () => {
    const port = Number(new URL(server.issuer).port);
    const requests = [
      'GET /login?return_to=/\t/evil.example HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /\x00 HTTP/1.1\r\nHost: x\r\n\r\n',
      'GET /login HTTP/1.1\r\nHost: x\r\nX-Bad: a\x01b\r\n\r\n',
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef',
      'POST /oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n',
      'GET /' + 'a'.repeat(20_000) + ' HTTP/1.1\r\nHost: x\r\n\r\n',
      'BREW /oauth2/token HTTP/1.1\r\nHost: x\r\n\r\n',
    ];
    for (const request of requests) {
      const status = await rawStatus(port, request);
      assert.ok(status >= 400 && status < 500, `${JSON.stringify(request.slice(0, 60))}: status ${status}`);
    }
  });

  test('admin API: every JSON field with every type and hostile value, and every path parameter', async () => {
    const sub = (path: string, value = 'victim-client') => path.replace(/:[A-Za-z]+/g, value);
    const admin = (method: string, path: string, body?: unknown, headers: Record<string, string> = adminHeaders) =>
      fetch(`${server.adminUrl}${path}`, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    for (const route of ADMIN) {
      const target = `${sub(route.path)}${route.query ? `?${new URLSearchParams(route.query)}` : ''}`;
      for (const field of route.fields) {
        for (const value of [...HOSTILE_JSON, ...HOSTILE_STRINGS]) {
          const what = `${route.method} ${route.path} ${field}=${JSON.stringify(value)?.slice(0, 30)}`;
          const response = route.method === 'GET'
            ? await admin('GET', `${sub(route.path)}?${new URLSearchParams({ ...route.query, [field]: String(value) })}`, undefined, {})
            : await admin(route.method, target, { [field]: value });
          assertDeliberate(what, await answer(response), 'admin');
        }
      }
      if (route.path.includes(':')) {
        for (const value of PATH_PARAM_VALUES) {
          const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
          assertDeliberate(`${route.method} ${sub(route.path, value)}`, await answer(await admin(route.method, sub(route.path, value), body, body === undefined ? {} : adminHeaders)), 'admin');
        }
      }
      if (route.method !== 'GET') {
        for (const [type, body] of [['application/json', '{"client_name":'], ['application/json', '[]'], ['application/json', 'null'], ['application/json', `{"a":"${'b'.repeat(100 * 1024)}"}`], ['text/plain', '{}']] as const) {
          const got = await answer(await admin(route.method, target, body, { 'content-type': type }));
          assertDeliberate(`${route.method} ${route.path} body ${type} ${body.slice(0, 20)}`, got, 'admin');
        }
      }
    }
  });

  test('after the sweep the server still serves, and no half-written client or user was left behind', async () => {
    const throttled = await fetch(`${server.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: 'grant_type=client_credentials' });
    assert.equal(throttled.status, 429, 'the flood of failed client authentications was throttled');
    assert.ok(Number(throttled.headers.get('retry-after')) > 0);
    clock += 61_000;
    const discovery = await fetch(`${server.issuer}/.well-known/openid-configuration`);
    assert.equal(discovery.status, 200);
    const token = await fetch(`${server.issuer}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: 'grant_type=client_credentials' });
    assert.equal(token.status, 200);
    const page = await fetch(`${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'sweep-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 's' })}`, { redirect: 'manual' });
    assert.ok([200, 303].includes(page.status));
    assert.equal((await fetch(`${server.adminUrl}/healthz`)).status, 200);
    // Only what the sweep's own valid requests could have made exists: every created client has a name and a redirect URI made of printable characters.
    for (const client of await server.services.store.listClients()) {
      assert.doesNotMatch(client.name + client.redirectUris.join(''), /[\x00-\x1f\x7f]/, `client ${client.clientId} stored with a control character`);
    }
    for (const user of await server.services.store.listUsers()) {
      assert.doesNotMatch(`${user.username}${user.name ?? ''}${user.email ?? ''}`, /[\x00-\x1f\x7f]/, `user ${user.username} stored with a control character`);
    }
  });
});
