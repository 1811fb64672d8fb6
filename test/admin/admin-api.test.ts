// The admin API through its HTTP surface: JSON routes under /admin, /healthz, /metrics, errors as JSON 4xx.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/domain/crypto.js';
import { signJwt } from '../../src/jwt/sign.js';
import { issueUserTokens } from '../cli/helpers.js';
import { adminFixture, type AdminFixture } from './helpers.js';

const CALLBACK = 'https://zapier.com/oauth/callback';
const SECRET_256_BIT = /^ghs_[A-Za-z0-9_-]{43}$/;
// Every admin request that changes something says it is JSON, with or without a body.
const JSON_TYPE = { 'content-type': 'application/json' };

describe('admin API: clients', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
  });
  after(() => admin.close());

  test('POST /admin/clients registers a client and shows its secret once', async () => {
    const response = await admin.app.inject({
      method: 'POST',
      url: '/admin/clients',
      payload: { client_name: 'Zapier', client_id: 'zapier-client', redirect_uris: [CALLBACK], scope: 'openid read:leads', access_token_ttl: '15m' },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    assert.equal(response.headers.location, '/admin/clients/zapier-client');
    const client = response.json<Record<string, unknown>>();
    assert.equal(client.client_id, 'zapier-client');
    assert.equal(client.access_token_ttl, 900);
    assert.match(String(client.client_secret), SECRET_256_BIT);
    const stored = await admin.services.store.getClient('zapier-client');
    assert.equal(stored?.secretHash, sha256Hex(String(client.client_secret)));

    const shown = await admin.app.inject({ method: 'GET', url: '/admin/clients/zapier-client' });
    assert.equal(shown.statusCode, 200);
    assert.equal(shown.json<Record<string, unknown>>().client_secret, undefined);
  });

  test('bad input is a 400 naming the problem, never a 5xx, and nothing is written', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ client_name: 'Evil', redirect_uris: ['http://evil.example/cb'] }, /redirect URI "http:\/\/evil\.example\/cb" uses http/],
      [{ redirect_uris: [CALLBACK] }, /client_name/],
      [{ client_name: 'X', redirect_uri: CALLBACK }, /^body has an unknown property "redirect_uri"$/],
      [{ client_name: 5, redirect_uris: [CALLBACK] }, /^body\/client_name must be string$/],
      [{ client_name: 'X', redirect_uris: [CALLBACK], grant_types: ['password'] }, /^body\/grant_types\/0 must be one of authorization_code, refresh_token, client_credentials, urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange$/],
      [{ client_name: 'X', grant_types: ['refresh_token', 'client_credentials'] }, /refresh_token grant only makes sense with authorization_code or urn:ietf:params:oauth:grant-type:device_code/],
      [{ client_name: 'X', redirect_uris: [CALLBACK], access_token_ttl: 'soon' }, /^body\/access_token_ttl must be whole seconds or a duration/],
      [{ client_name: 'X', redirect_uris: [CALLBACK], access_token_ttl: 0 }, /access token lifetime must be between/],
      [{ client_name: 'X', client_id: 'has spaces', redirect_uris: [CALLBACK] }, /client id "has spaces"/],
      [{ client_name: 'X', public: true, grant_types: ['client_credentials'] }, /public client cannot use client_credentials/],
      [[1, 2], /body must be object/],
    ];
    for (const [payload, description] of cases) {
      const response = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: payload as object });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      const body = response.json<{ error: string; error_description: string }>();
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, description, JSON.stringify(payload));
    }
    const notJson = await admin.app.inject({ method: 'POST', url: '/admin/clients', headers: { 'content-type': 'application/json' }, payload: '{"client_name":' });
    assert.equal(notJson.statusCode, 400);
    assert.equal(notJson.json<{ error: string }>().error, 'invalid_request');
    const form = await admin.app.inject({ method: 'POST', url: '/admin/clients', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'client_name=x' });
    assert.equal(form.statusCode, 415);
    const list = await admin.app.inject({ method: 'GET', url: '/admin/clients' });
    assert.deepEqual(list.json<{ clients: Array<{ client_id: string }> }>().clients.map((c) => c.client_id), ['zapier-client']);
  });

  test('a device client is registered with the device_code grant and refresh_token, and no redirect URI', async () => {
    const response = await admin.app.inject({
      method: 'POST',
      url: '/admin/clients',
      payload: { client_name: 'TV', client_id: 'tv-app', public: true, grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'], scope: 'read:leads' },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json<{ grant_types: string[] }>().grant_types, ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    await admin.app.inject({ method: 'DELETE', url: '/admin/clients/tv-app' });
  });

  test('a duplicate client id is 409', async () => {
    const response = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'Z', client_id: 'zapier-client', redirect_uris: [CALLBACK] } });
    assert.equal(response.statusCode, 409);
    assert.deepEqual(response.json(), { error: 'conflict', error_description: 'a client with id "zapier-client" already exists' });
  });

  test('PATCH changes what is given; unknown ids are 404', async () => {
    const response = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/zapier-client', payload: { refresh_token_grace: 10, client_name: 'Zapier Inc' } });
    assert.equal(response.statusCode, 200, response.body);
    const client = response.json<Record<string, unknown>>();
    assert.equal(client.client_name, 'Zapier Inc');
    assert.equal(client.refresh_token_grace, 10);
    assert.equal(client.access_token_ttl, 900);
    const empty = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/zapier-client', payload: {} });
    assert.equal(empty.statusCode, 400);
    const idChange = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/zapier-client', payload: { client_id: 'other' } });
    assert.equal(idChange.statusCode, 400);
    for (const [method, url] of [['GET', '/admin/clients/nope'], ['PATCH', '/admin/clients/nope'], ['DELETE', '/admin/clients/nope'], ['POST', '/admin/clients/nope/rotate-secret']] as const) {
      const missing = await admin.app.inject({ method, url, headers: JSON_TYPE, ...(method === 'PATCH' ? { payload: { client_name: 'x' } } : {}) });
      assert.equal(missing.statusCode, 404, `${method} ${url}`);
      assert.deepEqual(missing.json(), { error: 'not_found', error_description: 'no client with id "nope"' });
    }
  });

  test('resource_server_for registers the audiences a client may introspect; a bad audience is a 400 naming it', async () => {
    const response = await admin.app.inject({
      method: 'POST', url: '/admin/clients',
      payload: { client_name: 'Leads API', client_id: 'leads-api', grant_types: ['client_credentials'], resource_server_for: ['https://api.example.com'] },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json<Record<string, unknown>>().resource_server_for, ['https://api.example.com']);
    assert.deepEqual((await admin.services.store.getClient('leads-api'))?.resourceServerFor, ['https://api.example.com']);
    const bad = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/leads-api', payload: { resource_server_for: ['bad\u0000audience'] } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json<{ error_description: string }>().error_description, /resource server audience/);
    const cleared = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/leads-api', payload: { resource_server_for: [] } });
    assert.deepEqual(cleared.json<Record<string, unknown>>().resource_server_for, []);
  });

  test('token exchange: the grant type and token_exchange_resources; a public client or a bad resource URI is a 400 naming it', async () => {
    const exchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const response = await admin.app.inject({
      method: 'POST', url: '/admin/clients',
      payload: { client_name: 'Agent', client_id: 'agent', grant_types: [exchange], token_exchange_resources: ['https://enrich.example.com'] },
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.deepEqual(response.json<Record<string, unknown>>().grant_types, [exchange]);
    assert.deepEqual(response.json<Record<string, unknown>>().token_exchange_resources, ['https://enrich.example.com']);
    assert.deepEqual((await admin.services.store.getClient('agent'))?.tokenExchangeResources, ['https://enrich.example.com']);
    const bad = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/agent', payload: { token_exchange_resources: ['https://enrich.example.com/#x'] } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json<{ error_description: string }>().error_description, /token exchange resource "https:\/\/enrich\.example\.com\/#x" must not contain a fragment/);
    const cleared = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/agent', payload: { token_exchange_resources: [] } });
    assert.deepEqual(cleared.json<Record<string, unknown>>().token_exchange_resources, []);
    const publicClient = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'Public agent', public: true, grant_types: [exchange] } });
    assert.equal(publicClient.statusCode, 400, publicClient.body);
    assert.match(publicClient.json<{ error_description: string }>().error_description, /a public client cannot use urn:ietf:params:oauth:grant-type:token-exchange/);
  });

  test('skip_consent marks a first-party client; it must be a boolean', async () => {
    const response = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'Platform web', client_id: 'platform-web', redirect_uris: ['https://platform.example/cb'], skip_consent: true } });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.json<Record<string, unknown>>().skip_consent, true);
    assert.equal((await admin.services.store.getClient('platform-web'))?.skipConsent, true);
    const bad = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/platform-web', payload: { skip_consent: 'yes' } });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.match(bad.json<{ error_description: string }>().error_description, /skip_consent must be boolean/);
  });

  test('require_pushed_authorization_requests (RFC 9126) is set on create and update, false by default, and must be a boolean', async () => {
    const created = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'PAR', client_id: 'par-rp', redirect_uris: [CALLBACK] } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json<Record<string, unknown>>().require_pushed_authorization_requests, false);
    const updated = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/par-rp', payload: { require_pushed_authorization_requests: true } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json<Record<string, unknown>>().require_pushed_authorization_requests, true);
    const stored = await admin.services.store.getClient('par-rp');
    assert.equal(stored?.requirePushedAuthorizationRequests, true);
    const bad = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/par-rp', payload: { require_pushed_authorization_requests: 'yes' } });
    assert.equal(bad.statusCode, 400);
    await admin.app.inject({ method: 'DELETE', url: '/admin/clients/par-rp' });
  });

  test('dpop_bound_access_tokens (RFC 9449 §5.2) is set on create and update, false by default, and must be a boolean', async () => {
    const created = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'DPoP', client_id: 'dpop-rp', redirect_uris: [CALLBACK], dpop_bound_access_tokens: true } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json<Record<string, unknown>>().dpop_bound_access_tokens, true);
    assert.equal((await admin.services.store.getClient('dpop-rp'))?.dpopBoundAccessTokens, true);
    const updated = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/dpop-rp', payload: { dpop_bound_access_tokens: false } });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json<Record<string, unknown>>().dpop_bound_access_tokens, false);
    const plain = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'Plain', client_id: 'plain-rp', redirect_uris: [CALLBACK] } });
    assert.equal(plain.json<Record<string, unknown>>().dpop_bound_access_tokens, false);
    const bad = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/dpop-rp', payload: { dpop_bound_access_tokens: 'yes' } });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json<{ error_description: string }>().error_description, /dpop_bound_access_tokens must be boolean/);
    await admin.app.inject({ method: 'DELETE', url: '/admin/clients/dpop-rp' });
    await admin.app.inject({ method: 'DELETE', url: '/admin/clients/plain-rp' });
  });

  test('logout fields use the OIDC registration names; bad logout URIs are a 400 naming them, null removes one', async () => {
    const created = await admin.app.inject({
      method: 'POST',
      url: '/admin/clients',
      payload: {
        client_name: 'RP', client_id: 'logout-rp', redirect_uris: [CALLBACK],
        post_logout_redirect_uris: ['https://rp.example/bye'], backchannel_logout_uri: 'https://rp.example/bc', backchannel_logout_session_required: true,
        frontchannel_logout_uri: 'http://localhost:3000/fc', frontchannel_logout_session_required: true,
      },
    });
    assert.equal(created.statusCode, 201, created.body);
    const view = created.json<Record<string, unknown>>();
    assert.deepEqual(view.post_logout_redirect_uris, ['https://rp.example/bye']);
    assert.equal(view.backchannel_logout_uri, 'https://rp.example/bc');
    assert.equal(view.backchannel_logout_session_required, true);
    assert.equal(view.frontchannel_logout_uri, 'http://localhost:3000/fc');
    assert.equal(view.frontchannel_logout_session_required, true);
    const cases: Array<[object, RegExp]> = [
      [{ backchannel_logout_uri: 'http://rp.example/bc' }, /back-channel logout URI "http:\/\/rp\.example\/bc" uses http on a host that is not loopback/],
      [{ backchannel_logout_uri: 'com.example.app:/bc' }, /back-channel logout URI "com\.example\.app:\/bc" must use https/],
      [{ frontchannel_logout_uri: 'https://a;b.example/fc' }, /front-channel logout URI .* must have a plain host name/],
      [{ post_logout_redirect_uris: ['https://rp.example/bye#x'] }, /post-logout redirect URI "https:\/\/rp\.example\/bye#x" must not contain a fragment/],
      [{ backchannel_logout_session_required: 'yes' }, /backchannel_logout_session_required must be boolean/],
    ];
    for (const [payload, description] of cases) {
      const response = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/logout-rp', payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json<{ error_description: string }>().error_description, description, JSON.stringify(payload));
    }
    const removed = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/logout-rp', payload: { backchannel_logout_uri: null, post_logout_redirect_uris: [] } });
    assert.equal(removed.statusCode, 200, removed.body);
    assert.equal(removed.json<Record<string, unknown>>().backchannel_logout_uri, null);
    assert.deepEqual(removed.json<Record<string, unknown>>().post_logout_redirect_uris, []);
    assert.equal(removed.json<Record<string, unknown>>().frontchannel_logout_uri, 'http://localhost:3000/fc', 'what was not sent is kept');
    await admin.app.inject({ method: 'DELETE', url: '/admin/clients/logout-rp' });
  });

  test('rotate-secret answers a new secret; a public client has none to rotate', async () => {
    const before = await admin.services.store.getClient('zapier-client');
    const response = await admin.app.inject({ method: 'POST', url: '/admin/clients/zapier-client/rotate-secret', headers: JSON_TYPE });
    assert.equal(response.statusCode, 200);
    const secret = response.json<{ client_secret: string }>().client_secret;
    assert.match(secret, SECRET_256_BIT);
    const after = await admin.services.store.getClient('zapier-client');
    assert.notEqual(after?.secretHash, before?.secretHash);
    assert.equal(after?.secretHash, sha256Hex(secret));

    const pub = await admin.app.inject({ method: 'POST', url: '/admin/clients', payload: { client_name: 'App', client_id: 'native-app', public: true, redirect_uris: ['com.example.app:/cb'] } });
    assert.equal(pub.statusCode, 201, pub.body);
    assert.equal(pub.json<Record<string, unknown>>().client_secret, undefined);
    const rotate = await admin.app.inject({ method: 'POST', url: '/admin/clients/native-app/rotate-secret', headers: JSON_TYPE });
    assert.equal(rotate.statusCode, 400);
    assert.match(rotate.json<{ error_description: string }>().error_description, /public and has no secret/);
  });

  test('DELETE removes a client', async () => {
    const response = await admin.app.inject({ method: 'DELETE', url: '/admin/clients/native-app', headers: JSON_TYPE });
    assert.equal(response.statusCode, 204);
    const again = await admin.app.inject({ method: 'GET', url: '/admin/clients/native-app' });
    assert.equal(again.statusCode, 404);
  });
});

