// The token flows' storage contract (TokenFlowStore, src/store/token-flows.ts) on every backend: the code exchange,
// refresh rotation and its retry, client tokens, access-token reads and revocation, with what race losers leave behind.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DuplicateError } from '../../src/store/errors.js';
import { codeOf, count, errors, RACERS, values, storeContract } from './contract.js';
import { accessToken, client, code, grant, NOW, refreshToken, seedGrant, seedParties, tokensFor } from './fixtures.js';
import { race, type RaceOp } from './race.js';

await storeContract('token flows', (store, db) => {
  describe('authorization codes', () => {
    test('redeeming stores the grant and tokens and marks the code', async () => {
      const { client: c, user: u } = await seedParties(store);
      const cd = code(c.clientId, u.id);
      await store.saveAuthorizationCode(cd);
      const g = grant(c.clientId, u.id);
      const t = tokensFor(g);
      assert.deepEqual(await store.redeemAuthorizationCode(cd.codeHash, NOW + 3, g, t), { ok: true });
      assert.deepEqual(await codeOf(store, cd.codeHash), { ...cd, consumedAt: NOW + 3, grantId: g.id });
      assert.deepEqual(await store.getGrant(g.id), g);
      assert.deepEqual(await store.getAccessToken(t.accessToken.id), t.accessToken);
      assert.deepEqual(await store.getRefreshToken(t.refreshToken!.tokenHash), t.refreshToken);
    });

    test('redeeming without a refresh token stores only the access token', async () => {
      const { client: c, user: u } = await seedParties(store);
      const cd = code(c.clientId, u.id);
      await store.saveAuthorizationCode(cd);
      const g = grant(c.clientId, u.id);
      const t = tokensFor(g, false);
      assert.deepEqual(await store.redeemAuthorizationCode(cd.codeHash, NOW, g, t), { ok: true });
      assert.deepEqual(await store.getAccessToken(t.accessToken.id), t.accessToken);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 0);
    });

    test('redeeming and rotating with a JWT access token (no row) store only the grant and refresh tokens', async () => {
      const { client: c, user: u } = await seedParties(store);
      const cd = code(c.clientId, u.id);
      await store.saveAuthorizationCode(cd);
      const g = grant(c.clientId, u.id);
      const first = tokensFor(g);
      assert.deepEqual(await store.redeemAuthorizationCode(cd.codeHash, NOW, g, { ...first, accessToken: null }), { ok: true });
      const next = tokensFor(g);
      assert.deepEqual(await store.rotateRefreshToken(first.refreshToken!.tokenHash, NOW + 1, { accessToken: null, refreshToken: next.refreshToken! }, null), { ok: true });
      assert.equal(await count(store, 'select count(*) as n from access_tokens'), 0);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 2);
      assert.deepEqual(await store.getGrant(g.id), { ...g, lastUsedAt: NOW + 1 });
    });

    test('a second redemption is already_consumed, names the first grant, and writes nothing', async () => {
      const first = await seedGrant(store);
      const g2 = grant(first.client.clientId, first.user.id);
      const t2 = tokensFor(g2);
      assert.deepEqual(await store.redeemAuthorizationCode(first.code.codeHash, NOW + 9, g2, t2), {
        ok: false,
        reason: 'already_consumed',
        grantId: first.grant.id,
      });
      assert.equal(await store.getGrant(g2.id), undefined);
      assert.equal(await store.getAccessToken(t2.accessToken.id), undefined);
      assert.equal(await store.getRefreshToken(t2.refreshToken!.tokenHash), undefined);
      assert.deepEqual(await codeOf(store, first.code.codeHash), { ...first.code, consumedAt: NOW, grantId: first.grant.id });
    });

    test('redeeming an unknown code is already_consumed with no grant', async () => {
      const { client: c, user: u } = await seedParties(store);
      const g = grant(c.clientId, u.id);
      assert.deepEqual(await store.redeemAuthorizationCode('never-issued', NOW, g, tokensFor(g)), {
        ok: false,
        reason: 'already_consumed',
        grantId: null,
      });
      assert.equal(await store.getGrant(g.id), undefined);
    });

    test(`${RACERS} simultaneous redemptions of one code on separate connections: exactly one wins`, async () => {
      const { client: c, user: u } = await seedParties(store);
      const cd = code(c.clientId, u.id);
      await store.saveAuthorizationCode(cd);
      const op: RaceOp = { kind: 'redeem', codeHash: cd.codeHash, clientId: c.clientId, userId: u.id, now: NOW };
      const outcomes = await race(db, Array.from({ length: RACERS }, () => op));
      assert.deepEqual(errors(outcomes), []);
      const results = values(outcomes) as Array<{ ok: boolean; grantId?: string }>;
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1, JSON.stringify(results));
      const winningGrant = `grant-race-${winners[0]}`;
      for (const r of results.filter((r) => !r.ok)) assert.deepEqual(r, { ok: false, reason: 'already_consumed', grantId: winningGrant });
      assert.equal(await count(store, 'select count(*) as n from grants'), 1);
      assert.equal(await count(store, 'select count(*) as n from access_tokens'), 1);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 1);
      assert.equal((await codeOf(store, cd.codeHash))?.grantId, winningGrant);
    });
  });

  describe('refresh tokens', () => {
    test('rotation marks the old token, stores the new pair and touches the grant', async () => {
      const s = await seedGrant(store);
      const next = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant, { createdAt: NOW + 10 }) };
      assert.deepEqual(await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 10, next, 'sealed-successor'), { ok: true });
      assert.deepEqual(await store.getRefreshToken(s.refreshToken.tokenHash), {
        ...s.refreshToken,
        rotatedAt: NOW + 10,
        replacedBy: next.refreshToken.tokenHash,
        successorSealed: 'sealed-successor',
      });
      assert.deepEqual(await store.getRefreshToken(next.refreshToken.tokenHash), next.refreshToken);
      assert.deepEqual(await store.getAccessToken(next.accessToken.id), next.accessToken);
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW + 10);
    });

    test('rotating a rotated token is already_rotated and changes nothing', async () => {
      const s = await seedGrant(store);
      const first = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 10, first, null);
      const second = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      assert.deepEqual(await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 20, second, 'x'), { ok: false, reason: 'already_rotated' });
      assert.equal(await store.getRefreshToken(second.refreshToken.tokenHash), undefined);
      assert.equal(await store.getAccessToken(second.accessToken.id), undefined);
      const old = await store.getRefreshToken(s.refreshToken.tokenHash);
      assert.equal(old?.replacedBy, first.refreshToken.tokenHash);
      assert.equal(old?.successorSealed, null);
      // The failed attempt's touch of the grant was rolled back with the rest.
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW + 10);
    });

    test('rotating a token of a revoked grant, or an unknown token, is revoked', async () => {
      const s = await seedGrant(store);
      await store.revokeGrant(s.grant.id, NOW + 5, 'test');
      const next = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      assert.deepEqual(await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 10, next, null), { ok: false, reason: 'revoked' });
      assert.deepEqual(await store.rotateRefreshToken('unknown', NOW + 10, next, null), { ok: false, reason: 'revoked' });
      assert.equal(await store.getRefreshToken(next.refreshToken.tokenHash), undefined);
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW);
    });

    test(`${RACERS} simultaneous rotations of one refresh token: exactly one wins`, async () => {
      const s = await seedGrant(store);
      const op: RaceOp = { kind: 'rotate', oldHash: s.refreshToken.tokenHash, grantId: s.grant.id, clientId: s.client.clientId, userId: s.user.id, now: NOW + 10 };
      const outcomes = await race(db, Array.from({ length: RACERS }, () => op));
      assert.deepEqual(errors(outcomes), []);
      const results = values(outcomes) as Array<{ ok: boolean }>;
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1, JSON.stringify(results));
      for (const r of results.filter((r) => !r.ok)) assert.deepEqual(r, { ok: false, reason: 'already_rotated' });
      assert.equal((await store.getRefreshToken(s.refreshToken.tokenHash))?.replacedBy, `rt-race-${winners[0]}`);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 2);
      assert.equal(await count(store, 'select count(*) as n from access_tokens'), 2);
    });

    test('of racing rotations, only the winner touches the grant: a loser leaves last_used_at alone', async () => {
      const s = await seedGrant(store);
      // Each contender rotates at its own time, so the grant's last_used_at says whose touch stayed.
      const ops: RaceOp[] = Array.from({ length: RACERS }, (_, i) => ({
        kind: 'rotate', oldHash: s.refreshToken.tokenHash, grantId: s.grant.id, clientId: s.client.clientId, userId: s.user.id, now: NOW + 10 + i,
      }));
      const outcomes = await race(db, ops);
      assert.deepEqual(errors(outcomes), []);
      const winners = (values(outcomes) as Array<{ ok: boolean }>).flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1);
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW + 10 + winners[0]!, 'last_used_at is the winner\'s time');
    });

    test('rotations racing a revocation of their grant leave no live token behind', async () => {
      const s = await seedGrant(store);
      const rotate: RaceOp = { kind: 'rotate', oldHash: s.refreshToken.tokenHash, grantId: s.grant.id, clientId: s.client.clientId, userId: s.user.id, now: NOW + 10 };
      const ops: RaceOp[] = Array.from({ length: 6 }, () => rotate);
      ops.splice(3, 0, { kind: 'revokeGrant', grantId: s.grant.id, now: NOW + 10 });
      const outcomes = await race(db, ops);
      assert.deepEqual(errors(outcomes), []);
      assert.ok((values(outcomes) as Array<{ ok?: boolean }>).filter((r) => r?.ok === true).length <= 1);
      // Look at the rows themselves, not the reads (which also consult the grant).
      const live = await count(
        store,
        `select (select count(*) from access_tokens where grant_id = '${s.grant.id}' and revoked_at is null)
              + (select count(*) from refresh_tokens where grant_id = '${s.grant.id}' and revoked_at is null) as n`,
      );
      assert.equal(live, 0);
    });
  });

  describe('retrying a rotation whose answer was lost', () => {
    /** A grant whose first refresh token was rotated at NOW + 10 into an unused successor. */

    async function rotated() {
      const s = await seedGrant(store);
      const successor = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant, { createdAt: NOW + 10 }) };
      assert.deepEqual(await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 10, successor, null), { ok: true });
      return { ...s, successor };
    }

    test('replaceUnusedSuccessor revokes the unused successor, points the rotated token at the new one, once', async () => {
      const s = await rotated();
      const retry = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant, { createdAt: NOW + 20 }) };
      assert.deepEqual(await store.replaceUnusedSuccessor(s.refreshToken.tokenHash, s.successor.refreshToken.tokenHash, NOW + 20, retry, 'sealed'), { ok: true });
      assert.deepEqual(await store.getRefreshToken(s.refreshToken.tokenHash), {
        ...s.refreshToken,
        rotatedAt: NOW + 10,
        replacedBy: retry.refreshToken.tokenHash,
        successorSealed: 'sealed',
        retriedAt: NOW + 20,
      });
      assert.equal((await store.getRefreshToken(s.successor.refreshToken.tokenHash))?.revokedAt, NOW + 20);
      assert.deepEqual(await store.getRefreshToken(retry.refreshToken.tokenHash), retry.refreshToken);
      assert.deepEqual(await store.getAccessToken(retry.accessToken.id), retry.accessToken);
      const stored = await store.getGrant(s.grant.id);
      assert.equal(stored?.revokedAt, null, 'the grant goes on');
      assert.equal(stored?.lastUsedAt, NOW + 20);

      // The replaced successor can no longer be rotated, even by a request that read it before the retry.
      const late = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      assert.deepEqual(await store.rotateRefreshToken(s.successor.refreshToken.tokenHash, NOW + 21, late, null), { ok: false, reason: 'revoked' });
      assert.equal(await store.getRefreshToken(late.refreshToken.tokenHash), undefined);

      // A second retry of the same rotation is refused and writes nothing.
      const again = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      assert.deepEqual(await store.replaceUnusedSuccessor(s.refreshToken.tokenHash, retry.refreshToken.tokenHash, NOW + 30, again, null), { ok: false, reason: 'already_retried' });
      assert.equal(await store.getRefreshToken(again.refreshToken.tokenHash), undefined);
      assert.equal(await store.getAccessToken(again.accessToken.id), undefined);
      assert.equal((await store.getRefreshToken(retry.refreshToken.tokenHash))?.revokedAt, null);
    });

    test('a successor that was used, or a revoked grant, is not replaced and nothing is written', async () => {
      const s = await rotated();
      const used = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      await store.rotateRefreshToken(s.successor.refreshToken.tokenHash, NOW + 15, used, null);
      const retry = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      assert.deepEqual(await store.replaceUnusedSuccessor(s.refreshToken.tokenHash, s.successor.refreshToken.tokenHash, NOW + 20, retry, null), { ok: false, reason: 'successor_used' });
      assert.equal(await store.getRefreshToken(retry.refreshToken.tokenHash), undefined);
      const old = await store.getRefreshToken(s.refreshToken.tokenHash);
      assert.equal(old?.replacedBy, s.successor.refreshToken.tokenHash);
      assert.equal(old?.retriedAt, null);
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW + 15);

      const t = await rotated();
      await store.revokeGrant(t.grant.id, NOW + 12, 'test');
      assert.deepEqual(await store.replaceUnusedSuccessor(t.refreshToken.tokenHash, t.successor.refreshToken.tokenHash, NOW + 20, retry, null), { ok: false, reason: 'revoked' });
      assert.deepEqual(await store.replaceUnusedSuccessor('unknown', 'unknown', NOW + 20, retry, null), { ok: false, reason: 'revoked' });
      assert.equal(await store.getRefreshToken(retry.refreshToken.tokenHash), undefined);
    });

    test('two simultaneous retries of one rotation on separate connections: exactly one wins', async () => {
      const s = await rotated();
      const op: RaceOp = {
        kind: 'replaceSuccessor', rotatedHash: s.refreshToken.tokenHash, successorHash: s.successor.refreshToken.tokenHash,
        grantId: s.grant.id, clientId: s.client.clientId, userId: s.user.id, now: NOW + 20,
      };
      // Each at its own time, so the grant's last_used_at says whose touch stayed: the loser's is undone.
      const outcomes = await race(db, [op, { ...op, now: NOW + 21 }]);
      assert.deepEqual(errors(outcomes), []);
      const results = values(outcomes) as Array<{ ok: boolean }>;
      const winners = results.flatMap((r, i) => (r.ok ? [i] : []));
      assert.equal(winners.length, 1, JSON.stringify(results));
      for (const r of results.filter((r) => !r.ok)) assert.deepEqual(r, { ok: false, reason: 'already_retried' });
      assert.equal((await store.getRefreshToken(s.refreshToken.tokenHash))?.replacedBy, `rt-retry-${winners[0]}`);
      assert.equal(await count(store, `select count(*) as n from refresh_tokens where grant_id = '${s.grant.id}'`), 3);
      assert.equal(await count(store, `select count(*) as n from refresh_tokens where grant_id = '${s.grant.id}' and revoked_at is null and rotated_at is null`), 1);
      assert.equal((await store.getGrant(s.grant.id))?.lastUsedAt, NOW + 20 + winners[0]!, "last_used_at is the winner's time");
    });
  });

  describe('reads for the token endpoint', () => {
    test('a code with its user, and a refresh token with its grant and user, in one call', async () => {
      const s = await seedGrant(store);
      assert.deepEqual(await store.getAuthorizationCodeContext(s.code.codeHash), {
        code: { ...s.code, consumedAt: NOW, grantId: s.grant.id },
        user: s.user,
      });
      assert.equal(await store.getAuthorizationCodeContext('unknown'), undefined);
      assert.deepEqual(await store.getRefreshTokenContext(s.refreshToken.tokenHash), { token: s.refreshToken, grant: s.grant, user: s.user });
      assert.equal(await store.getRefreshTokenContext('unknown'), undefined);
      // A revoked grant shows on the token too, as getRefreshToken says.
      await store.revokeGrant(s.grant.id, NOW + 3, 'test');
      const revoked = await store.getRefreshTokenContext(s.refreshToken.tokenHash);
      assert.equal(revoked?.token.revokedAt, NOW + 3);
      assert.equal(revoked?.grant?.revokedAt, NOW + 3);
    });
  });

  describe('access tokens', () => {
    test('client_credentials tokens have no grant, round-trip, and go with their client', async () => {
      const c = client({ grantTypes: ['client_credentials'] });
      await store.createClient(c);
      const t = accessToken(null, { clientId: c.clientId, format: 'opaque', audience: ['https://api.example', 'https://other.example'] });
      await store.issueClientToken(t);
      assert.deepEqual(await store.getAccessToken(t.id), t);
      await store.deleteClient(c.clientId);
      assert.equal(await store.getAccessToken(t.id), undefined);
    });

    test('client tokens issued together each get their own outcome: a duplicate or an unknown client fails alone', async () => {
      const c = client({ grantTypes: ['client_credentials'] });
      await store.createClient(c);
      const tokens = Array.from({ length: 6 }, () => accessToken(null, { clientId: c.clientId, format: 'opaque' }));
      const duplicate = { ...tokens[0]!, expiresAt: tokens[0]!.expiresAt + 1 };
      const orphan = accessToken(null, { clientId: 'no-such-client', format: 'opaque' });
      // Started in one turn, so a store that groups writes puts them in one batch.
      const outcomes = await Promise.allSettled([...tokens, duplicate, orphan].map((t) => store.issueClientToken(t)));
      assert.deepEqual(outcomes.slice(0, 6).map((o) => o.status), Array(6).fill('fulfilled'));
      const [duplicated, orphaned] = [outcomes[6]!, outcomes[7]!];
      assert.ok(duplicated.status === 'rejected' && duplicated.reason instanceof DuplicateError, 'the duplicate id is a DuplicateError');
      assert.equal(orphaned.status, 'rejected', 'a token of an unknown client is refused');
      for (const t of tokens) assert.deepEqual(await store.getAccessToken(t.id), t);
      assert.equal(await store.getAccessToken(orphan.id), undefined);
    });

    test('revokeAccessToken revokes that token only, and keeps the first revocation time', async () => {
      const s = await seedGrant(store);
      await store.revokeAccessToken(s.accessToken.id, NOW + 5);
      await store.revokeAccessToken(s.accessToken.id, NOW + 9);
      assert.equal((await store.getAccessToken(s.accessToken.id))?.revokedAt, NOW + 5);
      assert.equal((await store.getGrant(s.grant.id))?.revokedAt, null);
      assert.equal((await store.getRefreshToken(s.refreshToken.tokenHash))?.revokedAt, null);
      await store.revokeAccessToken('unknown', NOW); // no error
    });
  });

  describe('revocation', () => {
    test('revokeGrant revokes the grant and every token it issued, and keeps the first reason', async () => {
      const s = await seedGrant(store);
      const next = { accessToken: accessToken(s.grant), refreshToken: refreshToken(s.grant) };
      await store.rotateRefreshToken(s.refreshToken.tokenHash, NOW + 1, next, null);
      const other = await seedGrant(store);

      assert.equal(await store.revokeGrant(s.grant.id, NOW + 7, 'code_replay'), true);
      assert.deepEqual(await store.getGrant(s.grant.id), { ...s.grant, lastUsedAt: NOW + 1, revokedAt: NOW + 7, revokedReason: 'code_replay' });
      for (const t of [s.accessToken, next.accessToken]) assert.equal((await store.getAccessToken(t.id))?.revokedAt, NOW + 7);
      for (const t of [s.refreshToken, next.refreshToken]) assert.equal((await store.getRefreshToken(t.tokenHash))?.revokedAt, NOW + 7);
      // The rows themselves are marked, not only the reads.
      assert.equal(await count(store, `select count(*) as n from access_tokens where grant_id = '${s.grant.id}' and revoked_at is null`), 0);
      assert.equal(await count(store, `select count(*) as n from refresh_tokens where grant_id = '${s.grant.id}' and revoked_at is null`), 0);

      assert.equal(await store.revokeGrant(s.grant.id, NOW + 9, 'again'), true);
      assert.equal((await store.getGrant(s.grant.id))?.revokedReason, 'code_replay');
      assert.equal((await store.getGrant(s.grant.id))?.revokedAt, NOW + 7);
      assert.equal(await store.revokeGrant('unknown', NOW, 'x'), false);
      // Another grant is untouched.
      assert.deepEqual(await store.getGrant(other.grant.id), other.grant);
      assert.deepEqual(await store.getAccessToken(other.accessToken.id), other.accessToken);
    });

    test('revokeLeakedGrant revokes the grant and its tokens and forgets that user\'s consent for that client only', async () => {
      const s = await seedGrant(store);
      const other = await seedGrant(store);
      await store.saveConsent({ userId: s.user.id, clientId: s.client.clientId, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });
      await store.saveConsent({ userId: other.user.id, clientId: other.client.clientId, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });
      assert.equal(await store.revokeLeakedGrant(s.grant.id, NOW + 7, 'rotated refresh token reused'), true);
      assert.equal((await store.getGrant(s.grant.id))?.revokedReason, 'rotated refresh token reused');
      assert.equal(await count(store, `select count(*) as n from refresh_tokens where grant_id = '${s.grant.id}' and revoked_at is null`), 0);
      assert.equal(await count(store, `select count(*) as n from access_tokens where grant_id = '${s.grant.id}' and revoked_at is null`), 0);
      assert.equal(await store.getConsent(s.user.id, s.client.clientId), undefined);
      assert.ok(await store.getConsent(other.user.id, other.client.clientId));
      assert.equal((await store.getGrant(other.grant.id))?.revokedAt, null);
      assert.equal(await store.revokeLeakedGrant('unknown', NOW, 'x'), false);
    });
  });
}, { racers: RACERS });
