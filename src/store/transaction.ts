// One transaction around a multi-step change, with a way to give up and still return a result.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

class Rollback<T> {
  constructor(readonly result: T) {}
}

/**
 * Runs `work` in a transaction. Calling `rollback(result)` undoes everything written so far and makes
 * inTransaction return `result`; any other exception rolls back and propagates.
 */
export async function inTransaction<T>(
  db: Kysely<Database>,
  work: (trx: Transaction<Database>, rollback: (result: T) => never) => Promise<T>,
): Promise<T> {
  const rollback = (result: T): never => {
    throw new Rollback(result);
  };
  try {
    return await db.transaction().execute((trx) => work(trx, rollback));
  } catch (error) {
    if (error instanceof Rollback) return error.result as T;
    throw error;
  }
}

/** Rows a write touched, as a number (Kysely reports bigint). */
export const affected = (result: { numUpdatedRows?: bigint; numDeletedRows?: bigint } | undefined): number =>
  Number(result?.numUpdatedRows ?? result?.numDeletedRows ?? 0n);
