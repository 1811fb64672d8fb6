// The audit trail's storage contract (AuditStore, src/store/audit.ts) on every backend: events are appended in one
// statement however many, read back as written (detail JSON included), listed newest first with each filter, and
// deleted by cleanup once older than the retention, and only then.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AuditEventRecord } from '../../src/store/types.js';
import { count, storeContract } from './contract.js';
import { id, NOW } from './fixtures.js';

function event(over: Partial<AuditEventRecord> = {}): AuditEventRecord {
  return {
    id: id('evt'),
    at: NOW,
    event: 'client.created',
    actorType: 'admin',
    actorId: 'admin-token',
    subject: null,
    clientId: 'zapier-client',
    grantType: null,
    address: '127.0.0.1',
    outcome: null,
    detail: { fields: ['client_name', 'scope'], by: 'admin', grants_revoked: 2, remembered: true, reason: 'é & ✓' },
    ...over,
  };
}

await storeContract('audit events', (store) => {
  test('events are read back exactly as written, newest first', async () => {
    const older = event({ at: NOW - 10 });
    const newer = event({ at: NOW, event: 'signin.failed', actorType: 'user', actorId: null, subject: 'mallory', clientId: null, outcome: 'failed', detail: {} });
    await store.recordAuditEvents([older, newer]);
    assert.deepEqual(await store.listAuditEvents({ limit: 10 }), [newer, older]);
  });

  test('each filter narrows the list, and limit bounds it', async () => {
    const a = event({ at: NOW - 100, event: 'signin.succeeded', subject: 'alice', actorType: 'user', actorId: 'user-alice', clientId: null });
    const b = event({ at: NOW - 50, event: 'token.issued', clientId: 'zapier-client', grantType: 'client_credentials', actorType: 'client', actorId: 'zapier-client' });
    const c = event({ at: NOW - 10, event: 'grant.revoked', clientId: 'slack-client', subject: 'user-alice' });
    await store.recordAuditEvents([a, b, c]);
    const ids = async (filter: Parameters<typeof store.listAuditEvents>[0]) => (await store.listAuditEvents(filter)).map((e) => e.id);
    assert.deepEqual(await ids({ event: 'token.issued', limit: 10 }), [b.id]);
    assert.deepEqual(await ids({ clientId: 'slack-client', limit: 10 }), [c.id]);
    // A user is matched as subject or as actor.
    assert.deepEqual(await ids({ user: 'user-alice', limit: 10 }), [c.id, a.id]);
    assert.deepEqual(await ids({ user: 'alice', limit: 10 }), [a.id]);
    assert.deepEqual(await ids({ since: NOW - 50, limit: 10 }), [c.id, b.id]);
    assert.deepEqual(await ids({ limit: 2 }), [c.id, b.id]);
  });

  test('a batch larger than one INSERT is written whole', async () => {
    await store.recordAuditEvents(Array.from({ length: 1201 }, (_, i) => event({ at: NOW + i, event: 'token.issued' })));
    assert.equal(await count(store, 'select count(*) as n from audit_events'), 1201);
  });

  test('cleanup deletes events older than the retention only, in batches, and none without a retention', async () => {
    const retention = 90 * 86400;
    const old = [event({ at: NOW - retention - 1 }), event({ at: NOW - retention - 500 }), event({ at: NOW - retention - 9000 })];
    const kept = event({ at: NOW - retention });
    await store.recordAuditEvents([...old, kept]);
    assert.equal((await store.cleanup(NOW, 1000)).auditEvents, 0, 'no retention given: nothing goes');
    assert.equal((await store.cleanup(NOW, 2, retention)).auditEvents, 3);
    assert.deepEqual((await store.listAuditEvents({ limit: 10 })).map((e) => e.id), [kept.id]);
  });
});
