// The storage DPoP needs (RFC 9449 §11.1): each proof's jti, kept while the proof's iat is still acceptable, so
// that one proof is accepted once, whichever instance sees it.

/** Every write is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface DpopProofWrites {
  /** Remembers the proof's jti for its key; false when a proof by that key with that jti was accepted already. */
  recordDpopProof(jkt: string, jti: string, expiresAt: number): Promise<boolean>;
}
