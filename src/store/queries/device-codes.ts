// The device authorization grant's storage (DeviceFlowStore, device-flows.ts), shared by both backends: the flow
// is not hot (a device polls every few seconds at most). Each change is one conditional statement or one
// transaction, so racing decisions, polls and exchanges each have exactly one winner.
import { sql, type Kysely } from 'kysely';
import { accessTokenRow, deviceCodeRecord, deviceCodeRow, grantRow, refreshTokenRow, userRecord } from '../rows.js';
import type { Database } from '../schema.js';
import { affected, inTransaction } from '../transaction.js';
import type { DeviceCodeContext, DeviceCodeRecord, DeviceDecision, DevicePollResult, GrantRecord, NewTokens, RedeemDeviceCodeResult } from '../types.js';

type Db = Kysely<Database>;

/** RFC 8628 §3.5: each slow_down adds 5 seconds to the polling interval. */
export const SLOW_DOWN_SECONDS = 5;

export async function saveDeviceCode(db: Db, record: DeviceCodeRecord): Promise<void> {
  await db.insertInto('device_codes').values(deviceCodeRow(record)).execute();
}

export async function getDeviceCodeByUserCode(db: Db, userCodeHash: string): Promise<DeviceCodeRecord | undefined> {
  const row = await db.selectFrom('device_codes').selectAll().where('user_code_hash', '=', userCodeHash).executeTakeFirst();
  return row && deviceCodeRecord(row);
}

export async function getDeviceCodeContext(db: Db, deviceCodeHash: string): Promise<DeviceCodeContext | undefined> {
  const row = await db.selectFrom('device_codes').selectAll().where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
  if (!row) return undefined;
  const userRow = row.user_id === null ? undefined : await db.selectFrom('users').selectAll().where('id', '=', row.user_id).executeTakeFirst();
  return { code: deviceCodeRecord(row), user: userRow && userRecord(userRow) };
}

export async function decideDeviceCode(db: Db, userCodeHash: string, now: number, decision: DeviceDecision): Promise<boolean> {
  const result = await db
    .updateTable('device_codes')
    .set({
      status: decision.approve ? 'approved' : 'denied',
      user_id: decision.userId,
      decided_at: now,
      ...(decision.approve ? { scopes: JSON.stringify(decision.scopes), auth_time: decision.authTime, granted: decision.granted === null ? null : JSON.stringify(decision.granted) } : {}),
    })
    .where('user_code_hash', '=', userCodeHash)
    .where('status', '=', 'pending')
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return affected(result) === 1;
}

export async function pollDeviceCode(db: Db, deviceCodeHash: string, now: number): Promise<DevicePollResult> {
  return inTransaction(db, async (trx) => {
    // On time (or the first poll): only the time is recorded.
    const onTime = await trx
      .updateTable('device_codes')
      .set({ last_polled_at: now })
      .where('device_code_hash', '=', deviceCodeHash)
      .where((eb) => eb.or([eb('last_polled_at', 'is', null), eb(sql<number>`last_polled_at + poll_interval`, '<=', now)]))
      .executeTakeFirst();
    let slowDown = false;
    if (affected(onTime) === 0) {
      const early = await trx
        .updateTable('device_codes')
        .set({ last_polled_at: now, poll_interval: sql<number>`poll_interval + ${SLOW_DOWN_SECONDS}` })
        .where('device_code_hash', '=', deviceCodeHash)
        .executeTakeFirst();
      if (affected(early) === 0) return { found: false };
      slowDown = true;
    }
    const row = await trx.selectFrom('device_codes').select('poll_interval').where('device_code_hash', '=', deviceCodeHash).executeTakeFirstOrThrow();
    return { found: true, slowDown, interval: row.poll_interval };
  });
}

export async function redeemDeviceCode(db: Db, deviceCodeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemDeviceCodeResult> {
  return inTransaction(db, async (trx) => {
    // The conditional UPDATE is the claim: of racing exchanges exactly one changes the row.
    const claimed = await trx
      .updateTable('device_codes')
      .set({ consumed_at: now, grant_id: grant.id })
      .where('device_code_hash', '=', deviceCodeHash)
      .where('status', '=', 'approved')
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (affected(claimed) === 0) {
      const row = await trx.selectFrom('device_codes').select('consumed_at').where('device_code_hash', '=', deviceCodeHash).executeTakeFirst();
      return { ok: false, reason: row && row.consumed_at !== null ? 'already_consumed' : 'not_approved' };
    }
    await trx.insertInto('grants').values(grantRow(grant)).execute();
    if (tokens.accessToken) await trx.insertInto('access_tokens').values(accessTokenRow(tokens.accessToken)).execute();
    if (tokens.refreshToken) await trx.insertInto('refresh_tokens').values(refreshTokenRow(tokens.refreshToken)).execute();
    return { ok: true };
  });
}
