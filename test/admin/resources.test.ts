// /admin/resources: register, list and delete resources (RFC 8707); the URI is URL-encoded in the path.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { adminFixture, type AdminFixture } from './helpers.js';

const JSON_TYPE = { 'content-type': 'application/json' };

describe('admin API: resources', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
  });
  after(() => admin.close());

  test('POST, GET, DELETE with the URI URL-encoded', async () => {
    const created = await admin.app.inject({ method: 'POST', url: '/admin/resources', payload: { uri: 'https://api.example.com/leads', name: 'Leads API', scope: 'read:leads' } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.headers.location, '/admin/resources/https%3A%2F%2Fapi.example.com%2Fleads');
    const view = created.json<Record<string, unknown>>();
    assert.deepEqual({ ...view, created_at: undefined }, { uri: 'https://api.example.com/leads', name: 'Leads API', scope: 'read:leads', created_at: undefined });
    assert.deepEqual(await admin.services.store.getResource('https://api.example.com/leads'), {
      uri: 'https://api.example.com/leads', name: 'Leads API', scopes: ['read:leads'], createdAt: Date.parse(String(view.created_at)) / 1000,
    });

    const duplicate = await admin.app.inject({ method: 'POST', url: '/admin/resources', payload: { uri: 'https://api.example.com/leads' } });
    assert.equal(duplicate.statusCode, 409);
    assert.equal(duplicate.json<{ error_description: string }>().error_description, 'a resource with URI "https://api.example.com/leads" is already registered');

    const list = await admin.app.inject({ method: 'GET', url: '/admin/resources' });
    assert.deepEqual(list.json<{ resources: Array<{ uri: string }> }>().resources.map((r) => r.uri), ['https://api.example.com/leads']);

    const deleted = await admin.app.inject({ method: 'DELETE', url: created.headers.location as string, headers: JSON_TYPE });
    assert.equal(deleted.statusCode, 204, deleted.body);
    const again = await admin.app.inject({ method: 'DELETE', url: created.headers.location as string, headers: JSON_TYPE });
    assert.equal(again.statusCode, 404);
    assert.equal(again.json<{ error_description: string }>().error_description, 'no resource with URI "https://api.example.com/leads"');
  });

  test('bad input is a 400 naming the field', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{}, /uri/],
      [{ uri: 'api/leads' }, /is not an absolute URI/],
      [{ uri: 'https://api.example.com/#f' }, /fragment/],
      [{ uri: 'https://api.example.com/?q=1' }, /query/],
      [{ uri: 'https://a.example', scope: 'bad\\scope' }, /not a valid scope token/],
      [{ uri: 'https://a.example', name: 'x\u0007' }, /control characters/],
      [{ uri: 'https://a.example', extra: 1 }, /unknown property "extra"/],
      [{ uri: 42 }, /body\/uri must be string/],
    ];
    for (const [payload, message] of cases) {
      const response = await admin.app.inject({ method: 'POST', url: '/admin/resources', payload });
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload)}: ${response.body}`);
      assert.equal(response.json<{ error: string }>().error, 'invalid_request');
      assert.match(response.json<{ error_description: string }>().error_description, message);
    }
    assert.deepEqual((await admin.services.store.listResources()).map((r) => r.uri), []);
  });
});
