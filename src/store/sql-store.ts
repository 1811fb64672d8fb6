// The Store of either backend: the token flows and lookups are the backend's own (sqlite/token-flows.ts,
// postgres/token-flows.ts: hot paths on the drivers), everything else is shared Kysely code (queries/: interactions,
// administration, revocation, the device flow), with the few dialect differences in dialect.ts. This class only wires them together
// and maps driver errors to store errors.
import type { Kysely } from 'kysely';
import type { AdminWrites } from './administration.js';
import type { Dialect } from './dialect.js';
import { rethrowDuplicate } from './errors.js';
import { migrateToLatest } from './migrations/index.js';
import * as accounts from './queries/accounts.js';
import * as audit from './queries/audit-events.js';
import * as challenges from './queries/challenges.js';
import * as clientAssertions from './queries/client-assertions.js';
import * as dpopProofs from './queries/dpop-proofs.js';
import { cleanup } from './queries/cleanup.js';
import * as devices from './queries/device-codes.js';
import * as pushed from './queries/pushed-requests.js';
import * as grants from './queries/grants.js';
import * as keys from './queries/signing-keys.js';
import * as logout from './queries/logout.js';
import { probeWrite } from './queries/readiness.js';
import * as registrations from './queries/registrations.js';
import * as resources from './queries/resources.js';
import type { Database } from './schema.js';
import type { SuccessorTokens, TokenFlowStore } from './token-flows.js';
import type { AccessTokenRecord, AuditEventFilter, AuditEventRecord, AuthorizationCodeContext, AuthorizationCodeRecord, ChallengeKind, ChallengeOutcome, ChallengeRecord, CleanupResult, ClientRecord, ConsentRecord, InitialAccessTokenRecord, ConsumePushedRequestResult, DeviceCodeContext, DeviceCodeRecord, DeviceDecision, DevicePollResult, EndedSession, GrantRecord, GrantSummary, LogoutDeliveryRecord, NewTokens, PushedRequestRecord, RedeemCodeResult, RedeemDeviceCodeResult, RedeemResult, RefreshTokenContext, RefreshTokenRecord, ReplaceSuccessorResult, ResourceRecord, RotateRefreshResult, SessionRecord, SigningKeyRecord, Store, UserRecord } from './types.js';

/** What each backend implements on its own driver: the token flows but revocation, and the lookups by id. */
export type NativeTokenFlows = Omit<TokenFlowStore, 'revokeAccessToken' | 'revokeGrant' | 'revokeLeakedGrant'>;

/**
 * How long the readiness probe waits for a lock held by another writer. Shorter than a write's wait: an orchestrator's
 * probe gives up after about a second, and a probe stuck behind a lock says as much about readiness as a failed one.
 */
export const READINESS_WAIT_MS = 1000;

/** Unique-constraint violations leave every write as a DuplicateError; everything else passes through. */
const write = <T>(promise: Promise<T>): Promise<T> => promise.catch(rethrowDuplicate);

