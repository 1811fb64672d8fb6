// Where SQLite and PostgreSQL differ, named in one place. Everything else (queries, migrations) is shared.
//
//   locking      SQLite: every write transaction is BEGIN IMMEDIATE (sqlite/connect.ts), so writers queue on
//                the database lock (busy_timeout) and a transaction never has to upgrade a read lock; and
//                Kysely is told SQLite has transactional DDL, so a migration run is one such transaction.
//                PostgreSQL: READ COMMITTED plus the explicit locks below and row locks taken by UPDATE.
//   time columns bigint in both (schema.ts); pg returns int8 as a string, so postgres/connect.ts parses it.
//   errors       unique violations have different shapes per driver (errors.ts).
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from './schema.js';
import type { SigningAlg } from './types.js';

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  /** Runs a whole migration so that no other process migrates the same database at the same time. */
  withMigrationLock<T>(db: Kysely<Database>, run: () => Promise<T>): Promise<T>;
  /** Within `trx`, waits until no other transaction is rotating the signing key of `alg`. */
  lockSigningKeys(trx: Transaction<Database>, alg: SigningAlg): Promise<void>;
  /** Within `trx`, gives up on a lock after `ms` (and on any statement after twice that) instead of waiting on. */
  boundWait(trx: Transaction<Database>, ms: number): Promise<void>;
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  // Kysely runs the migrations in one transaction (sqlite/connect.ts tells it SQLite can), and ours begin
  // IMMEDIATE: that is the lock. Creating Kysely's bookkeeping tables before it is idempotent (IF NOT EXISTS).
  withMigrationLock: (_db, run) => run(),
  // BEGIN IMMEDIATE already holds the database's only write lock.
  lockSigningKeys: async () => {},
  // The wait for the write lock is the connection's busy_timeout, taken before the transaction begins: the SQLite
  // store sets it around its own probe (sqlite/readiness.ts); nothing can be set from inside.
  boundWait: async () => {},
};

// Arbitrary constant advisory-lock key for migrations (pg advisory locks share one key space per database).
const MIGRATION_LOCK_KEY = 0x6761_7465; // "gate"

export const postgresDialect: Dialect = {
  name: 'postgres',
  // Kysely's migrator locks only around running the migrations; creating its own tables before that can
  // race between instances. A session lock held on one pooled connection around the whole run closes that
  // gap (the migrator uses other pool connections, so the pool needs two; see postgres/connect.ts).
  async withMigrationLock(db, run) {
    return db.connection().execute(async (conn) => {
      await sql`select pg_advisory_lock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      try {
        return await run();
      } finally {
        await sql`select pg_advisory_unlock(${sql.lit(MIGRATION_LOCK_KEY)})`.execute(conn);
      }
    });
  },
  // A transaction-scoped lock per algorithm: it also serialises the case with no active key yet, where
  // SELECT ... FOR UPDATE would have no row to lock. Released at commit or rollback.
  async lockSigningKeys(trx, alg) {
    await sql`select pg_advisory_xact_lock(hashtext(${'gatehouse:signing-key:' + alg}))`.execute(trx);
  },
  // Transaction-local: the pooled connection goes back with its own settings. The statement timeout is the longer,
  // so a lock held elsewhere is reported as such (55P03) rather than as a slow statement (57014).
  async boundWait(trx, ms) {
    await sql`select set_config('lock_timeout', ${`${ms}ms`}, true), set_config('statement_timeout', ${`${2 * ms}ms`}, true)`.execute(trx);
  },
};
