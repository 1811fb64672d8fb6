// Fresh, empty databases for tests that must pass on every store backend.
//
//   for (const backend of await testBackends()) {
//     test(`... (${backend})`, async () => {
//       const db = await createTestDatabase(backend);      // { name, url, drop() }
//       const store = await openStore(db.url);
//       try { await store.migrate(); ... } finally { await store.close(); await db.drop(); }
//     });
//   }
//
// SQLite is always tested (a file in a new temporary folder). PostgreSQL is tested when reachable at
// GATEHOUSE_TEST_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/test): each database is created
// from that one, named gatehouse_test_<pid>_<random>, and dropped by drop(). When PostgreSQL is not
// reachable its tests are skipped with a loud warning, unless CI is set, in which case that is an error.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { redactUrl } from '../../src/config.js';

export type BackendName = 'sqlite' | 'postgres';

export interface TestDatabase {
  name: BackendName;
  /** A GATEHOUSE_DATABASE_URL for it. */
  url: string;
  /** Removes the database (and its files); safe to call twice. */
  drop(): Promise<void>;
}

export const POSTGRES_ADMIN_URL = process.env.GATEHOUSE_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

let postgresReachable: Promise<boolean> | undefined;

async function checkPostgres(): Promise<boolean> {
  try {
    await withAdmin((client) => client.query('select 1'));
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    if (process.env.CI) throw new Error(`PostgreSQL is required when CI is set, but ${redactUrl(POSTGRES_ADMIN_URL)} is unreachable: ${reason}`);
    const line = '!'.repeat(100);
    console.warn(`\n${line}\n!! SKIPPING POSTGRESQL TESTS: ${redactUrl(POSTGRES_ADMIN_URL)} is unreachable (${reason}).\n!! Only SQLite was tested. Set GATEHOUSE_TEST_POSTGRES_URL, or CI=1 to make this an error.\n${line}\n`);
    return false;
  }
}

/** The backends to run against: ['sqlite', 'postgres'], or ['sqlite'] when PostgreSQL is unreachable outside CI. */
export async function testBackends(): Promise<BackendName[]> {
  postgresReachable ??= checkPostgres();
  return (await postgresReachable) ? ['sqlite', 'postgres'] : ['sqlite'];
}

/** A new, empty (unmigrated) database on `backend`. */
export async function createTestDatabase(backend: BackendName): Promise<TestDatabase> {
  if (backend === 'sqlite') {
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-test-'));
    return { name: 'sqlite', url: `sqlite:${join(dir, 'gatehouse.db')}`, drop: () => rm(dir, { recursive: true, force: true }) };
  }
  const database = `gatehouse_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`create database "${database}"`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${database}`;
  return {
    name: 'postgres',
    url: url.href,
    // FORCE: a test that failed half-way may leave connections open.
    drop: () => withAdmin((client) => client.query(`drop database if exists "${database}" with (force)`)).then(() => undefined),
  };
}

/** One fresh database on each available backend. */
export async function testDatabases(): Promise<TestDatabase[]> {
  return Promise.all((await testBackends()).map(createTestDatabase));
}
