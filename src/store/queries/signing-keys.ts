// Signing keys: the published set, and rotation that leaves exactly one active key per algorithm.
import type { Kysely } from 'kysely';
import type { Dialect } from '../dialect.js';
import { toDuplicateError } from '../errors.js';
import { signingKeyRecord, signingKeyRow } from '../rows.js';
import type { Database } from '../schema.js';
import { inTransaction } from '../transaction.js';
import type { SigningKeyRecord } from '../types.js';

type Db = Kysely<Database>;

/** Keys still published: active ones and retired ones not yet past expires_at. Newest first. */
export async function listSigningKeys(db: Db, now: number): Promise<SigningKeyRecord[]> {
  const rows = await db
    .selectFrom('signing_keys')
    .selectAll()
    .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map(signingKeyRecord);
}

export async function insertSigningKey(db: Db, key: SigningKeyRecord): Promise<void> {
  await db.insertInto('signing_keys').values(signingKeyRow(key)).execute();
}

export async function rotateSigningKey(
  db: Db,
  dialect: Dialect,
  key: SigningKeyRecord,
  retiredUntil: number,
  onlyIfNone: boolean,
): Promise<boolean> {
  try {
    return await inTransaction(db, async (trx) => {
      // Serialise rotations of this algorithm, so the read below sees the outcome of any rotation before it.
      await dialect.lockSigningKeys(trx, key.alg);
      const active = await trx
        .selectFrom('signing_keys')
        .select('kid')
        .where('alg', '=', key.alg)
        .where('retired_at', 'is', null)
        .executeTakeFirst();
      if (active && onlyIfNone) return false;
      if (active) {
        await trx
          .updateTable('signing_keys')
          .set({ retired_at: key.createdAt, expires_at: retiredUntil })
          .where('alg', '=', key.alg)
          .where('retired_at', 'is', null)
          .execute();
      }
      await trx.insertInto('signing_keys').values(signingKeyRow({ ...key, retiredAt: null, expiresAt: null })).execute();
      return true;
    });
  } catch (error) {
    // The partial unique index (one active key per alg) caught a writer that bypassed the lock, such as
    // insertSigningKey: with onlyIfNone that means "there is one now", which is what the caller wanted.
    if (onlyIfNone && toDuplicateError(error)?.field === 'alg') return false;
    throw error;
  }
}
