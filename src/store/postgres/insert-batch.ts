// Many small inserts into one table, issued in the same event-loop turn, become one multi-row INSERT: one round
// trip and one commit (one WAL flush) instead of one each. Every caller is answered after that commit. If the
// batch fails (a duplicate key, a client deleted meanwhile), each row is retried on its own, so each caller
// gets its own outcome and no row is lost or written twice.
import type pg from 'pg';

interface Pending {
  values: unknown[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most rows per statement: PostgreSQL takes at most 65535 parameters. */
const MAX_ROWS_PER_STATEMENT = 500;

export class InsertBatcher {
  private pending: Pending[] = [];
  private scheduled = false;

  /** `columns` with their SQL types, e.g. [['id', 'text'], ['created_at', 'bigint']]. */
  constructor(
    private readonly pool: pg.Pool,
    private readonly table: string,
    private readonly columns: readonly (readonly [string, string])[],
  ) {}

  insert(values: unknown[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ values, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (let start = 0; start < batch.length; start += MAX_ROWS_PER_STATEMENT) {
      void this.write(batch.slice(start, start + MAX_ROWS_PER_STATEMENT));
    }
  }

  private statement(rows: number): string {
    const width = this.columns.length;
    const tuples = Array.from({ length: rows }, (_, row) =>
      `(${this.columns.map(([, type], column) => `$${row * width + column + 1}::${type}`).join(', ')})`);
    return `INSERT INTO ${this.table} (${this.columns.map(([name]) => name).join(', ')}) VALUES ${tuples.join(', ')}`;
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      // Named per row count, so each connection plans each shape once (shapes are few: bursts repeat in size).
      await this.pool.query({ name: batch.length <= 64 ? `gh_batch_${this.table}_${batch.length}` : undefined, text: this.statement(batch.length), values: batch.flatMap((entry) => entry.values) } as pg.QueryConfig);
      batch.forEach((entry) => entry.resolve());
    } catch (error) {
      if (batch.length === 1) {
        batch[0]!.reject(error);
        return;
      }
      // One bad row fails the statement: try each alone, so only its own caller sees the error.
      await Promise.all(batch.map((entry) => this.write([entry])));
    }
  }
}
