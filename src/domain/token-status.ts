// Whether a token Gatehouse issued is usable now, and if not, since when: the one answer introspection,
// userinfo and `tokens inspect` give. Revoked before rotated before expired.
//
// No leeway here: these are the issuer's own records judged by the issuer's own clock. The JWT leeway
// (JWT_LEEWAY_SECONDS) is for a JWT's time claims wherever they are checked against another clock.

/**
 * active: accepted now. expired / revoked: no longer accepted (`at` says when, when known). rotated: a refresh
 * token already exchanged for a new one; presenting it again revokes its grant (unless inside the client's grace
 * window, or once within GATEHOUSE_REFRESH_RETRY_WINDOW while its successor is unused: a lost answer).
 * unknown: not issued by this Gatehouse, or no record of it remains.
 */
export type TokenStatus = 'active' | 'expired' | 'revoked' | 'rotated' | 'unknown';

export interface TokenState {
  status: TokenStatus;
  /** When the token stopped being active; null when active, unknown, or revoked at a time not recorded. */
  at: number | null;
}

export interface StatusFacts {
  expiresAt: number | null;
  revokedAt: number | null;
  /** Set for a rotated refresh token. */
  rotatedAt?: number | null;
  /** Revoked at a time not recorded (e.g. its grant is gone). */
  revoked?: boolean;
}

export function tokenStatus(facts: StatusFacts, now: number): TokenState {
  if (facts.revokedAt !== null) return { status: 'revoked', at: facts.revokedAt };
  if (facts.revoked) return { status: 'revoked', at: null };
  if (facts.rotatedAt !== undefined && facts.rotatedAt !== null) return { status: 'rotated', at: facts.rotatedAt };
  if (facts.expiresAt !== null && facts.expiresAt <= now) return { status: 'expired', at: facts.expiresAt };
  return { status: 'active', at: null };
}
