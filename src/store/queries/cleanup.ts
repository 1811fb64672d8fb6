// Housekeeping: deletes what has expired, in bounded batches, so no statement holds locks on a large table
// for long and a backlog drains in steps instead of one giant delete.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { affected } from '../transaction.js';
import type { CleanupResult } from '../types.js';
import { deleteAuditEventsBefore } from './audit-events.js';

type Db = Kysely<Database>;

/** Repeats `deleteBatch` (each deletes at most batchSize rows) until a batch comes back short. */
async function inBatches(batchSize: number, deleteBatch: () => Promise<{ numDeletedRows: bigint }>): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = affected(await deleteBatch());
    total += deleted;
    if (deleted < batchSize) return total;
  }
}

/**
 * Rows whose `column` time has come, in batches: DELETE ... WHERE key IN (SELECT key ... LIMIT n), portable to both
 * dialects. The outer time check keeps a key shared by rows of different owners (a jti) to the expired ones.
 */
async function deleteExpired(db: Db, table: keyof Database, key: string, now: number, batchSize: number, column = 'expires_at'): Promise<number> {
  const { ref } = db.dynamic;
  return inBatches(batchSize, () =>
    db
      .deleteFrom(table)
      .where(ref(column), '<=', now)
      .where(ref(key), 'in', db.selectFrom(table).select(ref(key)).where(ref(column), '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
}

/** `auditRetentionSeconds`: audit events older than this go; undefined keeps them all. */
export async function cleanup(db: Db, now: number, batchSize: number, auditRetentionSeconds?: number): Promise<CleanupResult> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`cleanup batchSize must be a positive integer, got ${batchSize}`);
  const codes = await deleteExpired(db, 'authorization_codes', 'code_hash', now, batchSize);
  const sessions = await deleteExpired(db, 'sessions', 'id_hash', now, batchSize);
  const challenges = await deleteExpired(db, 'interaction_challenges', 'challenge_hash', now, batchSize);
  const accessTokens = await deleteExpired(db, 'access_tokens', 'id', now, batchSize);
  // A rotated refresh token is kept until it expires: presenting it again before then is reuse to detect.
  const refreshTokens = await deleteExpired(db, 'refresh_tokens', 'token_hash', now, batchSize);
  // A grant with no token left can issue nothing more (revoked or not): it is over. Runs after the token
  // deletes above so that grants whose last tokens just expired go in the same pass.
  const grants = await inBatches(batchSize, () =>
    db
      .deleteFrom('grants')
      .where(
        'id',
        'in',
        db
          .selectFrom('grants as g')
          .select('g.id')
          .where('g.created_at', '<=', now)
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('access_tokens as a').select('a.id').whereRef('a.grant_id', '=', 'g.id'))),
          )
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('refresh_tokens as r').select('r.token_hash').whereRef('r.grant_id', '=', 'g.id'))),
          )
          .limit(batchSize),
      )
      .executeTakeFirstOrThrow(),
  );
  const keys = await deleteExpired(db, 'signing_keys', 'kid', now, batchSize);
  // A device code past its expiry can no longer be decided or exchanged (its grant, if any, lives on).
  const deviceCodes = await deleteExpired(db, 'device_codes', 'device_code_hash', now, batchSize);
  // An expired assertion is refused for its exp alone: its jti need not be remembered any longer.
  const clientAssertions = await deleteExpired(db, 'client_assertions', 'jti', now, batchSize);
  // A pushed request past its minute is of no more use, consumed or not.
  const pushedRequests = await deleteExpired(db, 'pushed_requests', 'request_hash', now, batchSize);
  // A proof past its iat window is refused for its age alone: its jti need not be remembered any longer.
  const dpopProofs = await deleteExpired(db, 'dpop_proofs', 'jti', now, batchSize);
  const initialAccessTokens = await deleteExpired(db, 'initial_access_tokens', 'id', now, batchSize);
  // A dynamically registered client that never obtained a token by its unused_until (registration left behind by a
  // tool that was tried once, or junk): deleted with everything it holds (codes, consents) through ON DELETE CASCADE.
  const unusedClients = await deleteExpired(db, 'clients', 'client_id', now, batchSize, 'unused_until');
  // The audit trail is kept for its retention, whatever became of what it tells of.
  const auditEvents = auditRetentionSeconds === undefined ? 0 : await inBatches(batchSize, () => deleteAuditEventsBefore(db, now - auditRetentionSeconds, batchSize));
  return { codes, sessions, challenges, accessTokens, refreshTokens, grants, keys, deviceCodes, clientAssertions, pushedRequests, initialAccessTokens, unusedClients, dpopProofs, auditEvents };
}
