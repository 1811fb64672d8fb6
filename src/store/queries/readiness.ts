// The readiness probe's write: one row, upserted with a fresh nonce and read back in the same transaction.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { Database } from '../schema.js';

/** The probe's only row. */
export const PROBE_ROW_ID = 'probe';

export function probeNonce(): string {
  return randomBytes(8).toString('hex');
}

export async function probeWrite(db: Kysely<Database>, dialect: Dialect, now: number, waitMs: number): Promise<void> {
  const nonce = probeNonce();
  await db.transaction().execute(async (trx) => {
    await dialect.boundWait(trx, waitMs);
    await trx
      .insertInto('readiness_probe')
      .values({ id: PROBE_ROW_ID, nonce, checked_at: now })
      .onConflict((conflict) => conflict.column('id').doUpdateSet({ nonce, checked_at: now }))
      .execute();
    const row = await trx.selectFrom('readiness_probe').select('nonce').where('id', '=', PROBE_ROW_ID).executeTakeFirst();
    if (row?.nonce !== nonce) throw new Error('the readiness probe did not read back the row it wrote');
  });
}
