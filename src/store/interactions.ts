// The storage the authorization interaction needs: sign-in sessions, remembered consents, the challenges handed to
// the platform's own sign-in and consent pages (delegated sign-in), and the code the authorization endpoint hands
// out (the token flows redeem it, see token-flows.ts). A session ends through LogoutWrites.endSession (logout.ts),
// which also tells its clients.
import type { AuthorizationCodeRecord, ChallengeKind, ChallengeOutcome, ChallengeRecord, ConsentRecord, RedeemResult, SessionRecord, UserRecord } from './types.js';

/** The interaction's writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface InteractionWrites {
  createSession(session: SessionRecord): Promise<void>;
  saveConsent(consent: ConsentRecord): Promise<void>;
  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  createChallenge(challenge: ChallengeRecord): Promise<void>;
  /** The platform's answer, recorded only while the challenge is open (unanswered, unexpired): true if it was. */
  answerChallenge(challengeHash: string, kind: ChallengeKind, outcome: ChallengeOutcome, verifierHash: string, now: number): Promise<boolean>;
  /** Uses an answered challenge by its verifier, once, from the browser that started it, before it expires. */
  redeemVerifier(verifierHash: string, kind: ChallengeKind, browserHash: string, now: number): Promise<RedeemResult>;
  /** Makes the user row of a subject the platform signed in; does nothing when a user with that id exists. */
  ensureExternalUser(user: UserRecord): Promise<void>;
}

export interface InteractionStore extends InteractionWrites {
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  getChallenge(challengeHash: string, kind: ChallengeKind): Promise<ChallengeRecord | undefined>;
}
