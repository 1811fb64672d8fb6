// openStore: choosing the backend from the URL, SQLite's connection settings, and PostgreSQL's start-up
// retries and redacted errors.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { openStore } from '../../src/store/open.js';
import { SqlStore } from '../../src/store/sql-store.js';
import { POSTGRES_ADMIN_URL, testBackends } from '../helpers/databases.js';
import { client } from './fixtures.js';

test('sqlite: creates the parent folders and sets WAL, busy_timeout and foreign keys', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-open-'));
  const file = join(dir, 'a', 'b', 'gatehouse.db');
  try {
    const store = await openStore(`sqlite:${file}`);
    try {
      assert.ok(existsSync(file));
      const db = (store as SqlStore).db;
      const pragma = async (name: string) => Object.values((await sql.raw(`pragma ${name}`).execute(db)).rows[0] as object)[0];
      assert.equal(await pragma('journal_mode'), 'wal');
      assert.equal(await pragma('foreign_keys'), 1);
      assert.ok(Number(await pragma('busy_timeout')) >= 1000);
      assert.equal(await pragma('synchronous'), 1); // NORMAL: durability comes from the shared WAL fsync every write awaits
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sqlite::memory: is a working store', async () => {
  const store = await openStore('sqlite::memory:');
  try {
    await store.migrate();
    const c = client();
    await store.createClient(c);
    assert.deepEqual(await store.getClient(c.clientId), c);
  } finally {
    await store.close();
  }
});

test('an unknown scheme or a bare sqlite: is refused, without printing a password', async () => {
  await assert.rejects(openStore('mysql://root:hunter2@db/gatehouse'), (error: Error) => {
    assert.match(error.message, /sqlite: or postgres:\/\//);
    assert.ok(!error.message.includes('hunter2'), error.message);
    assert.ok(error.message.includes('***'), error.message);
    return true;
  });
  await assert.rejects(openStore('sqlite:'), /needs a file path/);
});

test('postgres: an unreachable server is retried with backoff, then named with the password hidden', async () => {
  const started = Date.now();
  // Port 1 on loopback refuses connections at once, so the time spent is the backoff: 50 + 100 ms.
  await assert.rejects(openStore('postgres://gatehouse:s3cret-pw@127.0.0.1:1/gatehouse', { connectAttempts: 3, connectRetryDelayMs: 50 }), (error: Error) => {
    assert.match(error.message, /cannot connect to PostgreSQL at postgres:\/\/gatehouse:\*\*\*@127\.0\.0\.1:1\/gatehouse/);
    assert.match(error.message, /3 attempts/);
    assert.ok(!error.message.includes('s3cret-pw'), error.message);
    return true;
  });
  assert.ok(Date.now() - started >= 150, `gave up after ${Date.now() - started} ms, before backing off`);
});

test('postgres: a database that does not exist fails at once, without retrying', async (t) => {
  if (!(await testBackends()).includes('postgres')) return t.skip('PostgreSQL is not reachable');
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = '/gatehouse_no_such_database';
  const started = Date.now();
  await assert.rejects(openStore(url.href, { connectAttempts: 5, connectRetryDelayMs: 2000 }), /\(1 attempt\).*does not exist/);
  assert.ok(Date.now() - started < 2000);
});

test('postgres: int8 columns come back as numbers', async (t) => {
  if (!(await testBackends()).includes('postgres')) return t.skip('PostgreSQL is not reachable');
  const store = await openStore(POSTGRES_ADMIN_URL, { poolSize: 2 });
  try {
    const { rows } = await sql<{ big: unknown; counted: unknown }>`select 1700000000::bigint as big, count(*) as counted from (values (1), (2)) v`.execute(
      (store as SqlStore).db,
    );
    assert.deepEqual(rows[0], { big: 1700000000, counted: 2 });
  } finally {
    await store.close();
  }
});

test('sqlite: opening a new database while another connection holds it waits for the WAL switch instead of failing', async () => {
  // SQLite never runs the busy handler for "journal_mode = WAL", so concurrent first opens used to fail at once
  // with "database is locked" (seen as a flaky migration race). Another thread holds its write lock for a moment.
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-open-'));
  const file = join(dir, 'gatehouse.db');
  const holder = new Worker(`
    const { parentPort, workerData } = require('node:worker_threads');
    const Sqlite = require(workerData.driver);
    const db = new Sqlite(workerData.file);
    db.exec('create table t (x)');
    db.exec('begin immediate'); db.exec('insert into t values (1)');
    parentPort.postMessage('locked');
    setTimeout(() => { db.exec('commit'); db.close(); parentPort.postMessage('released'); }, 300);
  `, { eval: true, workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') } });
  const messages = inbox(holder);
  try {
    assert.equal(await messages(), 'locked');
    const store = await openStore(`sqlite:${file}`);
    try {
      assert.equal(await messages(), 'released');
      const db = (store as SqlStore).db;
      assert.deepEqual((await sql.raw('pragma journal_mode').execute(db)).rows, [{ journal_mode: 'wal' }]);
    } finally {
      await store.close();
    }
  } finally {
    await holder.terminate();
    await rm(dir, { recursive: true, force: true });
  }
});

function inbox(worker: Worker): () => Promise<unknown> {
  const queued: unknown[] = [];
  const waiting: Array<(message: unknown) => void> = [];
  worker.on('message', (message) => (waiting.length ? waiting.shift()!(message) : queued.push(message)));
  return () => (queued.length ? Promise.resolve(queued.shift()) : new Promise((resolve) => waiting.push(resolve)));
}
