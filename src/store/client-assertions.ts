// The storage private_key_jwt needs (RFC 7523): each client assertion's jti, kept until the assertion expires, so
// that one assertion authenticates once, whichever instance sees it.

/** Every write is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface ClientAssertionWrites {
  /** Remembers the assertion's jti; false when this client's assertion with that jti was used already. */
  recordClientAssertion(clientId: string, jti: string, expiresAt: number): Promise<boolean>;
}
