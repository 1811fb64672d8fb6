// Logout's storage on both backends: ending a session and queueing its back-channel notifications in one
// transaction, and the queue of deliveries the sender drains (see logout.ts for the contract).
import type { Kysely, Selectable, Transaction } from 'kysely';
import { logoutDeliveryRecord, sessionRecord } from '../rows.js';
import type { Database, SessionsTable } from '../schema.js';
import { inTransaction } from '../transaction.js';
import type { EndedSession, LogoutDeliveryRecord } from '../types.js';

type Db = Kysely<Database>;
type Trx = Transaction<Database>;

export async function endSession(db: Db, by: { idHash: string } | { sid: string }, now: number): Promise<EndedSession | undefined> {
  return inTransaction<EndedSession | undefined>(db, async (trx) => {
    const found = 'idHash' in by
      ? await trx.selectFrom('sessions').selectAll().where('id_hash', '=', by.idHash).executeTakeFirst()
      : await trx.selectFrom('sessions').selectAll().where('sid', '=', by.sid).executeTakeFirst();
    return found && (await endOne(trx, found, now));
  });
}

/** Every session of a user (a password change), each ended as endSession ends one; how many there were. */
export async function endUserSessions(db: Db, userId: string, now: number): Promise<number> {
  return inTransaction<number>(db, async (trx) => {
    const sessions = await trx.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
    let ended = 0;
    for (const session of sessions) if (await endOne(trx, session, now)) ended++;
    return ended;
  });
}

/**
 * Deletes a user (cascading to everything of theirs) after ending each of their sessions as endSession does, in one
 * transaction: the clients are told (a delivery names the user by id and needs no user row).
 */
export async function deleteUserEndingSessions(db: Db, userId: string, now: number): Promise<boolean> {
  return inTransaction<boolean>(db, async (trx) => {
    const sessions = await trx.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();
    for (const session of sessions) await endOne(trx, session, now);
    const deleted = await trx.deleteFrom('users').where('id', '=', userId).executeTakeFirst();
    return Number(deleted.numDeletedRows) > 0;
  });
}

/** Ends one session read in this transaction: its client list, the delete, the deliveries. */
async function endOne(trx: Trx, found: Selectable<SessionsTable>, now: number): Promise<EndedSession | undefined> {
  // The client list goes with the session (ON DELETE CASCADE), so it is read first.
  const sid = found.sid;
  const clients = sid === null
    ? []
    : await trx
        .selectFrom('session_clients as s')
        .innerJoin('clients as c', 'c.client_id', 's.client_id')
        .select(['s.client_id', 'c.backchannel_logout_uri'])
        .where('s.sid', '=', sid)
        .orderBy('s.created_at')
        .orderBy('s.client_id')
        .execute();
  // The delete decides: of two racing logouts of one session, only the one that deletes it notifies.
  const deleted = await trx.deleteFrom('sessions').where('id_hash', '=', found.id_hash).returningAll().executeTakeFirst();
  if (!deleted) return undefined;
  const notified = clients.filter((client) => client.backchannel_logout_uri !== null);
  if (sid !== null && notified.length > 0) {
    await trx
      .insertInto('logout_deliveries')
      .values(notified.map((client) => ({
        sid,
        client_id: client.client_id,
        user_id: deleted.user_id,
        created_at: now,
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
      })))
      // The same session cannot end twice, but a sid is only as unique as its randomness: never fail a logout on it.
      .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing())
      .execute();
  }
  return { session: sessionRecord(deleted), clientIds: clients.map((client) => client.client_id) };
}

export async function leaseLogoutDeliveries(db: Db, now: number, leaseUntil: number, limit: number): Promise<LogoutDeliveryRecord[]> {
  const due = await db
    .selectFrom('logout_deliveries')
    .selectAll()
    .where('next_attempt_at', '<=', now)
    .orderBy('next_attempt_at')
    .limit(limit)
    .execute();
  const leased: LogoutDeliveryRecord[] = [];
  for (const row of due) {
    // The claim: a conditional update on what was read, so of two instances draining at once only one wins a row.
    const claimed = await db
      .updateTable('logout_deliveries')
      .set({ attempts: row.attempts + 1, next_attempt_at: leaseUntil })
      .where('sid', '=', row.sid)
      .where('client_id', '=', row.client_id)
      .where('attempts', '=', row.attempts)
      .where('next_attempt_at', '=', row.next_attempt_at)
      .returningAll()
      .executeTakeFirst();
    if (claimed) leased.push(logoutDeliveryRecord(claimed));
  }
  return leased;
}

export async function deleteLogoutDelivery(db: Db, sid: string, clientId: string): Promise<void> {
  await db.deleteFrom('logout_deliveries').where('sid', '=', sid).where('client_id', '=', clientId).execute();
}

export async function rescheduleLogoutDelivery(db: Db, sid: string, clientId: string, nextAttemptAt: number, error: string): Promise<void> {
  await db
    .updateTable('logout_deliveries')
    .set({ next_attempt_at: nextAttemptAt, last_error: error.slice(0, 500) })
    .where('sid', '=', sid)
    .where('client_id', '=', clientId)
    .execute();
}
