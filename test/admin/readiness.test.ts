// Liveness and readiness on the admin port, against real databases that stop taking writes while they still
// answer reads: /readyz (a write probe) turns 503 naming why, /healthz (the process) stays 200, and reads go on.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import Database from 'better-sqlite3';
import pg from 'pg';
import { POSTGRES_ADMIN_URL, testBackends } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface Probe {
  status: number;
  body: { status: string; error?: string; error_description?: string };
}

async function probe(server: TestServer, path: '/healthz' | '/readyz'): Promise<Probe> {
  const response = await fetch(`${server.adminUrl}${path}`);
  return { status: response.status, body: (await response.json()) as Probe['body'] };
}

async function clientsAnswer(server: TestServer): Promise<number> {
  return (await fetch(`${server.adminUrl}/admin/clients`)).status;
}

describe('readiness [sqlite]', () => {
  test('while another process holds the write lock, /readyz is 503 store_busy, /healthz 200 and reads still answer; released, /readyz is 200', async () => {
    const server = await startTestServer({ backend: 'sqlite' });
    const other = new Database(server.config.databaseUrl.slice('sqlite:'.length), { timeout: 0 });
    try {
      assert.deepEqual(await probe(server, '/readyz'), { status: 200, body: { status: 'ready' } });
      // As a stuck `gatehouse` command, a backup or another server on the same file would.
      other.exec('BEGIN IMMEDIATE');
      const blocked = await probe(server, '/readyz');
      assert.equal(blocked.status, 503);
      assert.deepEqual(blocked.body, { status: 'unavailable', error: 'store_busy', error_description: 'the database is locked by another writer (SQLITE_BUSY)' });
      assert.deepEqual(await probe(server, '/healthz'), { status: 200, body: { status: 'ok' } });
      assert.equal(await clientsAnswer(server), 200);
      other.exec('ROLLBACK');
      assert.deepEqual(await probe(server, '/readyz'), { status: 200, body: { status: 'ready' } });
    } finally {
      other.close();
      await server.close();
    }
  });
});

const postgres = (await testBackends()).includes('postgres');

describe('readiness [postgres]', { skip: !postgres && 'PostgreSQL is unreachable' }, () => {
  test('once the database turns read-only, /readyz is 503 store_read_only, /healthz 200 and reads still answer; writable again, /readyz is 200', async () => {
    const server = await startTestServer({ backend: 'postgres' });
    const name = new URL(server.config.databaseUrl).pathname.slice(1);
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    // New sessions only see the setting, as after a failover to a standby: end the server's pooled ones.
    const endSessions = async () => {
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [name]);
      // Terminating only signals the sessions: wait until they are gone, so none answers a probe as before.
      for (;;) {
        const { rows } = await admin.query<{ n: string }>('select count(*) as n from pg_stat_activity where datname = $1', [name]);
        if (Number(rows[0]!.n) === 0) return;
      }
    };
    try {
      assert.deepEqual(await probe(server, '/readyz'), { status: 200, body: { status: 'ready' } });
      await admin.query(`alter database "${name}" set default_transaction_read_only = on`);
      await endSessions();
      // The pool drops each ended session the first time it fails; a bounded number of probes reaches a new one.
      let readOnly: Probe | undefined;
      for (let attempt = 0; attempt < 20 && readOnly === undefined; attempt++) {
        const answer = await probe(server, '/readyz');
        assert.equal(answer.status, 503, JSON.stringify(answer.body));
        if (answer.body.error === 'store_read_only') readOnly = answer;
      }
      assert.deepEqual(readOnly?.body, { status: 'unavailable', error: 'store_read_only', error_description: 'the database is read-only (25006)' });
      assert.deepEqual(await probe(server, '/healthz'), { status: 200, body: { status: 'ok' } });
      assert.equal(await clientsAnswer(server), 200);

      await admin.query(`alter database "${name}" reset default_transaction_read_only`);
      await endSessions();
      let ready: Probe | undefined;
      for (let attempt = 0; attempt < 20 && ready === undefined; attempt++) {
        const answer = await probe(server, '/readyz');
        if (answer.status === 200) ready = answer;
      }
      assert.deepEqual(ready?.body, { status: 'ready' });
    } finally {
      await admin.end();
      await server.close();
    }
  });

  test('while another session holds a lock on the probe row, /readyz gives up after a second with 503 store_busy instead of hanging', async () => {
    const server = await startTestServer({ backend: 'postgres' });
    const other = new pg.Client({ connectionString: server.config.databaseUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query('lock table readiness_probe in access exclusive mode');
      const blocked = await probe(server, '/readyz');
      assert.equal(blocked.status, 503);
      assert.deepEqual(blocked.body, { status: 'unavailable', error: 'store_busy', error_description: 'the database is locked by another writer (55P03)' });
      assert.equal(await clientsAnswer(server), 200);
      await other.query('rollback');
      assert.deepEqual(await probe(server, '/readyz'), { status: 200, body: { status: 'ready' } });
    } finally {
      await other.end();
      await server.close();
    }
  });
});
