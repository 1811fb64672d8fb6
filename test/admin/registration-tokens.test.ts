// /admin/registration-tokens (initial access tokens for GATEHOUSE_REGISTRATION=token) and the four client display
// fields of /admin/clients (logo_uri, client_uri, policy_uri, tos_uri).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/domain/crypto.js';
import { adminFixture, type AdminFixture } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('admin API: registration tokens', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
  });
  after(() => admin.close());

  test('POST makes a token shown once and kept hashed; GET lists without it; DELETE revokes', async () => {
    const created = await admin.app.inject({ method: 'POST', url: '/admin/registration-tokens', payload: { expires_in: '7d', max_uses: 2 } });
    assert.equal(created.statusCode, 201, created.body);
    const view = created.json<Record<string, unknown>>();
    assert.match(String(view.token), /^ghi_/);
    assert.equal(view.max_uses, 2);
    assert.equal(view.uses, 0);
    assert.equal(Date.parse(String(view.expires_at)) - Date.parse(String(view.created_at)), 7 * 86400 * 1000);
    assert.equal(created.headers['cache-control'], 'no-store');
    const stored = await admin.services.store.findInitialAccessToken(sha256Hex(String(view.token)));
    assert.equal(stored?.id, view.id, 'kept as its SHA-256 hash');

    const defaults = await admin.app.inject({ method: 'POST', url: '/admin/registration-tokens', headers: JSON_TYPE });
    assert.equal(defaults.statusCode, 201, defaults.body);
    const plain = defaults.json<Record<string, unknown>>();
    assert.equal(plain.max_uses, null);
    assert.equal(Date.parse(String(plain.expires_at)) - Date.parse(String(plain.created_at)), 86400 * 1000, 'a day by default');

    const list = await admin.app.inject({ method: 'GET', url: '/admin/registration-tokens' });
    const listed = list.json<{ registration_tokens: Array<Record<string, unknown>> }>().registration_tokens;
    assert.deepEqual(listed.map((t) => t.id).sort(), [view.id, plain.id].sort());
    assert.ok(!list.body.includes(String(view.token)), 'never listed');

    const deleted = await admin.app.inject({ method: 'DELETE', url: `/admin/registration-tokens/${String(view.id)}`, headers: JSON_TYPE });
    assert.equal(deleted.statusCode, 204, deleted.body);
    const again = await admin.app.inject({ method: 'DELETE', url: `/admin/registration-tokens/${String(view.id)}`, headers: JSON_TYPE });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json<{ error_description: string }>().error_description, `no registration token with id "${String(view.id)}"`);
  });

  test('bad input is a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ expires_in: 'soon' }, /expires_in/],
      [{ expires_in: '10s' }, /must expire in 1m to 366d/],
      [{ expires_in: '400d' }, /must expire in 1m to 366d/],
      [{ max_uses: 0 }, /max_uses/],
      [{ max_uses: 'many' }, /max_uses/],
      [{ extra: 1 }, /unknown property "extra"/],
    ];
    for (const [payload, message] of cases) {
      const response = await admin.app.inject({ method: 'POST', url: '/admin/registration-tokens', payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json<{ error_description: string }>().error_description, message, JSON.stringify(payload));
    }
  });
});

describe('admin API: client display fields', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
  });
  after(() => admin.close());

  test('logo_uri, client_uri, policy_uri and tos_uri are validated, stored, returned and removed with null', async () => {
    const created = await admin.app.inject({
      method: 'POST', url: '/admin/clients',
      payload: { client_name: 'Shown', redirect_uris: ['https://shown.example/cb'], logo_uri: 'https://shown.example/logo.png', client_uri: 'https://shown.example', policy_uri: 'https://shown.example/privacy', tos_uri: 'https://shown.example/tos' },
    });
    assert.equal(created.statusCode, 201, created.body);
    const view = created.json<Record<string, unknown>>();
    assert.deepEqual([view.logo_uri, view.client_uri, view.policy_uri, view.tos_uri], ['https://shown.example/logo.png', 'https://shown.example', 'https://shown.example/privacy', 'https://shown.example/tos']);
    assert.equal(view.dynamically_registered, false);
    assert.equal(view.unused_until, null);
    const id = String(view.client_id);
    const stored = await admin.services.store.getClient(id);
    assert.equal(stored?.policyUri, 'https://shown.example/privacy');

    const patched = await admin.app.inject({ method: 'PATCH', url: `/admin/clients/${id}`, payload: { logo_uri: null, policy_uri: 'http://127.0.0.1:3000/privacy' } });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.equal(patched.json<Record<string, unknown>>().logo_uri, null);
    assert.equal(patched.json<Record<string, unknown>>().policy_uri, 'http://127.0.0.1:3000/privacy');
    assert.equal(patched.json<Record<string, unknown>>().tos_uri, 'https://shown.example/tos');

    for (const [payload, message] of [
      [{ logo_uri: 'http://shown.example/logo.png' }, /logo_uri .* not loopback; use https/],
      [{ client_uri: 'ftp://shown.example' }, /client_uri .* must use https/],
      [{ tos_uri: 'tos' }, /tos_uri "tos" is not an absolute URI/],
      [{ policy_uri: 'https://user:pw@shown.example/p' }, /policy_uri .* credentials/],
      [{ logo_uri: 5 }, /logo_uri/],
    ] as const) {
      const response = await admin.app.inject({ method: 'PATCH', url: `/admin/clients/${id}`, payload });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json<{ error_description: string }>().error_description, message, JSON.stringify(payload));
    }
  });

  test('a dynamically registered client cannot be made to skip consent', async () => {
    const registered = await admin.services.registration.register({ client_name: 'Self', redirect_uris: ['https://self.example/cb'] }, null);
    const response = await admin.app.inject({ method: 'PATCH', url: `/admin/clients/${registered.client.clientId}`, payload: { skip_consent: true } });
    assert.equal(response.statusCode, 400);
    assert.match(response.json<{ error_description: string }>().error_description, /dynamically registered client cannot skip consent/);
    const view = await admin.app.inject({ method: 'GET', url: `/admin/clients/${registered.client.clientId}` });
    assert.equal(view.json<Record<string, unknown>>().dynamically_registered, true);
    assert.ok(view.json<Record<string, unknown>>().unused_until);
  });
});
