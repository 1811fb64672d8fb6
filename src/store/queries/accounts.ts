// Clients, users, sessions, consents and the codes saved at authorization: plain reads and writes (the lookups by
// id are the backends' own, see lookups.ts). Deletes rely on ON DELETE CASCADE
// (see the initial migration) so that everything issued to a client or user goes in the same statement.
import type { Kysely } from 'kysely';
import { clientRecord, clientRow, codeRow, consentRecord, consentRow, sessionRecord, sessionRow, userRecord, userRow } from '../rows.js';
import type { Database } from '../schema.js';
import { affected } from '../transaction.js';
import type { AuthorizationCodeRecord, ClientRecord, ConsentRecord, SessionRecord, UserRecord } from '../types.js';

type Db = Kysely<Database>;

export async function createClient(db: Db, client: ClientRecord): Promise<void> {
  await db.insertInto('clients').values(clientRow(client)).execute();
}

export async function listClients(db: Db): Promise<ClientRecord[]> {
  const rows = await db.selectFrom('clients').selectAll().orderBy('created_at').orderBy('client_id').execute();
  return rows.map(clientRecord);
}

export async function updateClient(db: Db, client: ClientRecord): Promise<void> {
  // The id and creation time never change.
  const { client_id, created_at, ...changes } = clientRow(client);
  void created_at;
  await db.updateTable('clients').set(changes).where('client_id', '=', client_id).execute();
}

export async function deleteClient(db: Db, clientId: string): Promise<boolean> {
  // Cascades to consents, codes, grants (and their tokens) and access tokens.
  return affected(await db.deleteFrom('clients').where('client_id', '=', clientId).executeTakeFirst()) > 0;
}

export async function createUser(db: Db, user: UserRecord): Promise<void> {
  await db.insertInto('users').values(userRow(user)).execute();
}

export async function getUserByUsername(db: Db, username: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  return row && userRecord(row);
}

export async function listUsers(db: Db): Promise<UserRecord[]> {
  const rows = await db.selectFrom('users').selectAll().orderBy('username').execute();
  return rows.map(userRecord);
}

export async function setUserPassword(db: Db, userId: string, passwordHash: string): Promise<boolean> {
  return affected(await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', userId).executeTakeFirst()) > 0;
}

export async function createSession(db: Db, session: SessionRecord): Promise<void> {
  await db.insertInto('sessions').values(sessionRow(session)).execute();
}

export async function getSession(db: Db, idHash: string): Promise<SessionRecord | undefined> {
  const row = await db.selectFrom('sessions').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
  return row && sessionRecord(row);
}

export async function getConsent(db: Db, userId: string, clientId: string): Promise<ConsentRecord | undefined> {
  const row = await db
    .selectFrom('consents')
    .selectAll()
    .where('user_id', '=', userId)
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  return row && consentRecord(row);
}

export async function saveConsent(db: Db, consent: ConsentRecord): Promise<void> {
  // Upsert: a later consent replaces the scopes, and the first consent's creation time is kept.
  const row = consentRow(consent);
  await db
    .insertInto('consents')
    .values(row)
    .onConflict((oc) => oc.columns(['user_id', 'client_id']).doUpdateSet({ scopes: row.scopes, updated_at: row.updated_at, granted: row.granted, expires_at: row.expires_at }))
    .execute();
}

/** The code, and (when it was issued in a session with a sid) that its client took part in that session, in one transaction. */
export async function saveAuthorizationCode(db: Db, code: AuthorizationCodeRecord): Promise<void> {
  const sid = code.sessionId;
  if (sid === null) {
    await db.insertInto('authorization_codes').values(codeRow(code)).execute();
    return;
  }
  await db.transaction().execute(async (trx) => {
    await trx.insertInto('authorization_codes').values(codeRow(code)).execute();
    // Only while the session exists: a session ended meanwhile (another tab signed out) has nobody left to notify.
    await trx
      .insertInto('session_clients')
      .columns(['sid', 'client_id', 'created_at'])
      .expression(
        trx
          .selectFrom('sessions')
          .select((eb) => [eb.ref('sid').$notNull().as('sid'), eb.val(code.clientId).as('client_id'), eb.val(code.createdAt).as('created_at')])
          .where('sid', '=', sid),
      )
      .onConflict((oc) => oc.columns(['sid', 'client_id']).doNothing())
      .execute();
  });
}
