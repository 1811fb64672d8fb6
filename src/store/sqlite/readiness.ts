// The readiness probe on SQLite. busy_timeout belongs to the connection and cannot be set from inside a
// transaction, so the shared probe (queries/readiness.ts) cannot bound its wait here: this one runs synchronously
// on the shared connection once it is free (no await inside, so nothing else runs on it meanwhile) and shortens
// busy_timeout for this transaction alone.
import type Sqlite from 'better-sqlite3';
import type { AdminWrites } from '../administration.js';
import { PROBE_ROW_ID, probeNonce } from '../queries/readiness.js';
import type { ReadinessProbeTable } from '../schema.js';
import { READINESS_WAIT_MS } from '../sql-store.js';
import type { SqliteConnectionGate } from './write-batch.js';

/** The probe's statements, prepared on first use (the table exists only after migrate()). */
const prepareStatements = (database: Sqlite.Database) => ({
  upsert: database.prepare<[string, string, number]>(
    'INSERT INTO readiness_probe (id, nonce, checked_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET nonce = excluded.nonce, checked_at = excluded.checked_at',
  ),
  readBack: database.prepare<[string], Pick<ReadinessProbeTable, 'nonce'>>('SELECT nonce FROM readiness_probe WHERE id = ?'),
});

export class SqliteReadiness implements Pick<AdminWrites, 'probeWrite'> {
  private prepared: ReturnType<typeof prepareStatements> | undefined;

  constructor(
    private readonly database: Sqlite.Database,
    private readonly gate: SqliteConnectionGate,
  ) {}

  probeWrite(now: number): Promise<void> {
    return this.gate.read(() => {
      const statements = (this.prepared ??= prepareStatements(this.database));
      const nonce = probeNonce();
      const busyTimeout = this.database.pragma('busy_timeout', { simple: true }) as number;
      this.database.pragma(`busy_timeout = ${READINESS_WAIT_MS}`);
      try {
        this.database
          .transaction(() => {
            statements.upsert.run(PROBE_ROW_ID, nonce, now);
            if (statements.readBack.get(PROBE_ROW_ID)?.nonce !== nonce) throw new Error('the readiness probe did not read back the row it wrote');
          })
          .immediate();
      } finally {
        this.database.pragma(`busy_timeout = ${busyTimeout}`);
      }
    });
  }
}
