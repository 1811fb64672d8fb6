// Pushed authorization requests (PushedRequestStore, pushed-requests.ts), shared by both backends. The consuming
// UPDATE is the claim: of racing uses of one request_uri exactly one changes the row.
import type { Kysely } from 'kysely';
import { pushedRequestRecord, pushedRequestRow } from '../rows.js';
import type { Database } from '../schema.js';
import type { ConsumePushedRequestResult, PushedRequestRecord } from '../types.js';

type Db = Kysely<Database>;

export async function savePushedRequest(db: Db, record: PushedRequestRecord): Promise<void> {
  await db.insertInto('pushed_requests').values(pushedRequestRow(record)).execute();
}

export async function consumePushedRequest(db: Db, requestHash: string, clientId: string, now: number): Promise<ConsumePushedRequestResult> {
  const claimed = await db
    .updateTable('pushed_requests')
    .set({ used_at: now })
    .where('request_hash', '=', requestHash)
    .where('client_id', '=', clientId)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returningAll()
    .executeTakeFirst();
  if (claimed) return { ok: true, request: pushedRequestRecord(claimed) };
  // Only to say why: the row is not changed.
  const row = await db.selectFrom('pushed_requests').select(['client_id', 'used_at', 'expires_at']).where('request_hash', '=', requestHash).executeTakeFirst();
  if (!row || row.client_id !== clientId) return { ok: false, reason: 'unknown' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}