describe('admin API: users, keys, grants, tokens', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
    await admin.services.clients.create({ name: 'Zapier', clientId: 'zapier-client', redirectUris: [CALLBACK], scopes: 'read:leads' });
  });
  after(() => admin.close());

  test('users: create, refuse a duplicate or a weak password, change the password, list, delete', async () => {
    const created = await admin.app.inject({ method: 'POST', url: '/admin/users', payload: { username: 'demo', password: 'demo-password', email: 'demo@example.com' } });
    assert.equal(created.statusCode, 201, created.body);
    const user = created.json<Record<string, unknown>>();
    assert.deepEqual(Object.keys(user).sort(), ['created_at', 'email', 'id', 'name', 'username']);
    const duplicate = await admin.app.inject({ method: 'POST', url: '/admin/users', payload: { username: 'demo', password: 'demo-password' } });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json<{ error_description: string }>().error_description, 'a user named "demo" already exists');
    const weak = await admin.app.inject({ method: 'POST', url: '/admin/users', payload: { username: 'bob', password: 'short' } });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json<{ error_description: string }>().error_description, 'a password must be at least 8 characters');

    const changed = await admin.app.inject({ method: 'PUT', url: '/admin/users/demo/password', payload: { password: 'another-password' } });
    assert.equal(changed.statusCode, 204);
    assert.ok(await admin.services.accounts.checkPassword('demo', 'another-password'));
    const missing = await admin.app.inject({ method: 'PUT', url: '/admin/users/nobody/password', payload: { password: 'another-password' } });
    assert.equal(missing.statusCode, 404);

    await admin.app.inject({ method: 'POST', url: '/admin/users', payload: { username: 'temp', password: 'temp-password' } });
    const list = await admin.app.inject({ method: 'GET', url: '/admin/users' });
    assert.deepEqual(list.json<{ users: Array<{ username: string }> }>().users.map((u) => u.username).sort(), ['demo', 'temp']);
    assert.equal((await admin.app.inject({ method: 'DELETE', url: '/admin/users/temp', headers: JSON_TYPE })).statusCode, 204);
    assert.equal((await admin.app.inject({ method: 'DELETE', url: '/admin/users/temp', headers: JSON_TYPE })).statusCode, 404);
  });

  test('keys: list, rotate; the old keys stay published as retired', async () => {
    const listed = await admin.app.inject({ method: 'GET', url: '/admin/keys' });
    const first = listed.json<{ keys: Array<{ kid: string; status: string }> }>().keys;
    assert.equal(first.length, 2);
    const rotated = await admin.app.inject({ method: 'POST', url: '/admin/keys/rotate', payload: { algs: ['ES256'] } });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const body = rotated.json<{ rotated: Array<{ alg: string }>; keys: Array<{ kid: string; alg: string; status: string; published: boolean }> }>();
    assert.deepEqual(body.rotated.map((k) => k.alg), ['ES256']);
    const oldEs = body.keys.find((k) => k.kid === first.find((f) => f.kid.startsWith('es256'))!.kid);
    assert.equal(oldEs?.status, 'retired');
    assert.equal(oldEs?.published, true);
    const both = await admin.app.inject({ method: 'POST', url: '/admin/keys/rotate', headers: JSON_TYPE });
    assert.equal(both.json<{ rotated: unknown[] }>().rotated.length, 2);
    const bad = await admin.app.inject({ method: 'POST', url: '/admin/keys/rotate', payload: { algs: ['HS256'] } });
    assert.equal(bad.statusCode, 400);
  });

  test('grants and token inspection: list, inspect, revoke, inspect again', async () => {
    const empty = await admin.app.inject({ method: 'GET', url: '/admin/grants' });
    assert.deepEqual(empty.json(), { grants: [] });
    const tokens = await issueUserTokens(admin.services, 'zapier-client', 'demo', ['read:leads']);

    const listed = await admin.app.inject({ method: 'GET', url: '/admin/grants?user=demo&client=zapier-client' });
    const grants = listed.json<{ grants: Array<Record<string, unknown>> }>().grants;
    assert.equal(grants.length, 1);
    assert.equal(grants[0]!.id, tokens.grantId);
    assert.equal(grants[0]!.username, 'demo');
    assert.equal(grants[0]!.scope, 'read:leads');
    assert.equal((await admin.app.inject({ method: 'GET', url: '/admin/grants?user=nobody' })).statusCode, 404);
    assert.equal((await admin.app.inject({ method: 'GET', url: '/admin/grants?colour=blue' })).statusCode, 400);
    assert.equal((await admin.app.inject({ method: 'GET', url: '/admin/grants?all=maybe' })).statusCode, 400);

    const live = await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: tokens.accessToken } });
    assert.equal(live.statusCode, 200);
    assert.ok(!live.body.includes(tokens.accessToken), 'the token is not echoed');
    const report = live.json<Record<string, unknown>>();
    assert.equal(report.kind, 'jwt_access_token');
    assert.equal(report.status, 'active');
    assert.equal(report.username, 'demo');
    assert.equal(report.grant_id, tokens.grantId);

    const revoked = await admin.app.inject({ method: 'DELETE', url: `/admin/grants/${tokens.grantId}`, headers: JSON_TYPE });
    assert.equal(revoked.statusCode, 200, revoked.body);
    assert.equal(revoked.json<{ revoked_reason: string }>().revoked_reason, 'revoked by an administrator (admin API)');
    const afterRevoke = await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: tokens.refreshToken } });
    assert.equal(afterRevoke.json<{ status: string }>().status, 'revoked');
    assert.equal(afterRevoke.json<{ kind: string }>().kind, 'refresh_token');
    assert.deepEqual((await admin.app.inject({ method: 'GET', url: '/admin/grants' })).json(), { grants: [] });
    const all = await admin.app.inject({ method: 'GET', url: '/admin/grants?all=true' });
    assert.equal(all.json<{ grants: Array<{ status: string }> }>().grants[0]?.status, 'revoked');
    assert.equal((await admin.app.inject({ method: 'DELETE', url: '/admin/grants/grant_nope', headers: JSON_TYPE })).statusCode, 404);

    const unknown = await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: 'garbage' } });
    assert.equal(unknown.json<{ kind: string; status: string }>().kind, 'unknown');
    const noToken = await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: {} });
    assert.equal(noToken.statusCode, 400);
  });

  test('token inspection of a JWT whose record is gone: expired once cleaned up, not accepted once its client is deleted', async () => {
    await admin.services.clients.create({ name: 'Old', clientId: 'old-client', redirectUris: [CALLBACK], scopes: 'read:leads' });
    const expired = await issueUserTokens(admin.services, 'old-client', 'demo', ['read:leads'], 7200);
    await admin.services.store.cleanup(Math.floor(Date.now() / 1000), 100);
    assert.equal(await admin.services.store.getAccessToken((JSON.parse(Buffer.from(expired.accessToken.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti), undefined);
    const report = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: expired.accessToken } })).json<Record<string, unknown>>();
    assert.equal(report.kind, 'jwt_access_token');
    assert.equal(report.status, 'expired');
    assert.equal(report.client_id, 'old-client');
    assert.equal(report.username, 'demo');

    const live = await issueUserTokens(admin.services, 'old-client', 'demo', ['read:leads']);
    assert.equal((await admin.app.inject({ method: 'DELETE', url: '/admin/clients/old-client', headers: JSON_TYPE })).statusCode, 204);
    const orphan = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: live.accessToken } })).json<Record<string, unknown>>();
    assert.equal(orphan.kind, 'jwt_access_token');
    assert.equal(orphan.status, 'revoked');
    assert.equal(orphan.client_name, null);
    assert.match(String(orphan.revoked_reason), /no record/);
    const refresh = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: live.refreshToken } })).json<Record<string, unknown>>();
    assert.equal(refresh.kind, 'unknown');
  });

  test('token inspection of a self-contained client_credentials JWT: the client, no user, no grant', async () => {
    await admin.services.clients.create({ name: 'Worker', clientId: 'worker', grantTypes: ['client_credentials'], scopes: 'read:leads' });
    const client = await admin.services.clients.require('worker');
    const now = Math.floor(Date.now() / 1000);
    const issued = await admin.services.tokens.issueAccessToken({ client, userId: null, scopes: ['read:leads'], audience: ['https://api.example'], grantId: null, authTime: null, now });
    const report = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: `Bearer ${issued.token}` } })).json<Record<string, unknown>>();
    assert.equal(report.kind, 'jwt_access_token');
    assert.equal(report.status, 'active');
    assert.equal(report.client_id, 'worker');
    assert.equal(report.user_id, null);
    assert.equal(report.grant_id, null);
    assert.deepEqual(report.audience, ['https://api.example']);
  });

  test('token inspection holds a JWT to the same rules as introspection: one signed with our key but without jti is unknown', async () => {
    const key = await admin.services.keys.signingKey('ES256');
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: admin.services.config.issuer, sub: 'worker', aud: 'https://api.example', client_id: 'worker', scope: 'read:leads', iat: now, exp: now + 600 };
    const withoutJti = await signJwt(claims, { kind: 'access_token', key });
    const report = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: withoutJti } })).json<Record<string, unknown>>();
    assert.equal(report.kind, 'unknown');
    assert.equal(report.status, 'unknown');
    const withJti = await signJwt({ ...claims, jti: 'jti-1' }, { kind: 'access_token', key });
    const known = (await admin.app.inject({ method: 'POST', url: '/admin/tokens/inspect', payload: { token: withJti } })).json<Record<string, unknown>>();
    assert.equal(known.kind, 'jwt_access_token', 'the same token with a jti is ours');
  });

  test('/healthz says the process is alive, /readyz that the store takes a write, /metrics serves Prometheus text, unknown routes are JSON 404s', async () => {
    const health = await admin.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    assert.deepEqual(health.json(), { status: 'ok' });
    const ready = await admin.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), { status: 'ready' });
    const metrics = await admin.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain/);
    assert.match(metrics.body, /^gatehouse_process_cpu_user_seconds_total/m);
    const missing = await admin.app.inject({ method: 'GET', url: '/admin/nothing' });
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(missing.json(), { error: 'not_found', error_description: 'no admin route GET /admin/nothing' });
  });
});

