// The records almost every flow looks up by id: the client (client authentication, authorization), the user
// (token issuance, introspection, userinfo) and the grant (what was granted, for userinfo and introspection).
// Hot reads, so each backend implements them natively (token-flows.ts).
import type { ClientRecord, GrantRecord, UserRecord } from './types.js';

export interface LookupStore {
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
}
