// The storage administration needs (admin API, CLI, housekeeping, start-up): clients, users, grants, signing keys,
// cleanup and the readiness probe. Plain reads and writes, written once over Kysely for both backends (queries/).
import type { LookupStore } from './lookups.js';
import type { CleanupResult, ClientRecord, GrantRecord, GrantSummary, ResourceRecord, SigningKeyRecord, UserRecord } from './types.js';

/** Administration's writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface AdminWrites {
  createClient(client: ClientRecord): Promise<void>;
  updateClient(client: ClientRecord): Promise<void>;
  /** Deletes the client and everything issued to it. */
  deleteClient(clientId: string): Promise<boolean>;
  /** Registers a resource (RFC 8707); one whose URI exists throws DuplicateError('uri'). */
  createResource(resource: ResourceRecord): Promise<void>;
  /** Unregisters a resource; tokens already issued for it keep their audience until they expire. */
  deleteResource(uri: string): Promise<boolean>;
  createUser(user: UserRecord): Promise<void>;
  setUserPassword(userId: string, passwordHash: string): Promise<boolean>;
  /**
   * Deletes the user and everything of theirs (sessions, consents, grants and their tokens); their sessions end as
   * LogoutWrites.endSession ends one (back-channel notifications queued), in the same transaction.
   */
  deleteUser(userId: string, now: number): Promise<boolean>;
  /**
   * Ends every session of a user (a password change signs them out everywhere) as LogoutWrites.endSession ends one:
   * their clients' back-channel notifications are queued in the same transaction. Returns how many there were.
   */
  deleteUserSessions(userId: string, now: number): Promise<number>;
  /** Revokes the grant and with it every access and refresh token it issued; a second call keeps the first time and reason. */
  revokeGrant(id: string, now: number, reason: string): Promise<boolean>;
  /** Connected apps: revoke every grant of a user for one client and forget the consent, in one transaction. */
  revokeClientAccess(userId: string, clientId: string, now: number, reason: string): Promise<number>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /**
   * In one transaction: retire the active key of the new key's algorithm (published until retireUntil)
   * and make the new key active. With `onlyIfNone`, inserts only when that algorithm has no active key,
   * so instances starting together make one key, not one each.
   */
  rotateSigningKey(key: SigningKeyRecord, retiredUntil: number, options?: { onlyIfNone?: boolean }): Promise<boolean>;
  /** Deletes what expired; with auditRetentionSeconds, audit events older than that too. */
  cleanup(now: number, batchSize: number, auditRetentionSeconds?: number): Promise<CleanupResult>;
  /**
   * Writes one row and reads it back in one transaction (committed, and on SQLite synced like every write). Throws
   * the driver's error when the database does not take the write: read-only, full, or locked by another writer for
   * longer than READINESS_WAIT_MS.
   */
  probeWrite(now: number): Promise<void>;
}

export interface AdminStore extends AdminWrites, LookupStore {
  listClients(): Promise<ClientRecord[]>;
  getResource(uri: string): Promise<ResourceRecord | undefined>;
  /** Every registered resource, oldest first. */
  listResources(): Promise<ResourceRecord[]>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  getGrant(id: string): Promise<GrantRecord | undefined>;
  listGrants(filter: { userId?: string; clientId?: string; includeRevoked?: boolean }): Promise<GrantSummary[]>;
  /** Keys still published at `now` (epoch seconds): active ones and retired ones not yet past expires_at. */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
}