export class SqlStore implements Store {
  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: Dialect,
    private readonly flows: NativeTokenFlows,
    /** The backend's own readiness probe, where the shared one cannot bound its wait (SQLite). */
    private readonly probe?: Pick<AdminWrites, 'probeWrite'>,
  ) {}

  migrate(): Promise<void> {
    return migrateToLatest(this.db, this.dialect);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  // Lookups and token flows: the backend's own.
  getClient(clientId: string): Promise<ClientRecord | undefined> {
    return this.flows.getClient(clientId);
  }
  getUserById(id: string): Promise<UserRecord | undefined> {
    return this.flows.getUserById(id);
  }
  getGrant(id: string): Promise<GrantRecord | undefined> {
    return this.flows.getGrant(id);
  }
  getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    return this.flows.getAuthorizationCodeContext(codeHash);
  }
  redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult> {
    return this.flows.redeemAuthorizationCode(codeHash, now, grant, tokens);
  }
  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return this.flows.getRefreshToken(tokenHash);
  }
  getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    return this.flows.getRefreshTokenContext(tokenHash);
  }
  rotateRefreshToken(oldHash: string, now: number, tokens: SuccessorTokens, sealed: string | null): Promise<RotateRefreshResult> {
    return this.flows.rotateRefreshToken(oldHash, now, tokens, sealed);
  }
  replaceUnusedSuccessor(rotatedHash: string, successorHash: string, now: number, tokens: SuccessorTokens, sealed: string | null): Promise<ReplaceSuccessorResult> {
    return this.flows.replaceUnusedSuccessor(rotatedHash, successorHash, now, tokens, sealed);
  }
  issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    return this.flows.issueClientToken(accessToken);
  }
  getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    return this.flows.getAccessToken(id);
  }

  // Revocation: shared by the token flows and administration.
  revokeAccessToken(id: string, now: number): Promise<void> {
    return grants.revokeAccessToken(this.db, id, now);
  }
  revokeGrant(id: string, now: number, reason: string): Promise<boolean> {
    return grants.revokeGrant(this.db, id, now, reason);
  }
  revokeLeakedGrant(id: string, now: number, reason: string): Promise<boolean> {
    return grants.revokeGrant(this.db, id, now, reason, true);
  }
  revokeClientAccess(userId: string, clientId: string, now: number, reason: string): Promise<number> {
    return grants.revokeClientAccess(this.db, userId, clientId, now, reason);
  }

  // Interactions.
  createSession(session: SessionRecord): Promise<void> {
    return write(accounts.createSession(this.db, session));
  }
  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return accounts.getSession(this.db, idHash);
  }
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    return accounts.getConsent(this.db, userId, clientId);
  }
  saveConsent(consent: ConsentRecord): Promise<void> {
    return write(accounts.saveConsent(this.db, consent));
  }
  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    return write(accounts.saveAuthorizationCode(this.db, code));
  }
  createChallenge(challenge: ChallengeRecord): Promise<void> {
    return write(challenges.createChallenge(this.db, challenge));
  }
  getChallenge(challengeHash: string, kind: ChallengeKind): Promise<ChallengeRecord | undefined> {
    return challenges.getChallenge(this.db, challengeHash, kind);
  }
  answerChallenge(challengeHash: string, kind: ChallengeKind, outcome: ChallengeOutcome, verifierHash: string, now: number): Promise<boolean> {
    return write(challenges.answerChallenge(this.db, challengeHash, kind, outcome, verifierHash, now));
  }
  redeemVerifier(verifierHash: string, kind: ChallengeKind, browserHash: string, now: number): Promise<RedeemResult> {
    return write(challenges.redeemVerifier(this.db, verifierHash, kind, browserHash, now));
  }
  recordClientAssertion(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    return clientAssertions.recordClientAssertion(this.db, clientId, jti, expiresAt);
  }
  recordDpopProof(jkt: string, jti: string, expiresAt: number): Promise<boolean> {
    return dpopProofs.recordDpopProof(this.db, jkt, jti, expiresAt);
  }
  ensureExternalUser(user: UserRecord): Promise<void> {
    return write(challenges.ensureExternalUser(this.db, user));
  }

  // The device flow (device-flows.ts): shared Kysely code, not a hot path.
  saveDeviceCode(record: DeviceCodeRecord): Promise<void> {
    return write(devices.saveDeviceCode(this.db, record));
  }
  getDeviceCodeByUserCode(userCodeHash: string): Promise<DeviceCodeRecord | undefined> {
    return devices.getDeviceCodeByUserCode(this.db, userCodeHash);
  }
  getDeviceCodeContext(deviceCodeHash: string): Promise<DeviceCodeContext | undefined> {
    return devices.getDeviceCodeContext(this.db, deviceCodeHash);
  }
  decideDeviceCode(userCodeHash: string, now: number, decision: DeviceDecision): Promise<boolean> {
    return devices.decideDeviceCode(this.db, userCodeHash, now, decision);
  }
  pollDeviceCode(deviceCodeHash: string, now: number): Promise<DevicePollResult> {
    return devices.pollDeviceCode(this.db, deviceCodeHash, now);
  }
  redeemDeviceCode(deviceCodeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemDeviceCodeResult> {
    return write(devices.redeemDeviceCode(this.db, deviceCodeHash, now, grant, tokens));
  }

  // Pushed authorization requests (pushed-requests.ts): shared Kysely code, not a hot path.
  savePushedRequest(record: PushedRequestRecord): Promise<void> {
    return write(pushed.savePushedRequest(this.db, record));
  }
  consumePushedRequest(requestHash: string, clientId: string, now: number): Promise<ConsumePushedRequestResult> {
    return pushed.consumePushedRequest(this.db, requestHash, clientId, now);
  }

  // Logout.
  endSession(by: { idHash: string } | { sid: string }, now: number): Promise<EndedSession | undefined> {
    return logout.endSession(this.db, by, now);
  }
  leaseLogoutDeliveries(now: number, leaseUntil: number, limit: number): Promise<LogoutDeliveryRecord[]> {
    return logout.leaseLogoutDeliveries(this.db, now, leaseUntil, limit);
  }
  deleteLogoutDelivery(sid: string, clientId: string): Promise<void> {
    return logout.deleteLogoutDelivery(this.db, sid, clientId);
  }
  rescheduleLogoutDelivery(sid: string, clientId: string, nextAttemptAt: number, error: string): Promise<void> {
    return logout.rescheduleLogoutDelivery(this.db, sid, clientId, nextAttemptAt, error);
  }

  // Administration.
  createClient(client: ClientRecord): Promise<void> {
    return write(accounts.createClient(this.db, client));
  }
  listClients(): Promise<ClientRecord[]> {
    return accounts.listClients(this.db);
  }
  updateClient(client: ClientRecord): Promise<void> {
    return write(accounts.updateClient(this.db, client));
  }
  deleteClient(clientId: string): Promise<boolean> {
    return accounts.deleteClient(this.db, clientId);
  }
  createResource(resource: ResourceRecord): Promise<void> {
    return write(resources.createResource(this.db, resource));
  }
  getResource(uri: string): Promise<ResourceRecord | undefined> {
    return resources.getResource(this.db, uri);
  }
  listResources(): Promise<ResourceRecord[]> {
    return resources.listResources(this.db);
  }
  deleteResource(uri: string): Promise<boolean> {
    return resources.deleteResource(this.db, uri);
  }
  createUser(user: UserRecord): Promise<void> {
    return write(accounts.createUser(this.db, user));
  }
  getUserByUsername(username: string): Promise<UserRecord | undefined> {
    return accounts.getUserByUsername(this.db, username);
  }
  listUsers(): Promise<UserRecord[]> {
    return accounts.listUsers(this.db);
  }
  setUserPassword(userId: string, passwordHash: string): Promise<boolean> {
    return accounts.setUserPassword(this.db, userId, passwordHash);
  }
  /** Deletes the user with everything of theirs (sessions, consents, codes, grants and tokens); their sessions' clients are told. */
  deleteUser(userId: string, now: number): Promise<boolean> {
    return logout.deleteUserEndingSessions(this.db, userId, now);
  }
  deleteUserSessions(userId: string, now: number): Promise<number> {
    return logout.endUserSessions(this.db, userId, now);
  }
  listGrants(filter: { userId?: string; clientId?: string; includeRevoked?: boolean }): Promise<GrantSummary[]> {
    return grants.listGrants(this.db, filter);
  }
  listSigningKeys(now: number): Promise<SigningKeyRecord[]> {
    return keys.listSigningKeys(this.db, now);
  }
  insertSigningKey(key: SigningKeyRecord): Promise<void> {
    return write(keys.insertSigningKey(this.db, key));
  }
  rotateSigningKey(key: SigningKeyRecord, retiredUntil: number, options?: { onlyIfNone?: boolean }): Promise<boolean> {
    return write(keys.rotateSigningKey(this.db, this.dialect, key, retiredUntil, options?.onlyIfNone ?? false));
  }
  createInitialAccessToken(token: InitialAccessTokenRecord): Promise<void> {
    return write(registrations.createInitialAccessToken(this.db, token));
  }
  deleteInitialAccessToken(id: string): Promise<boolean> {
    return registrations.deleteInitialAccessToken(this.db, id);
  }
  listInitialAccessTokens(): Promise<InitialAccessTokenRecord[]> {
    return registrations.listInitialAccessTokens(this.db);
  }
  findInitialAccessToken(tokenHash: string): Promise<InitialAccessTokenRecord | undefined> {
    return registrations.findInitialAccessToken(this.db, tokenHash);
  }
  registerClient(client: ClientRecord, initialTokenHash: string | null, now: number): Promise<boolean> {
    return write(registrations.registerClient(this.db, client, initialTokenHash, now));
  }
  markClientUsed(clientId: string): Promise<void> {
    return registrations.markClientUsed(this.db, clientId);
  }
  cleanup(now: number, batchSize: number, auditRetentionSeconds?: number): Promise<CleanupResult> {
    return cleanup(this.db, now, batchSize, auditRetentionSeconds);
  }

  // The audit trail (audit.ts): shared Kysely code; token.issued rows come batched.
  recordAuditEvents(events: readonly AuditEventRecord[]): Promise<void> {
    return write(audit.recordAuditEvents(this.db, events));
  }
  listAuditEvents(filter: AuditEventFilter): Promise<AuditEventRecord[]> {
    return audit.listAuditEvents(this.db, filter);
  }
  probeWrite(now: number): Promise<void> {
    return this.probe ? this.probe.probeWrite(now) : probeWrite(this.db, this.dialect, now, READINESS_WAIT_MS);
  }
}