describe('admin API with GATEHOUSE_ADMIN_TOKEN', () => {
  const TOKEN = 'admin-token-0123456789-abcdefghijklmnopqrstuv';
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture({ GATEHOUSE_ADMIN_TOKEN: TOKEN });
  });
  after(() => admin.close());

  test('every route but /healthz and /readyz needs the bearer token', async () => {
    for (const url of ['/admin/clients', '/admin/keys', '/metrics', '/admin/nothing']) {
      const none = await admin.app.inject({ method: 'GET', url });
      assert.equal(none.statusCode, 401, url);
      assert.equal(none.json<{ error: string }>().error, 'unauthorized');
      assert.match(String(none.headers['www-authenticate']), /^Bearer realm="gatehouse-admin"/);
      const wrong = await admin.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${TOKEN}x` } });
      assert.equal(wrong.statusCode, 401, url);
      assert.equal(wrong.json<{ error: string }>().error, 'invalid_token');
      assert.ok(!wrong.body.includes(TOKEN));
    }
    const ok = await admin.app.inject({ method: 'GET', url: '/admin/clients', headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(ok.statusCode, 200);
    const metrics = await admin.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(metrics.statusCode, 200);
    const health = await admin.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(health.statusCode, 200);
    const ready = await admin.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(ready.statusCode, 200);
  });

  test('it answers over a real socket', async () => {
    const address = await admin.app.listen({ port: 0, host: '127.0.0.1' });
    const response = await fetch(`${address}/admin/clients`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { clients: [] });
    const denied = await fetch(`${address}/admin/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(denied.status, 401);
  });
});
