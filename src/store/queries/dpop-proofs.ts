// DPoP proofs seen: an insert that a duplicate (jkt, jti) refuses, on both backends.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { DuplicateError, rethrowDuplicate } from '../errors.js';

export async function recordDpopProof(db: Kysely<Database>, jkt: string, jti: string, expiresAt: number): Promise<boolean> {
  try {
    await db.insertInto('dpop_proofs').values({ jkt, jti, expires_at: expiresAt }).execute().catch(rethrowDuplicate);
    return true;
  } catch (error) {
    if (error instanceof DuplicateError) return false;
    throw error;
  }
}
