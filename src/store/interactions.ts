// The storage the authorization interaction needs: sign-in sessions, remembered consents, and the code the
// authorization endpoint hands out (the token flows redeem it, see token-flows.ts). A session ends through
// LogoutWrites.endSession (logout.ts), which also tells its clients.
import type { AuthorizationCodeRecord, ConsentRecord, SessionRecord } from './types.js';

/** The interaction's writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface InteractionWrites {
  createSession(session: SessionRecord): Promise<void>;
  saveConsent(consent: ConsentRecord): Promise<void>;
  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
}

export interface InteractionStore extends InteractionWrites {
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
}
