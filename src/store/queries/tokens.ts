// Codes and tokens: the two atomic flows (redeem a code, rotate a refresh token) and the token reads.
//
// Lock order, the same in every transaction that touches a grant: the grant row first (UPDATE grants),
// then its tokens. Rotation and revocation therefore serialise on the grant, so a rotation racing a
// revocation either finishes first (and its new tokens are revoked with the rest) or sees the grant revoked.
import type { Kysely } from 'kysely';
import { accessTokenRow, accessTokenWithGrant, codeRecord, codeRow, grantRow, refreshTokenRow, refreshTokenWithGrant } from '../rows.js';
import type { Database } from '../schema.js';
import { affected, inTransaction } from '../transaction.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeRecord,
  GrantRecord,
  NewTokens,
  RedeemCodeResult,
  RefreshTokenRecord,
  ReplaceSuccessorResult,
  RotateRefreshResult,
} from '../types.js';

type Db = Kysely<Database>;

async function insertTokens(db: Db, tokens: NewTokens): Promise<void> {
  if (tokens.accessToken) await db.insertInto('access_tokens').values(accessTokenRow(tokens.accessToken)).execute();
  if (tokens.refreshToken) await db.insertInto('refresh_tokens').values(refreshTokenRow(tokens.refreshToken)).execute();
}

export async function saveAuthorizationCode(db: Db, code: AuthorizationCodeRecord): Promise<void> {
  await db.insertInto('authorization_codes').values(codeRow(code)).execute();
}

export async function getAuthorizationCode(db: Db, codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
  const row = await db.selectFrom('authorization_codes').selectAll().where('code_hash', '=', codeHash).executeTakeFirst();
  return row && codeRecord(row);
}

export async function redeemAuthorizationCode(
  db: Db,
  codeHash: string,
  now: number,
  grant: GrantRecord,
  tokens: NewTokens,
): Promise<RedeemCodeResult> {
  const result = await inTransaction<RedeemCodeResult>(db, async (trx, rollback) => {
    // The conditional UPDATE is the claim: of racing redemptions, exactly one changes the row. In PostgreSQL the
    // others wait on its row lock and then find consumed_at set; in SQLite writers are serialised outright.
    const claimed = await trx
      .updateTable('authorization_codes')
      .set({ consumed_at: now, grant_id: grant.id })
      .where('code_hash', '=', codeHash)
      .where('consumed_at', 'is', null)
      .executeTakeFirst();
    if (affected(claimed) === 0) rollback({ ok: false, reason: 'already_consumed', grantId: null });
    await trx.insertInto('grants').values(grantRow(grant)).execute();
    await insertTokens(trx, tokens);
    return { ok: true };
  });
  if (result.ok) return result;
  // Read after the winner committed, so a replay learns which grant to revoke.
  const code = await db.selectFrom('authorization_codes').select('grant_id').where('code_hash', '=', codeHash).executeTakeFirst();
  return { ok: false, reason: 'already_consumed', grantId: code?.grant_id ?? null };
}

export async function getRefreshToken(db: Db, tokenHash: string): Promise<RefreshTokenRecord | undefined> {
  const row = await db
    .selectFrom('refresh_tokens as t')
    .innerJoin('grants as g', 'g.id', 't.grant_id')
    .selectAll('t')
    .select('g.revoked_at as grant_revoked_at')
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
  return row && refreshTokenWithGrant(row);
}

