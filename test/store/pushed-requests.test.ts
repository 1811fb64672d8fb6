// The PAR storage contract (PushedRequestStore, src/store/pushed-requests.ts) on every backend: a pushed request is
// saved by the hash of its request_uri, consumed once by its own client before it expires, and swept when expired.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateError } from '../../src/store/errors.js';
import type { PushedRequestRecord } from '../../src/store/types.js';
import { count, errors, orphans, RACERS, storeContract } from './contract.js';
import { client, id, NOW, seedParties } from './fixtures.js';
import { race } from './race.js';

function pushed(clientId: string, over: Partial<PushedRequestRecord> = {}): PushedRequestRecord {
  return {
    requestHash: id('par'),
    clientId,
    params: { client_id: clientId, response_type: 'code', redirect_uri: 'https://app.example/callback', scope: 'openid read:leads', state: 'é & ✓' },
    createdAt: NOW,
    expiresAt: NOW + 60,
    usedAt: null,
    ...over,
  };
}

await storeContract('pushed requests', (store, db) => {
  describe('saving and consuming', () => {
    test('a request is consumed once by its client, and returned with its parameters as saved', async () => {
      const { client: c } = await seedParties(store);
      const saved = pushed(c.clientId);
      await store.savePushedRequest(saved);
      assert.deepEqual(await store.consumePushedRequest(saved.requestHash, c.clientId, NOW + 5), { ok: true, request: { ...saved, usedAt: NOW + 5 } });
      assert.deepEqual(await store.consumePushedRequest(saved.requestHash, c.clientId, NOW + 6), { ok: false, reason: 'used' });
    });

    test('another client, an unknown request and an expired one are refused, and nothing is marked used', async () => {
      const { client: c } = await seedParties(store);
      const other = client();
      await store.createClient(other);
      const saved = pushed(c.clientId);
      await store.savePushedRequest(saved);
      assert.deepEqual(await store.consumePushedRequest(saved.requestHash, other.clientId, NOW), { ok: false, reason: 'unknown' });
      assert.deepEqual(await store.consumePushedRequest('nope', c.clientId, NOW), { ok: false, reason: 'unknown' });
      assert.deepEqual(await store.consumePushedRequest(saved.requestHash, c.clientId, NOW + 60), { ok: false, reason: 'expired' });
      assert.equal(await count(store, 'select count(*) as n from pushed_requests where used_at is not null'), 0);
      // Still usable by its own client before it expires.
      assert.equal((await store.consumePushedRequest(saved.requestHash, c.clientId, NOW + 59)).ok, true);
    });

    test('a request_uri hash already in use is a DuplicateError', async () => {
      const { client: c } = await seedParties(store);
      const saved = pushed(c.clientId);
      await store.savePushedRequest(saved);
      await assert.rejects(store.savePushedRequest(pushed(c.clientId, { requestHash: saved.requestHash })), DuplicateError);
    });

    test('of racing uses of one request_uri exactly one gets the request', async () => {
      const { client: c } = await seedParties(store);
      const saved = pushed(c.clientId);
      await store.savePushedRequest(saved);
      const outcomes = await race(db, Array.from({ length: RACERS }, () => ({ kind: 'consumePushed' as const, requestHash: saved.requestHash, clientId: c.clientId, now: NOW })));
      assert.deepEqual(errors(outcomes), []);
      const results = outcomes.map((o) => (o.ok ? o.value : undefined)) as Array<{ ok: boolean; reason?: string }>;
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.ok(results.filter((r) => !r.ok).every((r) => r.reason === 'used'));
    });
  });

  describe('housekeeping and deletion', () => {
    test('cleanup removes expired requests, used or not; deleting the client takes its requests', async () => {
      const { client: c } = await seedParties(store);
      const live = pushed(c.clientId);
      const expired = pushed(c.clientId, { expiresAt: NOW - 1 });
      const usedExpired = pushed(c.clientId, { expiresAt: NOW, usedAt: NOW - 30 });
      for (const record of [live, expired, usedExpired]) await store.savePushedRequest(record);
      const removed = await store.cleanup(NOW, 1);
      assert.equal(removed.pushedRequests, 2);
      assert.equal(await count(store, 'select count(*) as n from pushed_requests'), 1);
      assert.equal((await store.consumePushedRequest(live.requestHash, c.clientId, NOW)).ok, true);
      await store.deleteClient(c.clientId);
      assert.equal(await count(store, 'select count(*) as n from pushed_requests'), 0);
      assert.deepEqual(await orphans(store), {});
    });
  });
}, { racers: RACERS });
