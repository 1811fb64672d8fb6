// Administration's storage contract (AdminStore, src/store/administration.ts) on every backend: clients, users,
// grants, signing keys, cleanup, readiness and the schema.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DeleteQueryNode, TableNode, type KyselyPlugin } from 'kysely';
import { DuplicateError } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open.js';
import { migrationNames } from '../../src/store/migrations/index.js';
import { SqlStore } from '../../src/store/sql-store.js';
import { createTestDatabase } from '../helpers/databases.js';
import type { Store } from '../../src/store/types.js';
import { codeOf, count, errors, orphans, RACERS, raw, storeContract, values } from './contract.js';
import { accessToken, challenge, client, code, grant, id, NOW, refreshToken, seedGrant, seedParties, signingKey, tokensFor, user } from './fixtures.js';
import { race, type RaceOp } from './race.js';

await storeContract('administration', (store, db, backend) => {
  describe('clients', () => {
    test('round-trip, including a public client with nulls and empty lists', async () => {
      const confidential = client({ resourceServerFor: ['https://api.example', 'urn:leads'] });
      const pub = client({ secretHash: null, tokenEndpointAuthMethod: null, redirectUris: [], grantTypes: [], scopes: [], createdAt: NOW + 1 });
      await store.createClient(confidential);
      await store.createClient(pub);
      assert.deepEqual(await store.getClient(confidential.clientId), confidential);
      assert.deepEqual(await store.getClient(pub.clientId), pub);
      assert.deepEqual(await store.listClients(), [confidential, pub]);
      assert.equal(await store.getClient('nobody'), undefined);
    });

    test('updateClient replaces every field but the id and creation time', async () => {
      const c = client();
      await store.createClient(c);
      const changed = {
        ...c,
        name: 'Zapier 2',
        secretHash: null,
        redirectUris: ['https://new.example/cb'],
        grantTypes: ['client_credentials' as const],
        scopes: ['read:leads'],
        tokenEndpointAuthMethod: 'none' as const,
        accessTokenTtl: 60,
        refreshTokenTtl: 120,
        refreshTokenGrace: 10,
        accessTokenFormat: 'opaque' as const,
        resourceServerFor: ['https://api.example'],
        updatedAt: NOW + 100,
      };
      await store.updateClient({ ...changed, createdAt: NOW + 999 });
      assert.deepEqual(await store.getClient(c.clientId), changed);
    });

    test('creating a client id that exists throws DuplicateError(clientId)', async () => {
      const c = client();
      await store.createClient(c);
      await assert.rejects(store.createClient({ ...c, name: 'Impostor' }), (error: unknown) => {
        assert.ok(error instanceof DuplicateError, String(error));
        assert.equal(error.field, 'clientId');
        assert.equal(error.table, 'clients');
        return true;
      });
      assert.equal((await store.getClient(c.clientId))?.name, c.name);
      // The store is still usable after the failed write (no aborted transaction left on a pooled connection).
      const other = client();
      await store.createClient(other);
      assert.deepEqual(await store.getClient(other.clientId), other);
    });

    test('deleteClient removes everything issued to the client and nothing else', async () => {
      const mine = await seedGrant(store);
      const theirs = await seedGrant(store);
      const c = mine.client.clientId;
      // More of the client's rows: a pending code, a consent, a rotated token pair, a client_credentials token.
      const pending = code(c, mine.user.id);
      await store.saveAuthorizationCode(pending);
      await store.saveConsent({ userId: mine.user.id, clientId: c, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });
      const next = tokensFor(mine.grant) as { accessToken: ReturnType<typeof accessToken>; refreshToken: ReturnType<typeof refreshToken> };
      assert.deepEqual(await store.rotateRefreshToken(mine.refreshToken.tokenHash, NOW + 1, next, null), { ok: true });
      const machine = accessToken(null, { clientId: c });
      await store.issueClientToken(machine);

      assert.equal(await store.deleteClient(c), true);
      assert.equal(await store.getClient(c), undefined);
      assert.equal(await codeOf(store, pending.codeHash), undefined);
      assert.equal(await codeOf(store, mine.code.codeHash), undefined);
      assert.equal(await store.getConsent(mine.user.id, c), undefined);
      assert.equal(await store.getGrant(mine.grant.id), undefined);
      for (const t of [mine.refreshToken, next.refreshToken]) assert.equal(await store.getRefreshToken(t.tokenHash), undefined);
      for (const t of [mine.accessToken, next.accessToken, machine]) assert.equal(await store.getAccessToken(t.id), undefined);
      assert.deepEqual(await orphans(store), {});

      // The user stays; the other client's grant is untouched.
      assert.deepEqual(await store.getUserById(mine.user.id), mine.user);
      assert.deepEqual(await store.getGrant(theirs.grant.id), theirs.grant);
      assert.deepEqual(await store.getRefreshToken(theirs.refreshToken.tokenHash), theirs.refreshToken);
      assert.equal(await store.deleteClient(c), false);
    });
  });

  describe('users', () => {
    test('users round-trip, by id and by username, listed by username', async () => {
      const b = user({ username: 'bob', name: null, email: null });
      const a = user({ username: 'alice' });
      await store.createUser(b);
      await store.createUser(a);
      assert.deepEqual(await store.getUserById(b.id), b);
      assert.deepEqual(await store.getUserByUsername('alice'), a);
      assert.deepEqual(await store.listUsers(), [a, b]);
      assert.equal(await store.getUserByUsername('carol'), undefined);
    });

    test('setUserPassword changes the hash, and says false for an unknown user', async () => {
      const u = user();
      await store.createUser(u);
      assert.equal(await store.setUserPassword(u.id, 'new-hash'), true);
      assert.equal((await store.getUserById(u.id))?.passwordHash, 'new-hash');
      assert.equal(await store.setUserPassword('nobody', 'x'), false);
    });

    test('a taken username throws DuplicateError(username); a taken id DuplicateError(id)', async () => {
      const u = user({ username: 'demo' });
      await store.createUser(u);
      await assert.rejects(store.createUser(user({ username: 'demo' })), (error: unknown) => {
        assert.ok(error instanceof DuplicateError, String(error));
        assert.equal(error.field, 'username');
        assert.equal(error.table, 'users');
        return true;
      });
      await assert.rejects(store.createUser(user({ id: u.id })), (error: unknown) => error instanceof DuplicateError && error.field === 'id');
      assert.equal((await store.listUsers()).length, 1);
    });

    test('deleteUser removes the user with their sessions, consents, codes, grants and tokens', async () => {
      const mine = await seedGrant(store);
      const u = mine.user.id;
      const other = await seedGrant(store, { client: { clientId: id('other') } });
      await store.createSession({ idHash: id('sess'), userId: u, authTime: NOW, expiresAt: NOW + 3600, sid: null });
      const otherSession = { idHash: id('sess'), userId: other.user.id, authTime: NOW, expiresAt: NOW + 3600, sid: null };
      await store.createSession(otherSession);
      await store.saveConsent({ userId: u, clientId: mine.client.clientId, scopes: ['openid'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });
      const pending = code(mine.client.clientId, u);
      await store.saveAuthorizationCode(pending);

      assert.equal(await store.deleteUser(u, NOW + 10), true);
      assert.equal(await store.getUserById(u), undefined);
      assert.equal(await store.getConsent(u, mine.client.clientId), undefined);
      assert.equal(await codeOf(store, pending.codeHash), undefined);
      assert.equal(await store.getGrant(mine.grant.id), undefined);
      assert.equal(await store.getRefreshToken(mine.refreshToken.tokenHash), undefined);
      assert.equal(await store.getAccessToken(mine.accessToken.id), undefined);
      assert.equal(await count(store, `select count(*) as n from sessions where user_id = '${u}'`), 0);
      assert.deepEqual(await orphans(store), {});

      assert.deepEqual(await store.getClient(mine.client.clientId), mine.client);
      assert.deepEqual(await store.getSession(otherSession.idHash), otherSession);
      assert.deepEqual(await store.getGrant(other.grant.id), other.grant);
      assert.equal(await store.deleteUser(u, NOW + 20), false);
    });

    test('deleteUserSessions ends every session of one user and no one else\'s', async () => {
      const { user: u } = await seedParties(store);
      const other = user({ username: 'other' });
      await store.createUser(other);
      const mine = [id('sess'), id('sess')].map((idHash) => ({ idHash, userId: u.id, authTime: NOW, expiresAt: NOW + 3600, sid: null }));
      const theirs = { idHash: id('sess'), userId: other.id, authTime: NOW, expiresAt: NOW + 3600, sid: null };
      for (const s of [...mine, theirs]) await store.createSession(s);
      assert.equal(await store.deleteUserSessions(u.id, NOW), 2);
      for (const s of mine) assert.equal(await store.getSession(s.idHash), undefined);
      assert.deepEqual(await store.getSession(theirs.idHash), theirs);
      assert.equal(await store.deleteUserSessions(u.id, NOW), 0, 'nothing left to end');
    });
  });

  describe('grants', () => {
    test('revokeClientAccess revokes that user\'s grants for that client and forgets the consent', async () => {
      const s = await seedGrant(store);
      const c = s.client.clientId;
      const u = s.user.id;
      // A second grant for the same pair, one for another client, one for another user.
      const cd2 = code(c, u);
      await store.saveAuthorizationCode(cd2);
      const g2 = grant(c, u);
      await store.redeemAuthorizationCode(cd2.codeHash, NOW, g2, tokensFor(g2));
      const otherClient = await seedGrant(store, { user: { id: id('u') } });
      const otherUser = user();
      await store.createUser(otherUser);
      const cd3 = code(c, otherUser.id);
      await store.saveAuthorizationCode(cd3);
      const g3 = grant(c, otherUser.id);
      await store.redeemAuthorizationCode(cd3.codeHash, NOW, g3, tokensFor(g3));
      await store.saveConsent({ userId: u, clientId: c, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });
      await store.saveConsent({ userId: otherUser.id, clientId: c, scopes: ['read:leads'], createdAt: NOW, updatedAt: NOW, granted: null, expiresAt: null });

      assert.equal(await store.revokeClientAccess(u, c, NOW + 30, 'user_revoked'), 2);
      for (const g of [s.grant, g2]) {
        const stored = await store.getGrant(g.id);
        assert.equal(stored?.revokedAt, NOW + 30);
        assert.equal(stored?.revokedReason, 'user_revoked');
      }
      assert.equal((await store.getRefreshToken(s.refreshToken.tokenHash))?.revokedAt, NOW + 30);
      assert.equal((await store.getAccessToken(s.accessToken.id))?.revokedAt, NOW + 30);
      assert.equal(await store.getConsent(u, c), undefined);

      assert.equal((await store.getGrant(g3.id))?.revokedAt, null);
      assert.equal((await store.getGrant(otherClient.grant.id))?.revokedAt, null);
      assert.ok(await store.getConsent(otherUser.id, c));
      assert.equal(await store.revokeClientAccess(u, c, NOW + 40, 'again'), 0);
    });

    test('listGrants joins client name and username, newest first, with filters', async () => {
      const zapier = client({ name: 'Zapier' });
      const slack = client({ name: 'Slack' });
      const alice = user({ username: 'alice' });
      const bob = user({ username: 'bob' });
      for (const c of [zapier, slack]) await store.createClient(c);
      for (const u of [alice, bob]) await store.createUser(u);
      const make = async (c: typeof zapier, u: typeof alice, createdAt: number) => {
        const cd = code(c.clientId, u.id);
        await store.saveAuthorizationCode(cd);
        const g = grant(c.clientId, u.id, { createdAt, lastUsedAt: createdAt });
        await store.redeemAuthorizationCode(cd.codeHash, createdAt, g, tokensFor(g));
        return g;
      };
      const g1 = await make(zapier, alice, NOW);
      const g2 = await make(slack, alice, NOW + 10);
      const g3 = await make(zapier, bob, NOW + 20);
      const g4 = await make(zapier, alice, NOW + 30);
      await store.revokeGrant(g4.id, NOW + 40, 'test');
      const ids = async (filter: Parameters<Store['listGrants']>[0]) => (await store.listGrants(filter)).map((g) => g.id);

      assert.deepEqual(await ids({}), [g3.id, g2.id, g1.id]);
      assert.deepEqual(await ids({ includeRevoked: true }), [g4.id, g3.id, g2.id, g1.id]);
      assert.deepEqual(await ids({ userId: alice.id }), [g2.id, g1.id]);
      assert.deepEqual(await ids({ clientId: zapier.clientId, includeRevoked: true }), [g4.id, g3.id, g1.id]);
      assert.deepEqual(await ids({ userId: alice.id, clientId: zapier.clientId }), [g1.id]);
      assert.deepEqual(await store.listGrants({ userId: bob.id }), [{ ...g3, clientName: 'Zapier', username: 'bob' }]);
    });
  });

  describe('signing keys', () => {
    test('onlyIfNone makes the first key of an algorithm, and only the first', async () => {
      const first = signingKey('ES256');
      assert.equal(await store.rotateSigningKey(first, 0, { onlyIfNone: true }), true);
      assert.equal(await store.rotateSigningKey(signingKey('ES256'), 0, { onlyIfNone: true }), false);
      assert.equal(await store.rotateSigningKey(signingKey('RS256'), 0, { onlyIfNone: true }), true);
      const keys = await store.listSigningKeys(Math.floor(Date.now() / 1000));
      assert.equal(keys.length, 2);
      assert.deepEqual(keys.find((k) => k.alg === 'ES256'), first);
    });

    test('rotation retires the active key of that algorithm until retiredUntil and activates the new one', async () => {
      const now = Math.floor(Date.now() / 1000);
      const es1 = signingKey('ES256', { createdAt: now - 100 });
      const rs1 = signingKey('RS256', { createdAt: now - 100 });
      await store.rotateSigningKey(es1, 0);
      await store.rotateSigningKey(rs1, 0);
      const es2 = signingKey('ES256', { createdAt: now });
      assert.equal(await store.rotateSigningKey(es2, now + 3600), true);
      const keys = await store.listSigningKeys(now);
      assert.deepEqual(keys.find((k) => k.kid === es1.kid), { ...es1, retiredAt: now, expiresAt: now + 3600 });
      assert.deepEqual(keys.find((k) => k.kid === es2.kid), es2);
      assert.deepEqual(keys.find((k) => k.kid === rs1.kid), rs1, 'another algorithm is not touched');
      assert.deepEqual(
        keys.filter((k) => k.retiredAt === null).map((k) => k.kid).sort(),
        [es2.kid, rs1.kid].sort(),
      );
    });

    test('listSigningKeys leaves out keys past their expiry at the time it is given', async () => {
      const now = Math.floor(Date.now() / 1000);
      const gone = signingKey('RS256', { createdAt: now - 200, retiredAt: now - 100, expiresAt: now - 1 });
      const kept = signingKey('RS256', { createdAt: now - 200, retiredAt: now - 100, expiresAt: now + 100 });
      const active = signingKey('RS256');
      for (const k of [gone, kept, active]) await store.insertSigningKey(k);
      assert.deepEqual((await store.listSigningKeys(now)).map((k) => k.kid).sort(), [kept.kid, active.kid].sort());
      assert.deepEqual((await store.listSigningKeys(now + 100)).map((k) => k.kid), [active.kid], 'expiry is judged at the time given');
    });

    test('a second active key of one algorithm is refused with DuplicateError', async () => {
      await store.insertSigningKey(signingKey('ES256'));
      await assert.rejects(store.insertSigningKey(signingKey('ES256')), (error: unknown) => error instanceof DuplicateError && error.field === 'alg');
    });

    test('simultaneous first-key creation on separate connections makes one key per algorithm', async () => {
      const ops: RaceOp[] = Array.from({ length: 6 }, (_, i) => ({ kind: 'rotateKey', alg: i % 2 ? 'RS256' : 'ES256', onlyIfNone: true }));
      const outcomes = await race(db, ops);
      assert.deepEqual(errors(outcomes), []);
      assert.equal(values(outcomes).filter((v) => v === true).length, 2);
      assert.equal(await count(store, "select count(*) as n from signing_keys where alg = 'ES256'"), 1);
      assert.equal(await count(store, "select count(*) as n from signing_keys where alg = 'RS256'"), 1);
    });

    test('simultaneous rotations on separate connections leave exactly one active key', async () => {
      await store.rotateSigningKey(signingKey('ES256'), 0);
      const ops: RaceOp[] = Array.from({ length: 6 }, () => ({ kind: 'rotateKey', alg: 'ES256', onlyIfNone: false }));
      const outcomes = await race(db, ops);
      assert.deepEqual(errors(outcomes), []);
      assert.deepEqual(values(outcomes), ops.map(() => true));
      assert.equal(await count(store, 'select count(*) as n from signing_keys'), 7);
      assert.equal(await count(store, 'select count(*) as n from signing_keys where retired_at is null'), 1);
    });
  });

  describe('dynamic registration', () => {
    const iat = (over: Partial<{ expiresAt: number; maxUses: number | null }> = {}) => ({ id: id('iat'), tokenHash: id('h'), createdAt: NOW, expiresAt: NOW + 60, maxUses: null, uses: 0, ...over });
    const registered = () => client({ registration: { tokenHash: id('r'), applicationType: 'native', unusedUntil: NOW + 60 }, logoUri: 'https://app.example/logo.png', tosUri: 'https://app.example/tos' });

    test('a registered client round-trips with its registration and display fields', async () => {
      const c = registered();
      assert.equal(await store.registerClient(c, null, NOW), true);
      assert.deepEqual(await store.getClient(c.clientId), c);
      assert.deepEqual((await store.listClients()).find((x) => x.clientId === c.clientId), c);
    });

    test('racing registrations spend a one-use initial access token once; nothing is written for the losers', async () => {
      const token = iat({ maxUses: 1 });
      await store.createInitialAccessToken(token);
      const clients = Array.from({ length: RACERS }, registered);
      const results = await Promise.all(clients.map((c) => store.registerClient(c, token.tokenHash, NOW)));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.listClients()).filter((c) => c.registration !== null).length, 1);
      assert.equal((await store.findInitialAccessToken(token.tokenHash))?.uses, 1);
    });

    test('an expired, unknown or deleted initial access token registers nothing', async () => {
      const expired = iat({ expiresAt: NOW });
      await store.createInitialAccessToken(expired);
      assert.equal(await store.registerClient(registered(), expired.tokenHash, NOW), false);
      assert.equal(await store.registerClient(registered(), 'unknown', NOW), false);
      const revoked = iat();
      await store.createInitialAccessToken(revoked);
      assert.equal(await store.deleteInitialAccessToken(revoked.id), true);
      assert.equal(await store.deleteInitialAccessToken(revoked.id), false);
      assert.equal(await store.registerClient(registered(), revoked.tokenHash, NOW), false);
      assert.equal((await store.listClients()).length, 0);
    });

    test('markClientUsed clears unused_until once', async () => {
      const c = registered();
      await store.registerClient(c, null, NOW);
      await store.markClientUsed(c.clientId);
      await store.markClientUsed(c.clientId);
      assert.equal((await store.getClient(c.clientId))?.registration?.unusedUntil, null);
    });
  });

  describe('cleanup', () => {
    test('removes exactly the expired rows, in batches', async () => {
      const T = Math.floor(Date.now() / 1000); // "now" for cleanup; everything below is relative to it
      const { client: c, user: u } = await seedParties(store);

      // Codes: two expired, one live (the four redeemed below expire too: 6 in all).
      await store.saveAuthorizationCode(code(c.clientId, u.id, { expiresAt: T - 1 }));
      await store.saveAuthorizationCode(code(c.clientId, u.id, { expiresAt: T }));
      const liveCode = code(c.clientId, u.id, { expiresAt: T + 60 });
      await store.saveAuthorizationCode(liveCode);
      // Sessions: three expired (expiry == now counts), one live.
      for (const expiresAt of [T - 100, T - 1, T]) await store.createSession({ idHash: id('s'), userId: u.id, authTime: T - 200, expiresAt, sid: null });
      const liveSession = { idHash: id('s'), userId: u.id, authTime: T, expiresAt: T + 1, sid: null };
      await store.createSession(liveSession);
      // Login and consent challenges: three past their lifetime (answered or not), one open.
      for (const expiresAt of [T - 100, T - 1, T]) await store.createChallenge(challenge(c.clientId, { expiresAt }));
      const liveChallenge = challenge(c.clientId, { kind: 'consent', expiresAt: T + 1 });
      await store.createChallenge(liveChallenge);
      // Client assertions' jtis: one expired (forgotten), one live (still refused as a replay afterwards).
      assert.equal(await store.recordClientAssertion(c.clientId, 'jti-old', T), true);
      assert.equal(await store.recordClientAssertion(c.clientId, 'jti-live', T + 60), true);
      assert.equal(await store.recordDpopProof('jkt', 'proof-old', T), true);
      assert.equal(await store.recordDpopProof('jkt', 'proof-live', T + 60), true);
      // Initial access tokens (dynamic registration): one expired, one live.
      const iat = (expiresAt: number) => ({ id: id('iat'), tokenHash: id('h'), createdAt: T - 100, expiresAt, maxUses: null, uses: 0 });
      await store.createInitialAccessToken(iat(T));
      const liveIat = iat(T + 1);
      await store.createInitialAccessToken(liveIat);
      // Dynamically registered clients: one never used past its time (deleted), one not yet due, one used (kept).
      const registered = (unusedUntil: number | null) => client({ registration: { tokenHash: id('r'), applicationType: 'web', unusedUntil } });
      const unused = registered(T);
      const young = registered(T + 1);
      const used = registered(T - 1000);
      for (const r of [unused, young, used]) await store.createClient(r);
      await store.markClientUsed(used.clientId);

      const redeem = async (access: { expiresAt: number }, refresh: { expiresAt: number } | null) => {
        const cd = code(c.clientId, u.id, { expiresAt: T - 5 });
        await store.saveAuthorizationCode(cd);
        const g = grant(c.clientId, u.id);
        const tokens = { accessToken: accessToken(g, access), refreshToken: refresh && refreshToken(g, refresh) };
        assert.deepEqual(await store.redeemAuthorizationCode(cd.codeHash, T - 10, g, tokens), { ok: true });
        return { grant: g, ...tokens };
      };
      // A: alive. Its first refresh token expired after rotation; 4 expired access tokens, 2 live.
      const a = await redeem({ expiresAt: T - 1 }, { expiresAt: T - 1 });
      for (let i = 0; i < 3; i++) await store.issueClientToken(accessToken(a.grant, { expiresAt: T - 1 }));
      const aLiveAccess = accessToken(a.grant, { expiresAt: T + 3600 });
      await store.issueClientToken(aLiveAccess);
      const aNext = { accessToken: accessToken(a.grant, { expiresAt: T + 3600 }), refreshToken: refreshToken(a.grant, { expiresAt: T + 86400 }) };
      assert.deepEqual(await store.rotateRefreshToken(a.refreshToken!.tokenHash, T - 5, aNext, null), { ok: true });
      // B: every token expired. C: revoked, tokens not yet expired. D: no refresh token, access token expired.
      const b = await redeem({ expiresAt: T - 1 }, { expiresAt: T });
      const cGrant = await redeem({ expiresAt: T + 3600 }, { expiresAt: T + 86400 });
      await store.revokeGrant(cGrant.grant.id, T - 1, 'test');
      const d = await redeem({ expiresAt: T - 1 }, null);
      // client_credentials tokens: one expired, one live.
      await store.issueClientToken(accessToken(null, { clientId: c.clientId, expiresAt: T - 1 }));
      const liveMachine = accessToken(null, { clientId: c.clientId, expiresAt: T + 1 });
      await store.issueClientToken(liveMachine);
      // Keys: one past its publication, one retired but still published, one active.
      await store.insertSigningKey(signingKey('RS256', { createdAt: T - 300, retiredAt: T - 200, expiresAt: T - 1 }));
      const published = signingKey('RS256', { createdAt: T - 200, retiredAt: T - 100, expiresAt: T + 100 });
      const active = signingKey('RS256', { createdAt: T - 100 });
      await store.insertSigningKey(published);
      await store.insertSigningKey(active);

      // Count the DELETE statements per table, to see the batches.
      const deletes = new Map<string, number>();
      const spy: KyselyPlugin = {
        transformQuery: ({ node }) => {
          const from = DeleteQueryNode.is(node) ? node.from.froms[0] : undefined;
          if (from && TableNode.is(from)) deletes.set(from.table.identifier.name, (deletes.get(from.table.identifier.name) ?? 0) + 1);
          return node;
        },
        transformResult: async ({ result }) => result,
      };
      const spied = new SqlStore(raw(store).withPlugin(spy), (store as SqlStore).dialect, store);

      const batch = 2;
      const expected = { codes: 6, sessions: 3, challenges: 3, accessTokens: 7, refreshTokens: 2, grants: 2, keys: 1, deviceCodes: 0, clientAssertions: 1, pushedRequests: 0, initialAccessTokens: 1, unusedClients: 1, dpopProofs: 1, auditEvents: 0 };
      assert.deepEqual(await spied.cleanup(T, batch), expected);
      // A table with n expired rows takes floor(n / batch) full batches and one short one.
      const statements = (n: number) => Math.floor(n / batch) + 1;
      assert.deepEqual(Object.fromEntries(deletes), {
        authorization_codes: statements(6),
        sessions: statements(3),
        interaction_challenges: statements(3),
        access_tokens: statements(7),
        refresh_tokens: statements(2),
        grants: statements(2),
        signing_keys: statements(1),
        device_codes: statements(0),
        client_assertions: statements(1),
        pushed_requests: statements(0),
        dpop_proofs: statements(1),
        initial_access_tokens: statements(1),
        clients: statements(1),
      });

      // What is left is exactly what is still live.
      assert.deepEqual(await codeOf(store, liveCode.codeHash), liveCode);
      assert.equal(await count(store, 'select count(*) as n from authorization_codes'), 1);
      assert.deepEqual(await store.getSession(liveSession.idHash), liveSession);
      assert.equal(await count(store, 'select count(*) as n from sessions'), 1);
      assert.deepEqual(await store.getChallenge(liveChallenge.challengeHash, 'consent'), liveChallenge);
      assert.equal(await count(store, 'select count(*) as n from interaction_challenges'), 1);
      assert.equal(await store.recordClientAssertion(c.clientId, 'jti-live', T + 60), false, 'a live jti is still remembered');
      assert.equal(await store.recordDpopProof('jkt', 'proof-live', T + 60), false, 'a live proof jti is still remembered');
      assert.deepEqual(
        (await store.listGrants({ includeRevoked: true })).map((g) => g.id).sort(),
        [a.grant.id, cGrant.grant.id].sort(),
      );
      assert.equal(await store.getGrant(b.grant.id), undefined);
      assert.equal(await store.getGrant(d.grant.id), undefined);
      assert.equal(await store.getRefreshToken(a.refreshToken!.tokenHash), undefined);
      assert.deepEqual(await store.getRefreshToken(aNext.refreshToken.tokenHash), aNext.refreshToken);
      assert.equal((await store.getRefreshToken(cGrant.refreshToken!.tokenHash))?.revokedAt, T - 1);
      assert.equal(await count(store, 'select count(*) as n from refresh_tokens'), 2);
      for (const t of [aLiveAccess, aNext.accessToken, liveMachine]) assert.ok(await store.getAccessToken(t.id), t.id);
      assert.equal(await count(store, 'select count(*) as n from access_tokens'), 4);
      assert.deepEqual((await store.listSigningKeys(T)).map((k) => k.kid).sort(), [published.kid, active.kid].sort());
      assert.equal(await count(store, 'select count(*) as n from signing_keys'), 2);
      assert.deepEqual(await orphans(store), {});
      assert.deepEqual((await store.listInitialAccessTokens()).map((t) => t.id), [liveIat.id]);
      assert.equal(await store.getClient(unused.clientId), undefined, 'an unused registration past its time is gone');
      assert.equal((await store.getClient(young.clientId))?.registration?.unusedUntil, T + 1);
      assert.deepEqual((await store.getClient(used.clientId))?.registration, { ...used.registration, unusedUntil: null }, 'a used registration is kept');

      assert.deepEqual(await store.cleanup(T, batch), { codes: 0, sessions: 0, challenges: 0, accessTokens: 0, refreshTokens: 0, grants: 0, keys: 0, deviceCodes: 0, clientAssertions: 0, pushedRequests: 0, initialAccessTokens: 0, unusedClients: 0, dpopProofs: 0, auditEvents: 0 });
    });

    test('refuses a batch size that would never finish', async () => {
      await assert.rejects(store.cleanup(NOW, 0), RangeError);
    });
  });

  describe('readiness', () => {
    test('probeWrite writes its row and reads it back, keeping one row however often it runs', async () => {
      await store.probeWrite(NOW);
      await Promise.all([store.probeWrite(NOW + 1), store.probeWrite(NOW + 2)]);
      await store.probeWrite(NOW + 3);
      const rows = await raw(store).selectFrom('readiness_probe').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(Number(rows[0]!.checked_at), NOW + 3);
      assert.match(rows[0]!.nonce, /^[0-9a-f]{16}$/);
    });
  });

  describe('resources', () => {
    test('round-trip, list oldest first, duplicate URI, delete', async () => {
      const leads = { uri: 'https://api.example/leads', name: 'Leads API', scopes: ['read:leads', 'write:leads'], createdAt: NOW };
      const any = { uri: 'urn:example:any', name: null, scopes: [], createdAt: NOW + 1 };
      await store.createResource(any);
      await store.createResource(leads);
      assert.deepEqual(await store.getResource(leads.uri), leads);
      assert.deepEqual(await store.getResource(any.uri), any);
      assert.equal(await store.getResource('https://api.example/other'), undefined);
      assert.deepEqual(await store.listResources(), [leads, any]);
      await assert.rejects(store.createResource({ ...leads, name: 'Impostor' }), (error: unknown) => {
        assert.ok(error instanceof DuplicateError, String(error));
        assert.equal(error.field, 'uri');
        assert.equal(error.table, 'resources');
        return true;
      });
      assert.equal(await store.deleteResource(leads.uri), true);
      assert.equal(await store.deleteResource(leads.uri), false);
      assert.deepEqual(await store.listResources(), [any]);
    });
  });

  describe('schema', () => {
    test('migrate() again is a no-op that keeps the data', async () => {
      const c = client();
      await store.createClient(c);
      await store.migrate();
      assert.deepEqual(await store.getClient(c.clientId), c);
    });

    test('several instances migrating a new database at once all succeed, once', async () => {
      const fresh = await createTestDatabase(backend);
      try {
        const outcomes = await race(fresh, Array.from({ length: 5 }, (): RaceOp => ({ kind: 'migrate' })));
        assert.deepEqual(errors(outcomes), []);
        const migrated = await openStore(fresh.url);
        try {
          // Every migration applied exactly once, however many instances ran them.
          assert.equal(await count(migrated, 'select count(*) as n from gatehouse_migration'), migrationNames().length);
          assert.equal(await count(migrated, 'select count(*) - count(distinct name) as n from gatehouse_migration'), 0);
          const c = client();
          await migrated.createClient(c);
          assert.deepEqual(await migrated.getClient(c.clientId), c);
        } finally {
          await migrated.close();
        }
      } finally {
        await fresh.drop();
      }
    });
  });
}, { racers: RACERS });
