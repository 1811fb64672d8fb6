// The storage dynamic client registration needs (RFC 7591, RFC 7592): initial access tokens, registering a client
// while spending one use of such a token, and marking a registered client used (housekeeping deletes unused ones).

import type { ClientRecord, InitialAccessTokenRecord } from './types.js';

/** Every write is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface RegistrationWrites {
  createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void>;
  deleteInitialAccessToken(id: string): Promise<boolean>;
  /**
   * In one transaction: spends one use of the initial access token whose hash is given (when one is) and creates the
   * client. False, with nothing written, when that token is unknown, expired or used up, so racing registrations never
   * spend a use twice.
   */
  registerClient(client: ClientRecord, initialTokenHash: string | null, now: number): Promise<boolean>;
  /** The client has obtained a token: housekeeping keeps it. Writes only when it was still unmarked. */
  markClientUsed(clientId: string): Promise<void>;
}

export interface RegistrationStore extends RegistrationWrites {
  /** Every initial access token, oldest first (expired ones until housekeeping removes them). */
  listInitialAccessTokens(): Promise<InitialAccessTokenRecord[]>;
  findInitialAccessToken(tokenHash: string): Promise<InitialAccessTokenRecord | undefined>;
}