export async function rotateRefreshToken(
  db: Db,
  oldHash: string,
  now: number,
  tokens: NewTokens & { refreshToken: RefreshTokenRecord },
  successorSealed: string | null,
): Promise<RotateRefreshResult> {
  return inTransaction<RotateRefreshResult>(db, async (trx, rollback) => {
    const old = await trx.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', oldHash).executeTakeFirst();
    // Gone (its client or user deleted, or cleaned up after expiry): as good as revoked.
    if (!old) return rollback({ ok: false, reason: 'revoked' });

    // Touch the grant first: this takes its row lock (see the lock order above) and checks it is live.
    const touched = await trx
      .updateTable('grants')
      .set({ last_used_at: now })
      .where('id', '=', old.grant_id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (affected(touched) === 0) return rollback({ ok: false, reason: 'revoked' });

    const marked = await trx
      .updateTable('refresh_tokens')
      .set({ rotated_at: now, replaced_by: tokens.refreshToken.tokenHash, successor_sealed: successorSealed })
      .where('token_hash', '=', oldHash)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (affected(marked) === 0) {
      const current = await trx.selectFrom('refresh_tokens').select('revoked_at').where('token_hash', '=', oldHash).executeTakeFirst();
      return rollback({ ok: false, reason: current?.revoked_at == null ? 'already_rotated' : 'revoked' });
    }
    await insertTokens(trx, tokens);
    return { ok: true };
  });
}

export async function replaceUnusedSuccessor(
  db: Db,
  rotatedHash: string,
  successorHash: string,
  now: number,
  tokens: NewTokens & { refreshToken: RefreshTokenRecord },
  successorSealed: string | null,
): Promise<ReplaceSuccessorResult> {
  return inTransaction<ReplaceSuccessorResult>(db, async (trx, rollback) => {
    const rotated = await trx.selectFrom('refresh_tokens').select('grant_id').where('token_hash', '=', rotatedHash).executeTakeFirst();
    if (!rotated) return rollback({ ok: false, reason: 'revoked' });

    // The grant first (lock order above): racing retries, rotations and revocations of this grant queue here, and
    // each statement after it (READ COMMITTED) sees what the one before it committed.
    const touched = await trx
      .updateTable('grants')
      .set({ last_used_at: now })
      .where('id', '=', rotated.grant_id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (affected(touched) === 0) return rollback({ ok: false, reason: 'revoked' });

    // The claim: of racing retries, exactly one finds the rotation not yet retried.
    const repointed = await trx
      .updateTable('refresh_tokens')
      .set({ replaced_by: tokens.refreshToken.tokenHash, successor_sealed: successorSealed, retried_at: now })
      .where('token_hash', '=', rotatedHash)
      .where('replaced_by', '=', successorHash)
      .where('rotated_at', 'is not', null)
      .where('retried_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (affected(repointed) === 0) return rollback({ ok: false, reason: 'already_retried' });

    // A successor that was used (rotated) or revoked meanwhile is not a lost answer: leave it to reuse detection.
    const dropped = await trx
      .updateTable('refresh_tokens')
      .set({ revoked_at: now })
      .where('token_hash', '=', successorHash)
      .where('grant_id', '=', rotated.grant_id)
      .where('rotated_at', 'is', null)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    if (affected(dropped) === 0) return rollback({ ok: false, reason: 'successor_used' });

    await insertTokens(trx, tokens);
    return { ok: true };
  });
}

/** client_credentials: the token has no grant; it follows its client (ON DELETE CASCADE on client_id). */
export async function issueClientToken(db: Db, accessToken: AccessTokenRecord): Promise<void> {
  await db.insertInto('access_tokens').values(accessTokenRow(accessToken)).execute();
}

export async function getAccessToken(db: Db, id: string): Promise<AccessTokenRecord | undefined> {
  const row = await db
    .selectFrom('access_tokens as t')
    .leftJoin('grants as g', 'g.id', 't.grant_id')
    .selectAll('t')
    .select('g.revoked_at as grant_revoked_at')
    .where('t.id', '=', id)
    .executeTakeFirst();
  return row && accessTokenWithGrant(row);
}

export async function revokeAccessToken(db: Db, id: string, now: number): Promise<void> {
  await db.updateTable('access_tokens').set({ revoked_at: now }).where('id', '=', id).where('revoked_at', 'is', null).execute();
}
