// The interaction's storage contract (InteractionStore, src/store/interactions.ts) on every backend: sessions,
// consents, and the codes saved at authorization.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeOf, storeContract } from './contract.js';
import { code, id, NOW, seedParties } from './fixtures.js';

await storeContract('interactions', (store) => {
  describe('sessions and consents', () => {
    test('sessions round-trip and end', async () => {
      const { user: u } = await seedParties(store);
      const s = { idHash: id('sess'), userId: u.id, authTime: NOW, expiresAt: NOW + 8 * 3600, sid: null };
      await store.createSession(s);
      assert.deepEqual(await store.getSession(s.idHash), s);
      assert.deepEqual(await store.endSession({ idHash: s.idHash }, NOW), { session: s, clientIds: [] });
      assert.equal(await store.getSession(s.idHash), undefined);
      assert.equal(await store.endSession({ idHash: s.idHash }, NOW), undefined); // ending what is gone is fine
    });

    test('saveConsent inserts, then replaces the scopes and keeps the first creation time', async () => {
      const { client: c, user: u } = await seedParties(store);
      const first = { userId: u.id, clientId: c.clientId, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW };
      await store.saveConsent(first);
      assert.deepEqual(await store.getConsent(u.id, c.clientId), first);
      await store.saveConsent({ ...first, scopes: ['read:leads', 'write:leads'], createdAt: NOW + 50, updatedAt: NOW + 50 });
      assert.deepEqual(await store.getConsent(u.id, c.clientId), { ...first, scopes: ['read:leads', 'write:leads'], updatedAt: NOW + 50 });
      assert.equal(await store.getConsent(u.id, 'other-client'), undefined);
    });
  });

  describe('authorization codes saved at authorization', () => {
    test('a code round-trips, nulls included', async () => {
      const { client: c, user: u } = await seedParties(store);
      const full = code(c.clientId, u.id);
      const bare = code(c.clientId, u.id, { nonce: null, codeChallenge: null, codeChallengeMethod: null });
      await store.saveAuthorizationCode(full);
      await store.saveAuthorizationCode(bare);
      assert.deepEqual(await codeOf(store, full.codeHash), full);
      assert.deepEqual(await codeOf(store, bare.codeHash), bare);
      assert.equal(await codeOf(store, 'nope'), undefined);
    });
  });
});
