// Whether a stored token is usable now, and if not, why: shared by introspection, userinfo and `tokens inspect`.
export type TokenStatus = { state: 'active' } | { state: 'expired'; at: number } | { state: 'revoked'; at: number };

export function tokenStatus(record: { expiresAt: number; revokedAt: number | null }, now: number): TokenStatus {
  if (record.revokedAt !== null) return { state: 'revoked', at: record.revokedAt };
  if (record.expiresAt <= now) return { state: 'expired', at: record.expiresAt };
  return { state: 'active' };
}
