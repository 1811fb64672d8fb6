// Runs a suite once per store backend: SQLite always, PostgreSQL when reachable (always in CI).
import { describe } from 'node:test';
import pg from 'pg';
import Database from 'better-sqlite3';
import { testBackends, type BackendName } from './databases.js';

export async function describeOnBackends(title: string, body: (backend: BackendName) => void, options: { skip?: string | false } = {}): Promise<void> {
  const backends = options.skip ? (['sqlite'] as BackendName[]) : await testBackends();
  for (const backend of backends) describe(`${title} [${backend}]`, { skip: options.skip }, () => body(backend));
}

/** Every row of every table, as text: for tests that check what is (not) stored in clear. */
export async function dumpDatabase(url: string): Promise<string> {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length), { readonly: true });
    try {
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      return tables.map(({ name }) => JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all())).join('\n');
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ tablename: string }>("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    const dumps: string[] = [];
    for (const { tablename } of tables.rows) dumps.push(JSON.stringify((await client.query(`SELECT * FROM "${tablename}"`)).rows));
    return dumps.join('\n');
  } finally {
    await client.end();
  }
}
