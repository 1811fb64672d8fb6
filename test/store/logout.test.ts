// Logout's storage contract (LogoutStore, src/store/logout.ts) on every backend: a session remembers the clients
// issued codes in it; ending it deletes it and queues one back-channel delivery per client that takes them, in one
// transaction; the queue is leased, rescheduled and emptied.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { count, codeOf, orphans, storeContract } from './contract.js';
import { client, code, id, NOW, seedParties } from './fixtures.js';
import type { SessionRecord, Store } from '../../src/store/types.js';

function session(userId: string, over: Partial<SessionRecord> = {}): SessionRecord {
  return { idHash: id('sess'), userId, authTime: NOW, expiresAt: NOW + 3600, sid: id('sid'), ...over };
}

/** A session of a user where `clients` were each issued a code; the first client takes back-channel logout. */
async function sessionWithClients(store: Store) {
  const { client: rp, user: u } = await seedParties(store, { client: { backchannelLogoutUri: 'https://rp.example/logout', backchannelLogoutSessionRequired: true } });
  const quiet = client({ frontchannelLogoutUri: 'https://quiet.example/fc' });
  await store.createClient(quiet);
  const s = session(u.id);
  await store.createSession(s);
  for (const c of [rp, quiet, rp]) await store.saveAuthorizationCode(code(c.clientId, u.id, { sessionId: s.sid }));
  return { rp, quiet, user: u, session: s };
}

