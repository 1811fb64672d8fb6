// The two records almost every flow looks up by id: the client (client authentication, authorization) and the user
// (token issuance, introspection, userinfo). Hot reads, so each backend implements them natively (token-flows.ts).
import type { ClientRecord, UserRecord } from './types.js';

export interface LookupStore {
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  getUserById(id: string): Promise<UserRecord | undefined>;
}
