// Group transactions for SQLite. Every commit writes its pages to the WAL; the token endpoint's writes are small
// and many, so those issued in the same event-loop turn run in one transaction, each inside its own savepoint:
// one that fails or gives up is undone alone, and every caller still gets its own result or error. Callers are
// answered only after the commit (and, through withGroupSync, after the WAL is on disk).
import type Sqlite from 'better-sqlite3';

/** Thrown by an operation to undo its own writes and still resolve with `result`. */
export class RollBackWith<T> {
  constructor(readonly result: T) {}
}

interface Queued {
  operation: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Runs synchronous better-sqlite3 work on the connection Kysely also uses. Kysely holds the connection across
 * the awaits of its own transactions; while one is open, work waits for it through `exclusive` (Kysely's
 * connection lock) instead of running inside it.
 */
export class SqliteConnectionGate {
  private queue: Queued[] = [];
  private scheduled = false;
  private readonly begin: Sqlite.Statement;
  private readonly commit: Sqlite.Statement;
  private readonly rollback: Sqlite.Statement;
  private readonly savepoint: Sqlite.Statement;
  private readonly release: Sqlite.Statement;
  private readonly rollbackToSavepoint: Sqlite.Statement;

  constructor(
    private readonly database: Sqlite.Database,
    private readonly exclusive: <T>(work: () => T) => Promise<T>,
  ) {
    this.begin = database.prepare('BEGIN IMMEDIATE');
    this.commit = database.prepare('COMMIT');
    this.rollback = database.prepare('ROLLBACK');
    this.savepoint = database.prepare('SAVEPOINT gatehouse_op');
    this.release = database.prepare('RELEASE gatehouse_op');
    this.rollbackToSavepoint = database.prepare('ROLLBACK TO gatehouse_op');
  }

  /** A read: at once when no transaction is open on the connection, else after it. */
  read<T>(work: () => T): Promise<T> {
    if (this.database.inTransaction) return this.exclusive(work);
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** A write, committed with the others queued in this turn. */
  write<T>(operation: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ operation, resolve: resolve as (value: unknown) => void, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (this.database.inTransaction) {
      this.exclusive(() => this.runBatch(batch)).catch((error: unknown) => batch.forEach((queued) => queued.reject(error)));
    } else {
      this.runBatch(batch);
    }
  }

  private runBatch(batch: Queued[]): void {
    const rejectAll = (error: unknown): void => batch.forEach((queued) => queued.reject(error));
    try {
      this.begin.run();
    } catch (error) {
      rejectAll(error);
      return;
    }
    const outcomes: Outcome[] = [];
    try {
      for (const queued of batch) {
        this.savepoint.run();
        try {
          const value = queued.operation();
          this.release.run();
          outcomes.push({ ok: true, value });
        } catch (thrown) {
          // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then nothing in it stands,
          // and every caller of the batch must hear so, not only this one.
          if (!this.database.inTransaction) throw thrown;
          this.rollbackToSavepoint.run();
          this.release.run();
          outcomes.push(thrown instanceof RollBackWith ? { ok: true, value: thrown.result } : { ok: false, error: thrown });
        }
      }
      this.commit.run();
    } catch (error) {
      if (this.database.inTransaction) {
        try {
          this.rollback.run();
        } catch {
          // The error being reported matters more than a failed rollback; SQLite rolls back on close anyway.
        }
      }
      rejectAll(error);
      return;
    }
    batch.forEach((queued, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) queued.resolve(outcome.value);
      else queued.reject(outcome.error);
    });
  }
}
