// Client assertions seen (private_key_jwt): an insert that a duplicate (client_id, jti) refuses, on both backends.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { DuplicateError, rethrowDuplicate } from '../errors.js';

export async function recordClientAssertion(db: Kysely<Database>, clientId: string, jti: string, expiresAt: number): Promise<boolean> {
  try {
    await db.insertInto('client_assertions').values({ client_id: clientId, jti, expires_at: expiresAt }).execute().catch(rethrowDuplicate);
    return true;
  } catch (error) {
    if (error instanceof DuplicateError) return false;
    throw error;
  }
}
