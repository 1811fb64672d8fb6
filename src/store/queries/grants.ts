// Revocation (shared by the token flows and administration) and listing grants for people. The flows that issue
// tokens are each backend's own (sqlite/token-flows.ts, postgres/token-flows.ts); they take a grant's row lock
// first, as revokeGrant does, so a rotation racing a revocation either finishes first (and its new tokens are
// revoked with the rest) or sees the grant revoked.
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { grantRecord } from '../rows.js';
import type { Database } from '../schema.js';
import { affected, inTransaction } from '../transaction.js';
import type { GrantSummary } from '../types.js';

type Db = Kysely<Database>;

/** Revokes one access token; a second call keeps the first time. */
export async function revokeAccessToken(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}

/** Marks every still-live token of the grants `grantIds` selects as revoked at `now`. */
async function revokeTokensOf(
  trx: Transaction<Database>,
  now: number,
  grantIds: SelectQueryBuilder<Database, 'grants', { id: string }>,
): Promise<void> {
  await trx.updateTable('access_tokens').set({ revoked_at: now }).where('grant_id', 'in', grantIds).where('revoked_at', 'is', null).execute();
  await trx.updateTable('refresh_tokens').set({ revoked_at: now }).where('grant_id', 'in', grantIds).where('revoked_at', 'is', null).execute();
}

/**
 * True when the grant exists (revoked now, or already before: the first revocation's time and reason are
 * kept). Its tokens are marked in the same transaction; reads also consult the grant (rows.ts).
 * With `forgetConsent`, the user's remembered consent for the grant's client goes in the same transaction.
 */
export async function revokeGrant(db: Db, id: string, now: number, reason: string, forgetConsent = false): Promise<boolean> {
  return inTransaction(db, async (trx) => {
    // The grant row first: the lock order the token flows rely on.
    await trx
      .updateTable('grants')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const found = await trx.selectFrom('grants').select(['user_id', 'client_id']).where('id', '=', id).executeTakeFirst();
    if (!found) return false;
    await revokeTokensOf(trx, now, trx.selectFrom('grants').select('id').where('id', '=', id));
    if (forgetConsent && found.user_id !== null) {
      await trx.deleteFrom('consents').where('user_id', '=', found.user_id).where('client_id', '=', found.client_id).execute();
    }
    return true;
  });
}

/** Revokes all of a user's grants for one client and forgets the consent; returns how many grants it revoked. */
export async function revokeClientAccess(db: Db, userId: string, clientId: string, now: number, reason: string): Promise<number> {
  return inTransaction(db, async (trx) => {
    const revoked = await trx
      .updateTable('grants')
      .set({ revoked_at: now, revoked_reason: reason })
      .where('user_id', '=', userId)
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    await revokeTokensOf(trx, now, trx.selectFrom('grants').select('id').where('user_id', '=', userId).where('client_id', '=', clientId));
    await trx.deleteFrom('consents').where('user_id', '=', userId).where('client_id', '=', clientId).execute();
    return affected(revoked);
  });
}

export async function listGrants(
  db: Db,
  filter: { userId?: string; clientId?: string; includeRevoked?: boolean },
): Promise<GrantSummary[]> {
  let query = db
    .selectFrom('grants as g')
    .innerJoin('clients as c', 'c.client_id', 'g.client_id')
    .leftJoin('users as u', 'u.id', 'g.user_id')
    .selectAll('g')
    .select(['c.name as client_name', 'u.username as username']);
  if (filter.userId !== undefined) query = query.where('g.user_id', '=', filter.userId);
  if (filter.clientId !== undefined) query = query.where('g.client_id', '=', filter.clientId);
  if (!filter.includeRevoked) query = query.where('g.revoked_at', 'is', null);
  const rows = await query.orderBy('g.created_at', 'desc').orderBy('g.id', 'desc').execute();
  return rows.map(({ client_name, username, ...grant }) => ({ ...grantRecord(grant), clientName: client_name, username }));
}
