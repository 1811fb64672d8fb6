// PostgreSQL through a pg Pool. Waits for the server at start (containers often start together) and
// reads int8 columns (our epoch-second times, counts) as JS numbers.
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { redactUrl } from '../../config.js';
import { postgresDialect } from '../dialect.js';
import type { Database } from '../schema.js';
import { SqlStore } from '../sql-store.js';
import { PostgresTokenFlows } from './token-flows.js';

export interface PostgresOptions {
  /** Most connections the pool opens (default 10; at least 2, since migrate() holds one for its lock). */
  poolSize?: number;
  /** Tries to reach the server at start before giving up (default 5). */
  connectAttempts?: number;
  /** Wait before the first retry, doubled each time (default 625 ms: 5 tries span about 10 s). */
  connectRetryDelayMs?: number;
}

function int8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 value ${text} does not fit a JS number`);
  return value;
}

// Per pool, not pg.types.setTypeParser: a global change would alter other pg users in the same process.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary' ? int8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** Errors that waiting will not fix: bad credentials (SQLSTATE class 28), no such database (3D000). */
function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('28') || code === '3D000');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitForServer(pool: pg.Pool, url: string, attempts: number, firstDelayMs: number): Promise<void> {
  let delay = firstDelayMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await pool.query('select 1');
      return;
    } catch (error) {
      if (attempt >= attempts || isPermanent(error)) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)} (${attempt} attempt${attempt === 1 ? '' : 's'}): ${reason}`, {
          cause: error,
        });
      }
      await sleep(delay);
      delay *= 2;
    }
  }
}

export async function openPostgresStore(url: string, options: PostgresOptions = {}): Promise<SqlStore> {
  const pool = new pg.Pool({ connectionString: url, max: Math.max(2, options.poolSize ?? 10), types });
  // An idle connection that breaks (server restart) is dropped by the pool; without a listener Node would
  // treat the emitted error as fatal. The next query reports a real problem.
  pool.on('error', () => {});
  try {
    await waitForServer(pool, url, Math.max(1, options.connectAttempts ?? 5), options.connectRetryDelayMs ?? 625);
  } catch (error) {
    await pool.end();
    throw error;
  }
  return new SqlStore(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), postgresDialect, new PostgresTokenFlows(pool));
}
