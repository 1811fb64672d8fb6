// Login and consent challenges (delegated sign-in): created when the authorization endpoint hands a request to the
// platform's page, answered once through the admin API, and redeemed once by the browser that started them. Rare
// next to token traffic, so shared Kysely code for both backends. Each state change is one conditional UPDATE:
// of two racing answers or redemptions exactly one changes a row, and the other learns it lost.
import type { Kysely, Selectable } from 'kysely';
import type { Database, InteractionChallengesTable } from '../schema.js';
import { affected } from '../transaction.js';
import type { ChallengeKind, ChallengeOutcome, ChallengeRecord, LoginDecision, RedeemResult, RequestParams, UserRecord } from '../types.js';
import { userRow } from '../rows.js';

type Db = Kysely<Database>;

function challengeRow(c: ChallengeRecord): InteractionChallengesTable {
  return {
    challenge_hash: c.challengeHash,
    kind: c.kind,
    client_id: c.clientId,
    request: JSON.stringify(c.request),
    browser_hash: c.browserHash,
    subject: c.subject,
    skip: c.skip ? 1 : 0,
    login_session_id: c.loginSessionId,
    login: c.login === null ? null : JSON.stringify(c.login),
    outcome: c.outcome === null ? null : JSON.stringify(c.outcome),
    verifier_hash: c.verifierHash,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
    handled_at: c.handledAt,
    used_at: c.usedAt,
  };
}

function challengeRecord(r: Selectable<InteractionChallengesTable>): ChallengeRecord {
  if (r.kind !== 'login' && r.kind !== 'consent' && r.kind !== 'logout' && r.kind !== 'device') throw new Error(`store: unknown challenge kind ${r.kind.slice(0, 20)}`);
  return {
    challengeHash: r.challenge_hash,
    kind: r.kind,
    clientId: r.client_id,
    request: JSON.parse(r.request) as RequestParams,
    browserHash: r.browser_hash,
    subject: r.subject,
    skip: r.skip === 1,
    loginSessionId: r.login_session_id,
    login: r.login === null ? null : (JSON.parse(r.login) as LoginDecision),
    outcome: r.outcome === null ? null : (JSON.parse(r.outcome) as ChallengeOutcome),
    verifierHash: r.verifier_hash,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    handledAt: r.handled_at,
    usedAt: r.used_at,
  };
}

export async function createChallenge(db: Db, challenge: ChallengeRecord): Promise<void> {
  await db.insertInto('interaction_challenges').values(challengeRow(challenge)).execute();
}

export async function getChallenge(db: Db, challengeHash: string, kind: ChallengeKind): Promise<ChallengeRecord | undefined> {
  const row = await db.selectFrom('interaction_challenges').selectAll().where('challenge_hash', '=', challengeHash).where('kind', '=', kind).executeTakeFirst();
  return row && challengeRecord(row);
}

/** Records the platform's answer, only if the challenge is still open (unanswered, unexpired); true when it was. */
export async function answerChallenge(db: Db, challengeHash: string, kind: ChallengeKind, outcome: ChallengeOutcome, verifierHash: string, now: number): Promise<boolean> {
  const result = await db
    .updateTable('interaction_challenges')
    .set({ outcome: JSON.stringify(outcome), verifier_hash: verifierHash, handled_at: now })
    .where('challenge_hash', '=', challengeHash)
    .where('kind', '=', kind)
    .where('handled_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return affected(result) === 1;
}

/**
 * Uses an answered challenge by its verifier, once, and only from the browser that started it and before it
 * expires. A refusal changes nothing and says why (so the page can); the verifier stays usable by its own browser.
 */
export async function redeemVerifier(db: Db, verifierHash: string, kind: ChallengeKind, browserHash: string, now: number): Promise<RedeemResult> {
  const result = await db
    .updateTable('interaction_challenges')
    .set({ used_at: now })
    .where('verifier_hash', '=', verifierHash)
    .where('kind', '=', kind)
    .where('browser_hash', '=', browserHash)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  const row = await db.selectFrom('interaction_challenges').selectAll().where('verifier_hash', '=', verifierHash).where('kind', '=', kind).executeTakeFirst();
  if (affected(result) === 1 && row) return { ok: true, challenge: challengeRecord(row) };
  if (!row) return { ok: false, reason: 'unknown' };
  if (row.browser_hash !== browserHash) return { ok: false, reason: 'other_browser' };
  if (row.used_at !== null) return { ok: false, reason: 'used' };
  return { ok: false, reason: 'expired' };
}

/** A subject the platform signed in, as a user row (so grants and tokens can name it); nothing if it exists. */
export async function ensureExternalUser(db: Db, user: UserRecord): Promise<void> {
  await db.insertInto('users').values(userRow(user)).onConflict((oc) => oc.doNothing()).execute();
}
