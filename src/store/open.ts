// Opens the store a database URL names: `sqlite:PATH` (or `sqlite::memory:`) or `postgres://...`.
import { redactUrl, sqlitePath } from '../config.js';
import { openPostgresStore, type PostgresOptions } from './postgres/connect.js';
import { openSqliteStore } from './sqlite/connect.js';
import type { Store } from './types.js';

export type OpenStoreOptions = PostgresOptions;

/**
 * Connects to the database; does not migrate (call store.migrate()). A SQLite file's folder is created.
 * PostgreSQL is retried with backoff while unreachable, then an Error names the URL with its password hidden.
 */
export async function openStore(databaseUrl: string, options: OpenStoreOptions = {}): Promise<Store> {
  if (databaseUrl.startsWith('sqlite:')) {
    if (databaseUrl === 'sqlite:') throw new Error('database URL "sqlite:" needs a file path, e.g. sqlite:./data/gatehouse.db');
    return openSqliteStore(sqlitePath(databaseUrl));
  }
  if (databaseUrl.startsWith('postgres://') || databaseUrl.startsWith('postgresql://')) {
    return openPostgresStore(databaseUrl, options);
  }
  throw new Error(`database URL must start with sqlite: or postgres://, got "${redactUrl(databaseUrl)}"`);
}
