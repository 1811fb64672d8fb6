// SQLite through better-sqlite3: one connection per process (Kysely queues queries on it), in WAL mode so
// readers in other processes (the CLI beside a running server) never block on the writer.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Sqlite from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver, type SqliteDatabase } from 'kysely';
import { sqliteDialect } from '../dialect.js';
import type { Database } from '../schema.js';
import { SqlStore } from '../sql-store.js';
import { SqliteReadiness } from './readiness.js';
import { SqliteTokenFlows } from './token-flows.js';
import { SqliteConnectionGate } from './write-batch.js';
import { withStatementCache } from './statement-cache.js';
import { WalSync, withGroupSync } from './group-sync.js';
import type { Store } from '../types.js';

/** How long a writer waits for another process's write lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5000;

/**
 * Write transactions begin IMMEDIATE: they take the write lock up front, waiting up to busy_timeout for it.
 * A plain (deferred) BEGIN that reads first and writes later would fail at once with SQLITE_BUSY when
 * another process wrote in between, because SQLite cannot upgrade a stale read snapshot.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does run DDL in transactions, but Kysely's adapter says it does not, so its migrator would run
 * migrations bare: two processes migrating at once would both create the tables, and a failed migration
 * would be left half-applied. Saying yes makes each run one (IMMEDIATE, hence exclusive) transaction.
 */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #database: SqliteDatabase;
  constructor(database: SqliteDatabase) {
    super({ database });
    this.#database = database;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.#database });
  }
  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Puts the file in WAL mode. SQLite never runs the busy handler for this switch (it needs the file to
 * itself), so several processes opening a new database at once would fail with "database is locked":
 * retry with backoff within the busy timeout instead. WAL is kept in the file, so once any opener has
 * switched it the others find it done and take no lock at all.
 */
function switchToWal(database: Sqlite.Database): void {
  // A real lock wait measured in real time, not a time decision: the injected clock does not apply.
  // Real elapsed time against another process's lock (not a time decision): the monotonic clock, not the injectable one.
  const deadline = performance.now() + SQLITE_BUSY_TIMEOUT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      if (database.pragma('journal_mode', { simple: true }) === 'wal') return;
      if (database.pragma('journal_mode = WAL', { simple: true }) === 'wal') return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
    }
    // The switch can also be refused without an error: the answer is then the old mode.
    if (performance.now() >= deadline) throw new Error(`could not switch the SQLite database to WAL mode: another process kept it locked for ${SQLITE_BUSY_TIMEOUT_MS} ms`);
    // Opening is synchronous (better-sqlite3), so the wait is too; it happens only while another opener holds the file.
    Atomics.wait(pause, 0, 0, wait);
  }
}

/** Opens (creating if needed) the SQLite database at `path`, or an in-memory one for ':memory:'. */
export function openSqliteStore(path: string): Store {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  // The busy timeout first: switching to WAL needs a lock that another process may hold for a moment.
  const database = new Sqlite(path, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  if (path !== ':memory:') switchToWal(database);
  database.pragma('foreign_keys = ON');
  // Token tables are keyed by random values, so inserts land all over their B-trees: a 32 MiB page cache (the
  // default is 2 MiB) keeps their inner pages in memory instead of rereading them from the OS on every write.
  database.pragma('cache_size = -32768');
  const kysely = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(withStatementCache(database)) });
  // The flows' own statements run on the connection Kysely also uses, taking turns with its transactions (write-batch.ts).
  const gate = new SqliteConnectionGate(database, (work) => kysely.connection().execute(async () => work()));
  const store = new SqlStore(kysely, sqliteDialect, new SqliteTokenFlows(database, gate), new SqliteReadiness(database, gate));
  if (path === ':memory:') return store;
  // NORMAL writes commits to the WAL without waiting for the disk; withGroupSync then makes every write wait for
  // a shared fsync of the WAL before it returns, so a token that was answered survives a power loss too.
  database.pragma('synchronous = NORMAL');
  // The WAL file is opened for syncing on the first write, after which it exists while this connection is open.
  return withGroupSync(store, new WalSync(`${path}-wal`));
}