await storeContract('logout', (store) => {
  describe('sessions and their clients', () => {
    test('a session keeps its sid; a code keeps its session, and records its client once', async () => {
      const { rp, quiet, session: s } = await sessionWithClients(store);
      assert.deepEqual(await store.getSession(s.idHash), s);
      assert.equal(await count(store, `select count(*) as n from session_clients where sid = '${s.sid}'`), 2);
      const saved = code(rp.clientId, s.userId, { sessionId: s.sid });
      await store.saveAuthorizationCode(saved);
      assert.deepEqual(await codeOf(store, saved.codeHash), saved);
      assert.equal(await count(store, `select count(*) as n from session_clients where sid = '${s.sid}' and client_id = '${quiet.clientId}'`), 1);
    });

    test('a code issued as its session ended is saved, and leaves no client list behind', async () => {
      const { client: c, user: u } = await seedParties(store);
      const late = code(c.clientId, u.id, { sessionId: 'ended-meanwhile' });
      await store.saveAuthorizationCode(late);
      assert.deepEqual(await codeOf(store, late.codeHash), late);
      assert.equal(await count(store, 'select count(*) as n from session_clients'), 0);
      assert.deepEqual(await orphans(store), {});
    });
  });

  describe('endSession', () => {
    test('deletes the session and its client list, and queues a delivery for each client with a back-channel URI', async () => {
      const { rp, quiet, user: u, session: s } = await sessionWithClients(store);
      const ended = await store.endSession({ idHash: s.idHash }, NOW + 10);
      assert.deepEqual(ended?.session, s);
      assert.deepEqual(new Set(ended?.clientIds), new Set([rp.clientId, quiet.clientId]));
      assert.equal(await store.getSession(s.idHash), undefined);
      assert.equal(await count(store, 'select count(*) as n from session_clients'), 0);
      const due = await store.leaseLogoutDeliveries(NOW + 10, NOW + 70, 10);
      assert.deepEqual(due, [{ sid: s.sid, clientId: rp.clientId, userId: u.id, createdAt: NOW + 10, attempts: 1, nextAttemptAt: NOW + 70, lastError: null }]);
      assert.deepEqual(await orphans(store), {});
    });

    test('by sid as well; a session ended twice is ended once', async () => {
      const { session: s } = await sessionWithClients(store);
      assert.ok(await store.endSession({ sid: s.sid! }, NOW));
      assert.equal(await store.endSession({ sid: s.sid! }, NOW), undefined);
      assert.equal(await store.endSession({ idHash: s.idHash }, NOW), undefined);
      assert.equal(await count(store, 'select count(*) as n from logout_deliveries'), 1);
    });

    test('a session without a sid (started before sids) ends with no clients to tell', async () => {
      const { user: u } = await seedParties(store);
      const old = session(u.id, { sid: null });
      await store.createSession(old);
      assert.deepEqual(await store.endSession({ idHash: old.idHash }, NOW), { session: old, clientIds: [] });
      assert.equal(await count(store, 'select count(*) as n from logout_deliveries'), 0);
    });

    test("deleteUserSessions (a password change) ends each of the user's sessions the same way, deliveries queued", async () => {
      const { rp, user: u, session: s } = await sessionWithClients(store);
      const second = session(u.id);
      await store.createSession(second);
      await store.saveAuthorizationCode(code(rp.clientId, u.id, { sessionId: second.sid }));
      assert.equal(await store.deleteUserSessions(u.id, NOW), 2);
      const due = await store.leaseLogoutDeliveries(NOW, NOW + 60, 10);
      assert.deepEqual(new Set(due.map((d) => d.sid)), new Set([s.sid, second.sid]));
      assert.equal(await count(store, 'select count(*) as n from session_clients'), 0);
    });

    test("deleting a user ends their sessions the same way: the deliveries outlive the user row", async () => {
      const { rp, user: u, session: s } = await sessionWithClients(store);
      assert.equal(await store.deleteUser(u.id, NOW), true);
      assert.equal(await store.getSession(s.idHash), undefined);
      const due = await store.leaseLogoutDeliveries(NOW, NOW + 60, 10);
      assert.deepEqual(due.map((d) => [d.sid, d.clientId, d.userId]), [[s.sid, rp.clientId, u.id]]);
      assert.equal(await store.deleteUser(u.id, NOW), false);
      assert.deepEqual(await orphans(store), {});
    });

    test('other sessions of the user are untouched', async () => {
      const { session: s, user: u } = await sessionWithClients(store);
      const other = session(u.id);
      await store.createSession(other);
      await store.endSession({ idHash: s.idHash }, NOW);
      assert.deepEqual(await store.getSession(other.idHash), other);
    });
  });

  describe('the delivery queue', () => {
    test('a leased delivery is not leased again until its lease ends; a reschedule sets the next attempt', async () => {
      const { rp, session: s } = await sessionWithClients(store);
      await store.endSession({ idHash: s.idHash }, NOW);
      assert.equal((await store.leaseLogoutDeliveries(NOW, NOW + 60, 10)).length, 1);
      assert.deepEqual(await store.leaseLogoutDeliveries(NOW + 59, NOW + 120, 10), []);
      await store.rescheduleLogoutDelivery(s.sid!, rp.clientId, NOW + 30, 'HTTP 503');
      assert.deepEqual(await store.leaseLogoutDeliveries(NOW + 29, NOW + 90, 10), []);
      const [again] = await store.leaseLogoutDeliveries(NOW + 30, NOW + 90, 10);
      assert.equal(again?.attempts, 2);
      assert.equal(again?.lastError, 'HTTP 503');
      await store.deleteLogoutDelivery(s.sid!, rp.clientId);
      assert.deepEqual(await store.leaseLogoutDeliveries(NOW + 1000, NOW + 1060, 10), []);
    });

    test('of two racing leases, each delivery goes to one', async () => {
      const { client: rp, user: u } = await seedParties(store, { client: { backchannelLogoutUri: 'https://rp.example/logout' } });
      for (let i = 0; i < 5; i++) {
        const s = session(u.id);
        await store.createSession(s);
        await store.saveAuthorizationCode(code(rp.clientId, u.id, { sessionId: s.sid }));
        await store.endSession({ idHash: s.idHash }, NOW);
      }
      const [a, b] = await Promise.all([store.leaseLogoutDeliveries(NOW, NOW + 60, 10), store.leaseLogoutDeliveries(NOW, NOW + 60, 10)]);
      assert.equal(a.length + b.length, 5);
      assert.equal(new Set([...a, ...b].map((d) => d.sid)).size, 5);
    });

    test('deleting the client drops its deliveries', async () => {
      const { rp, session: s } = await sessionWithClients(store);
      await store.endSession({ idHash: s.idHash }, NOW);
      await store.deleteClient(rp.clientId);
      assert.equal(await count(store, 'select count(*) as n from logout_deliveries'), 0);
    });
  });
});
