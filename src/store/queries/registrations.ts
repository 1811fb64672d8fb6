// Dynamic client registration: initial access tokens, spent atomically with the client's creation, and the mark
// that a registered client was used. Written once over Kysely for both backends.
import type { Kysely, Selectable } from 'kysely';
import { clientRow } from '../rows.js';
import type { Database, InitialAccessTokensTable } from '../schema.js';
import { affected, inTransaction } from '../transaction.js';
import type { ClientRecord, InitialAccessTokenRecord } from '../types.js';

type Db = Kysely<Database>;

function tokenRecord(r: Selectable<InitialAccessTokensTable>): InitialAccessTokenRecord {
  return {
    id: r.id,
    tokenHash: r.token_hash,
    createdAt: Number(r.created_at),
    expiresAt: Number(r.expires_at),
    maxUses: r.max_uses === null ? null : Number(r.max_uses),
    uses: Number(r.uses),
  };
}

export async function createInitialAccessToken(db: Db, token: InitialAccessTokenRecord): Promise<void> {
  await db
    .insertInto('initial_access_tokens')
    .values({ id: token.id, token_hash: token.tokenHash, created_at: token.createdAt, expires_at: token.expiresAt, max_uses: token.maxUses, uses: token.uses })
    .execute();
}

export async function deleteInitialAccessToken(db: Db, id: string): Promise<boolean> {
  return affected(await db.deleteFrom('initial_access_tokens').where('id', '=', id).executeTakeFirst()) > 0;
}

export async function listInitialAccessTokens(db: Db): Promise<InitialAccessTokenRecord[]> {
  const rows = await db.selectFrom('initial_access_tokens').selectAll().orderBy('created_at').orderBy('id').execute();
  return rows.map(tokenRecord);
}

export async function findInitialAccessToken(db: Db, tokenHash: string): Promise<InitialAccessTokenRecord | undefined> {
  const row = await db.selectFrom('initial_access_tokens').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  return row && tokenRecord(row);
}

export async function registerClient(db: Db, client: ClientRecord, initialTokenHash: string | null, now: number): Promise<boolean> {
  return inTransaction(db, async (trx, rollback) => {
    if (initialTokenHash !== null) {
      // One conditional update: of two racing registrations on a token's last use, one updates a row, the other none.
      const spent = await trx
        .updateTable('initial_access_tokens')
        .set((eb) => ({ uses: eb('uses', '+', 1) }))
        .where('token_hash', '=', initialTokenHash)
        .where('expires_at', '>', now)
        .where((eb) => eb.or([eb('max_uses', 'is', null), eb('uses', '<', eb.ref('max_uses'))]))
        .executeTakeFirst();
      if (affected(spent) === 0) return rollback(false);
    }
    await trx.insertInto('clients').values(clientRow(client)).execute();
    return true;
  });
}

export async function markClientUsed(db: Db, clientId: string): Promise<void> {
  await db.updateTable('clients').set({ unused_until: null }).where('client_id', '=', clientId).where('unused_until', 'is not', null).execute();
}
