// The device flow's storage contract (DeviceFlowStore, src/store/device-flows.ts) on every backend: a request is
// saved with hashed codes, decided once, polled with slow_down, exchanged exactly once, and swept when expired.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateError } from '../../src/store/errors.js';
import type { DeviceCodeRecord } from '../../src/store/types.js';
import { count, errors, orphans, RACERS, storeContract } from './contract.js';
import { grant, id, NOW, seedParties, tokensFor } from './fixtures.js';
import { race } from './race.js';

function deviceCode(clientId: string, over: Partial<DeviceCodeRecord> = {}): DeviceCodeRecord {
  return {
    deviceCodeHash: id('dc'),
    userCodeHash: id('uc'),
    clientId,
    scopes: ['openid', 'read:leads'],
    status: 'pending',
    userId: null,
    authTime: null,
    interval: 5,
    lastPolledAt: null,
    createdAt: NOW,
    expiresAt: NOW + 600,
    decidedAt: null,
    consumedAt: null,
    grantId: null,
    granted: null,
    ...over,
  };
}

await storeContract('device flows', (store, db) => {
  describe('saving and finding', () => {
    test('a request round-trips by its user code and by its device code, nulls included', async () => {
      const { client: c } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      assert.deepEqual(await store.getDeviceCodeByUserCode(saved.userCodeHash), saved);
      assert.deepEqual(await store.getDeviceCodeContext(saved.deviceCodeHash), { code: saved, user: undefined });
      assert.equal(await store.getDeviceCodeByUserCode('nope'), undefined);
      assert.equal(await store.getDeviceCodeContext('nope'), undefined);
    });

    test('a user code already in use is a DuplicateError naming it', async () => {
      const { client: c } = await seedParties(store);
      const first = deviceCode(c.clientId);
      await store.saveDeviceCode(first);
      await assert.rejects(store.saveDeviceCode(deviceCode(c.clientId, { userCodeHash: first.userCodeHash })), (error: unknown) => {
        assert.ok(error instanceof DuplicateError);
        assert.equal(error.field, 'userCodeHash');
        return true;
      });
    });
  });

  describe('deciding', () => {
    test('an approval records the user, the allowed scopes and the sign-in time, once', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      const granted = { audience: ['https://api.example'], idToken: { email: 'dana@platform.example' }, accessToken: { tenant: 'acme' } };
      const decision = { approve: true as const, userId: u.id, scopes: ['read:leads'], authTime: NOW - 30, granted };
      assert.equal(await store.decideDeviceCode(saved.userCodeHash, NOW + 10, decision), true);
      assert.equal(await store.decideDeviceCode(saved.userCodeHash, NOW + 11, { approve: false, userId: u.id }), false, 'decided already');
      const found = await store.getDeviceCodeContext(saved.deviceCodeHash);
      assert.deepEqual(found, { code: { ...saved, status: 'approved', userId: u.id, scopes: ['read:leads'], authTime: NOW - 30, decidedAt: NOW + 10, granted }, user: u });
    });

    test('a denial keeps the scopes asked for; an expired or unknown request cannot be decided', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      const expired = deviceCode(c.clientId, { expiresAt: NOW });
      await store.saveDeviceCode(saved);
      await store.saveDeviceCode(expired);
      assert.equal(await store.decideDeviceCode(saved.userCodeHash, NOW, { approve: false, userId: u.id }), true);
      assert.deepEqual(await store.getDeviceCodeByUserCode(saved.userCodeHash), { ...saved, status: 'denied', userId: u.id, decidedAt: NOW });
      assert.equal(await store.decideDeviceCode(expired.userCodeHash, NOW, { approve: false, userId: u.id }), false);
      assert.equal(await store.decideDeviceCode('nope', NOW, { approve: false, userId: u.id }), false);
    });

    test('of racing decisions exactly one is recorded', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      const outcomes = await Promise.all(Array.from({ length: 8 }, (_, i) =>
        store.decideDeviceCode(saved.userCodeHash, NOW, i % 2 ? { approve: false, userId: u.id } : { approve: true, userId: u.id, scopes: [], authTime: NOW, granted: null })));
      assert.equal(outcomes.filter(Boolean).length, 1);
    });
  });

  describe('polling', () => {
    test('a poll on time records its time; one sooner than the interval slows the device down by 5 s', async () => {
      const { client: c } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      assert.deepEqual(await store.pollDeviceCode(saved.deviceCodeHash, NOW), { found: true, slowDown: false, interval: 5 }, 'the first poll');
      assert.deepEqual(await store.pollDeviceCode(saved.deviceCodeHash, NOW + 5), { found: true, slowDown: false, interval: 5 });
      assert.deepEqual(await store.pollDeviceCode(saved.deviceCodeHash, NOW + 9), { found: true, slowDown: true, interval: 10 });
      assert.deepEqual(await store.pollDeviceCode(saved.deviceCodeHash, NOW + 18), { found: true, slowDown: true, interval: 15 }, 'counted from the last poll, at the new interval');
      assert.deepEqual(await store.pollDeviceCode(saved.deviceCodeHash, NOW + 33), { found: true, slowDown: false, interval: 15 });
      assert.equal((await store.getDeviceCodeByUserCode(saved.userCodeHash))?.lastPolledAt, NOW + 33);
      assert.deepEqual(await store.pollDeviceCode('nope', NOW), { found: false });
    });
  });

  describe('exchanging', () => {
    test('an approved request is exchanged once: the grant and its tokens are written with the claim', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      const g = grant(c.clientId, u.id);
      const tokens = tokensFor(g);
      assert.deepEqual(await store.redeemDeviceCode(saved.deviceCodeHash, NOW, g, tokens), { ok: false, reason: 'not_approved' }, 'pending');
      assert.equal(await store.getGrant(g.id), undefined, 'nothing written');
      await store.decideDeviceCode(saved.userCodeHash, NOW, { approve: true, userId: u.id, scopes: saved.scopes, authTime: NOW, granted: null });
      assert.deepEqual(await store.redeemDeviceCode(saved.deviceCodeHash, NOW + 1, g, tokens), { ok: true });
      assert.deepEqual(await store.getGrant(g.id), g);
      assert.deepEqual(await store.getRefreshToken(tokens.refreshToken!.tokenHash), tokens.refreshToken);
      assert.deepEqual(await store.getAccessToken(tokens.accessToken.id), tokens.accessToken);
      const after = await store.getDeviceCodeByUserCode(saved.userCodeHash);
      assert.equal(after?.consumedAt, NOW + 1);
      assert.equal(after?.grantId, g.id);

      const again = grant(c.clientId, u.id);
      assert.deepEqual(await store.redeemDeviceCode(saved.deviceCodeHash, NOW + 2, again, tokensFor(again)), { ok: false, reason: 'already_consumed' });
      assert.equal(await store.getGrant(again.id), undefined);
    });

    test('a denied request cannot be exchanged', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      await store.decideDeviceCode(saved.userCodeHash, NOW, { approve: false, userId: u.id });
      const g = grant(c.clientId, u.id);
      assert.deepEqual(await store.redeemDeviceCode(saved.deviceCodeHash, NOW, g, tokensFor(g)), { ok: false, reason: 'not_approved' });
      assert.equal(await count(store, 'select count(*) as n from grants'), 0);
    });

    test('of racing exchanges exactly one succeeds and exactly one grant is written', async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      await store.decideDeviceCode(saved.userCodeHash, NOW, { approve: true, userId: u.id, scopes: saved.scopes, authTime: NOW, granted: null });
      const outcomes = await Promise.all(Array.from({ length: 8 }, () => {
        const g = grant(c.clientId, u.id);
        return store.redeemDeviceCode(saved.deviceCodeHash, NOW, g, tokensFor(g));
      }));
      assert.equal(outcomes.filter((o) => o.ok).length, 1);
      assert.equal(await count(store, 'select count(*) as n from grants'), 1);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 1);
    });
  });

  describe('exchanging on separate connections', () => {
    test(`${RACERS} simultaneous exchanges of one approved device code on separate connections: exactly one wins`, async () => {
      const { client: c, user: u } = await seedParties(store);
      const saved = deviceCode(c.clientId);
      await store.saveDeviceCode(saved);
      await store.decideDeviceCode(saved.userCodeHash, NOW, { approve: true, userId: u.id, scopes: saved.scopes, authTime: NOW, granted: null });
      const outcomes = await race(db, Array.from({ length: RACERS }, () => ({ kind: 'redeemDevice' as const, deviceCodeHash: saved.deviceCodeHash, clientId: c.clientId, userId: u.id, now: NOW })));
      assert.deepEqual(errors(outcomes), []);
      const results = outcomes.map((o) => (o.ok ? o.value : undefined)) as Array<{ ok: boolean; reason?: string }>;
      assert.equal(results.filter((r) => r.ok).length, 1);
      assert.ok(results.filter((r) => !r.ok).every((r) => r.reason === 'already_consumed'));
      assert.equal(await count(store, 'select count(*) as n from grants'), 1);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 1);
      assert.equal(await count(store, 'select count(*) as n from access_tokens'), 1);
    });
  });

  describe('housekeeping and deletion', () => {
    test('cleanup removes expired requests and keeps the grants they made; deleting the client takes its requests', async () => {
      const { client: c, user: u } = await seedParties(store);
      const live = deviceCode(c.clientId);
      const expired = deviceCode(c.clientId, { expiresAt: NOW - 1 });
      await store.saveDeviceCode(live);
      await store.saveDeviceCode(expired);
      await store.decideDeviceCode(expired.userCodeHash, NOW - 2, { approve: true, userId: u.id, scopes: [], authTime: NOW - 2, granted: null });
      const g = grant(c.clientId, u.id);
      await store.redeemDeviceCode(expired.deviceCodeHash, NOW - 2, g, tokensFor(g));
      const removed = await store.cleanup(NOW, 10);
      assert.equal(removed.deviceCodes, 1);
      assert.equal(await store.getDeviceCodeByUserCode(expired.userCodeHash), undefined);
      assert.ok(await store.getDeviceCodeByUserCode(live.userCodeHash));
      assert.ok(await store.getGrant(g.id), 'the grant outlives the device code');
      await store.deleteClient(c.clientId);
      assert.equal(await count(store, 'select count(*) as n from device_codes'), 0);
      assert.deepEqual(await orphans(store), {});
    });
  });
}, { racers: RACERS });
