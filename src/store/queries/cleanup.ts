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

/** `auditRetentionSeconds`: audit events older than this go; undefined keeps them all. */
export async function cleanup(db: Db, now: number, batchSize: number, auditRetentionSeconds?: number): Promise<CleanupResult> {
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new RangeError(`cleanup batchSize must be a positive integer, got ${batchSize}`);
  // Each batch: DELETE ... WHERE pk IN (SELECT pk ... LIMIT n), portable to both dialects.
  const codes = await inBatches(batchSize, () =>
    db
      .deleteFrom('authorization_codes')
      .where('code_hash', 'in', db.selectFrom('authorization_codes').select('code_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  const sessions = await inBatches(batchSize, () =>
    db
      .deleteFrom('sessions')
      .where('id_hash', 'in', db.selectFrom('sessions').select('id_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  const challenges = await inBatches(batchSize, () =>
    db
      .deleteFrom('interaction_challenges')
      .where('challenge_hash', 'in', db.selectFrom('interaction_challenges').select('challenge_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  const accessTokens = await inBatches(batchSize, () =>
    db
      .deleteFrom('access_tokens')
      .where('id', 'in', db.selectFrom('access_tokens').select('id').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // A rotated refresh token is kept until it expires: presenting it again before then is reuse to detect.
  const refreshTokens = await inBatches(batchSize, () =>
    db
      .deleteFrom('refresh_tokens')
      .where('token_hash', 'in', db.selectFrom('refresh_tokens').select('token_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
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
  const keys = await inBatches(batchSize, () =>
    db
      .deleteFrom('signing_keys')
      .where('kid', 'in', db.selectFrom('signing_keys').select('kid').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // A device code past its expiry can no longer be decided or exchanged (its grant, if any, lives on).
  const deviceCodes = await inBatches(batchSize, () =>
    db
      .deleteFrom('device_codes')
      .where('device_code_hash', 'in', db.selectFrom('device_codes').select('device_code_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // An expired assertion is refused for its exp alone: its jti need not be remembered any longer.
  const clientAssertions = await inBatches(batchSize, () =>
    db
      .deleteFrom('client_assertions')
      .where('expires_at', '<=', now)
      .where('jti', 'in', db.selectFrom('client_assertions').select('jti').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // A pushed request past its minute is of no more use, consumed or not.
  const pushedRequests = await inBatches(batchSize, () =>
    db
      .deleteFrom('pushed_requests')
      .where('request_hash', 'in', db.selectFrom('pushed_requests').select('request_hash').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // A proof past its iat window is refused for its age alone: its jti need not be remembered any longer.
  const dpopProofs = await inBatches(batchSize, () =>
    db
      .deleteFrom('dpop_proofs')
      .where('expires_at', '<=', now)
      .where('jti', 'in', db.selectFrom('dpop_proofs').select('jti').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  const initialAccessTokens = await inBatches(batchSize, () =>
    db
      .deleteFrom('initial_access_tokens')
      .where('id', 'in', db.selectFrom('initial_access_tokens').select('id').where('expires_at', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // A dynamically registered client that never obtained a token by its unused_until (registration left behind by a
  // tool that was tried once, or junk): deleted with everything it holds (codes, consents) through ON DELETE CASCADE.
  const unusedClients = await inBatches(batchSize, () =>
    db
      .deleteFrom('clients')
      .where('client_id', 'in', db.selectFrom('clients').select('client_id').where('unused_until', '<=', now).limit(batchSize))
      .executeTakeFirstOrThrow(),
  );
  // The audit trail is kept for its retention, whatever became of what it tells of.
  const auditEvents = auditRetentionSeconds === undefined ? 0 : await inBatches(batchSize, () => deleteAuditEventsBefore(db, now - auditRetentionSeconds, batchSize));
  return { codes, sessions, challenges, accessTokens, refreshTokens, grants, keys, deviceCodes, clientAssertions, pushedRequests, initialAccessTokens, unusedClients, dpopProofs, auditEvents };
}
