// The interaction's storage contract (InteractionStore, src/store/interactions.ts) on every backend: sessions,
// consents, and the codes saved at authorization.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { codeOf, storeContract } from './contract.js';
import { challenge, code, id, NOW, seedParties, user } from './fixtures.js';

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
      const first = { userId: u.id, clientId: c.clientId, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null };
      await store.saveConsent(first);
      assert.deepEqual(await store.getConsent(u.id, c.clientId), first);
      await store.saveConsent({ ...first, scopes: ['read:leads', 'write:leads'], createdAt: NOW + 50, updatedAt: NOW + 50 });
      assert.deepEqual(await store.getConsent(u.id, c.clientId), { ...first, scopes: ['read:leads', 'write:leads'], updatedAt: NOW + 50 });
      assert.equal(await store.getConsent(u.id, 'other-client'), undefined);
    });
  });

  describe('login and consent challenges (delegated sign-in)', () => {
    const accepted = { accepted: true as const, login: { subject: 'platform-user-7', remember: true, rememberFor: 3600, extendSession: false, acr: 'mfa', context: { step: 2 } } };

    test('a challenge round-trips, and is found only under its own kind', async () => {
      const { client: c } = await seedParties(store);
      const open = challenge(c.clientId, { login: { authTime: NOW - 3, amr: ['pwd'] }, subject: 'platform-user-7', skip: true, loginSessionId: 'ls-1' });
      await store.createChallenge(open);
      assert.deepEqual(await store.getChallenge(open.challengeHash, 'login'), open);
      assert.equal(await store.getChallenge(open.challengeHash, 'consent'), undefined);
      assert.equal(await store.getChallenge('nope', 'login'), undefined);
    });

    test('a challenge is answered once, and not after it expires', async () => {
      const { client: c } = await seedParties(store);
      const open = challenge(c.clientId);
      await store.createChallenge(open);
      assert.equal(await store.answerChallenge(open.challengeHash, 'login', accepted, 'v'.repeat(64), NOW + 1), true);
      assert.equal(await store.answerChallenge(open.challengeHash, 'login', { accepted: false, error: 'access_denied', errorDescription: 'no', statusCode: 403 }, 'w'.repeat(64), NOW + 2), false);
      assert.deepEqual(await store.getChallenge(open.challengeHash, 'login'), { ...open, outcome: accepted, verifierHash: 'v'.repeat(64), handledAt: NOW + 1 });
      const late = challenge(c.clientId, { expiresAt: NOW + 10 });
      await store.createChallenge(late);
      assert.equal(await store.answerChallenge(late.challengeHash, 'login', accepted, 'x'.repeat(64), NOW + 10), false);
      assert.equal((await store.getChallenge(late.challengeHash, 'login'))?.handledAt, null);
    });

    test('a verifier is redeemed once, only by the browser that started the request, only before expiry', async () => {
      const { client: c } = await seedParties(store);
      const open = challenge(c.clientId, { browserHash: 'b'.repeat(64), expiresAt: NOW + 100 });
      await store.createChallenge(open);
      await store.answerChallenge(open.challengeHash, 'login', accepted, 'v'.repeat(64), NOW + 1);
      assert.deepEqual(await store.redeemVerifier('v'.repeat(64), 'login', 'c'.repeat(64), NOW + 2), { ok: false, reason: 'other_browser' });
      assert.deepEqual(await store.redeemVerifier('v'.repeat(64), 'consent', 'b'.repeat(64), NOW + 2), { ok: false, reason: 'unknown' });
      assert.deepEqual(await store.redeemVerifier('u'.repeat(64), 'login', 'b'.repeat(64), NOW + 2), { ok: false, reason: 'unknown' });
      // The refusals changed nothing: its own browser still can.
      const redeemed = await store.redeemVerifier('v'.repeat(64), 'login', 'b'.repeat(64), NOW + 3);
      assert.deepEqual(redeemed, { ok: true, challenge: { ...open, outcome: accepted, verifierHash: 'v'.repeat(64), handledAt: NOW + 1, usedAt: NOW + 3 } });
      assert.deepEqual(await store.redeemVerifier('v'.repeat(64), 'login', 'b'.repeat(64), NOW + 4), { ok: false, reason: 'used' });

      const slow = challenge(c.clientId, { expiresAt: NOW + 100 });
      await store.createChallenge(slow);
      await store.answerChallenge(slow.challengeHash, 'login', accepted, 's'.repeat(64), NOW + 1);
      assert.deepEqual(await store.redeemVerifier('s'.repeat(64), 'login', slow.browserHash, NOW + 100), { ok: false, reason: 'expired' });
    });

    test('of two racing redemptions of one verifier exactly one wins', async () => {
      const { client: c } = await seedParties(store);
      const open = challenge(c.clientId);
      await store.createChallenge(open);
      await store.answerChallenge(open.challengeHash, 'login', accepted, 'r'.repeat(64), NOW + 1);
      const results = await Promise.all(Array.from({ length: 4 }, () => store.redeemVerifier('r'.repeat(64), 'login', open.browserHash, NOW + 2)));
      assert.equal(results.filter((result) => result.ok).length, 1);
    });

    test('ensureExternalUser makes the subject\'s row once, and never replaces an existing user', async () => {
      const subject = id('platform-subject');
      const external = user({ id: subject, username: `external:${subject}`, passwordHash: '', name: null, email: null, external: true });
      await store.ensureExternalUser(external);
      await store.ensureExternalUser({ ...external, createdAt: NOW + 99 });
      assert.deepEqual(await store.getUserById(subject), external);
      const local = user();
      await store.createUser(local);
      await store.ensureExternalUser({ ...external, id: local.id, username: `external:${local.id}` });
      assert.deepEqual(await store.getUserById(local.id), local);
    });
  });

  describe('client assertions (private_key_jwt)', () => {
    test('a jti is recorded once per client: a second use is refused, another client\'s same jti is not', async () => {
      const { client: c } = await seedParties(store);
      const { client: other } = await seedParties(store);
      assert.equal(await store.recordClientAssertion(c.clientId, 'jti-1', NOW + 60), true);
      assert.equal(await store.recordClientAssertion(c.clientId, 'jti-1', NOW + 60), false);
      assert.equal(await store.recordClientAssertion(other.clientId, 'jti-1', NOW + 60), true);
      const racing = await Promise.all(Array.from({ length: 4 }, () => store.recordClientAssertion(c.clientId, 'jti-race', NOW + 60)));
      assert.equal(racing.filter(Boolean).length, 1);
    });
  });

  describe('DPoP proofs (RFC 9449 §11.1)', () => {
    test('a jti is recorded once per key: a second use is refused, even racing; another key\'s same jti is not', async () => {
      assert.equal(await store.recordDpopProof('jkt-a', 'jti-1', NOW + 60), true);
      assert.equal(await store.recordDpopProof('jkt-a', 'jti-1', NOW + 60), false);
      assert.equal(await store.recordDpopProof('jkt-b', 'jti-1', NOW + 60), true);
      const racing = await Promise.all(Array.from({ length: 4 }, () => store.recordDpopProof('jkt-a', 'jti-race', NOW + 60)));
      assert.equal(racing.filter(Boolean).length, 1);
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
