// The storage the token flows need (fosite's split: one narrow interface per flow family, not a generic CRUD layer):
// the code exchange, refresh rotation and its lost-answer retry, client tokens, access-token reads and revocation.
// The atomic steps are one method each, so a backend can do each in one transaction (SQLite) or one statement
// (PostgreSQL): sqlite/token-flows.ts and postgres/token-flows.ts implement them, and test/store/token-flows.test.ts
// holds both to one contract.
import type { LookupStore } from './lookups.js';
import type { AccessTokenRecord, AuthorizationCodeContext, GrantRecord, NewTokens, RedeemCodeResult, RefreshTokenContext, RefreshTokenRecord, ReplaceSuccessorResult, RotateRefreshResult } from './types.js';

/** A rotation's new tokens: always a refresh token (the successor), and an access token unless it is a JWT. */
export type SuccessorTokens = NewTokens & { refreshToken: RefreshTokenRecord };

/** The token flows' writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface TokenFlowWrites {
  /** In one transaction: mark the code consumed (only if it was not), create the grant, insert the tokens. */
  redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult>;
  /**
   * In one transaction: mark the old token rotated (only if it was live), insert the new tokens, touch the grant.
   * A rotation that does not win (already rotated, revoked, racing another) writes nothing, not even the grant's
   * last_used_at.
   */
  rotateRefreshToken(oldHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<RotateRefreshResult>;
  /**
   * A rotation whose answer was lost, answered again, in one transaction: revoke the rotated token's successor
   * `successorHash` (only if nobody used it: not rotated, not revoked), point the rotated token at the new
   * refresh token instead and mark it retried (only once per rotation), insert the new tokens and touch the
   * grant. Of racing calls, exactly one succeeds; the others write nothing.
   */
  replaceUnusedSuccessor(rotatedHash: string, successorHash: string, now: number, tokens: SuccessorTokens, successorSealed: string | null): Promise<ReplaceSuccessorResult>;
  /**
   * client_credentials: records the access token (no grant: the client acts for itself). Token exchange: records an
   * opaque exchanged token (its grant is the subject token's; the read joins it, so its revocation shows).
   */
  issueClientToken(accessToken: AccessTokenRecord): Promise<void>;
  revokeAccessToken(id: string, now: number): Promise<void>;
  /** Revokes the grant and with it every access and refresh token it issued; a second call keeps the first time and reason. */
  revokeGrant(id: string, now: number, reason: string): Promise<boolean>;
  /**
   * A grant revoked because its tokens leaked (refresh token reuse, code replay): revokeGrant, and in the same
   * transaction forget the user's consent for its client, so the next authorization asks the user again.
   */
  revokeLeakedGrant(id: string, now: number, reason: string): Promise<boolean>;
}

export interface TokenFlowStore extends TokenFlowWrites, LookupStore {
  /** A code with its user, as a redemption needs them: one round trip where the backend allows. */
  getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined>;
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** A refresh token with its grant and user, as a rotation needs them: one round trip where the backend allows. */
  getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined>;
  getAccessToken(id: string): Promise<AccessTokenRecord | undefined>;
}
