// Cleaning up by hand: deletes what can no longer be used (expired codes, sessions and tokens, spent grants,
// keys no longer published) in batches, so a large backlog never holds one long transaction. The server's own
// housekeeping (domain/housekeeping.ts) deletes one batch at a time, on a timer.
import type { CleanupResult, Store } from '../store/types.js';

/** A bound on batches, so a store that keeps finding rows cannot keep the command running for ever. */
const MAX_ROUNDS = 100_000;

export interface CleanupAdmin {
  store: Pick<Store, 'cleanup'>;
  config: { auditRetentionSeconds: number };
  /** The current time in whole epoch seconds. */
  now(): number;
}

export function cleanupTotal(result: CleanupResult): number {
  // Every kind of record, so a new one cannot be left out of the sum.
  return Object.values(result).reduce((sum, count) => sum + count, 0);
}

/** Deletes batch after batch until one finds nothing; answers how many of each record went. */
export async function cleanUp(admin: CleanupAdmin, batchSize: number): Promise<CleanupResult> {
  const now = admin.now();
  const sum: CleanupResult = { codes: 0, sessions: 0, challenges: 0, accessTokens: 0, refreshTokens: 0, grants: 0, keys: 0, deviceCodes: 0, clientAssertions: 0, pushedRequests: 0, initialAccessTokens: 0, unusedClients: 0, dpopProofs: 0, auditEvents: 0 };
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const batch = await admin.store.cleanup(now, batchSize, admin.config.auditRetentionSeconds);
    for (const key of Object.keys(sum) as Array<keyof CleanupResult>) sum[key] += batch[key];
    if (cleanupTotal(batch) === 0) break;
  }
  return sum;
}
