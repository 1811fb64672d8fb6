// The Store over Kysely, shared by SQLite and PostgreSQL: the queries live in queries/, the few dialect
// differences in dialect.ts. This class only wires them together and maps driver errors to store errors.
import type { Kysely } from 'kysely';
import type { Dialect } from './dialect.js';
import { rethrowDuplicate } from './errors.js';
import { migrateToLatest } from './migrations/index.js';
import * as accounts from './queries/accounts.js';
import { cleanup } from './queries/cleanup.js';
import * as grants from './queries/grants.js';
import * as keys from './queries/signing-keys.js';
import { probeWrite } from './queries/readiness.js';
import * as tokens from './queries/tokens.js';
import type { Database } from './schema.js';
import type {
  AccessTokenRecord,
  AuthorizationCodeContext,
  AuthorizationCodeRecord,
  CleanupResult,
  ClientRecord,
  ConsentRecord,
  GrantRecord,
  GrantSummary,
  NewTokens,
  RedeemCodeResult,
  RefreshTokenContext,
  RefreshTokenRecord,
  ReplaceSuccessorResult,
  RotateRefreshResult,
  SessionRecord,
  SigningKeyRecord,
  Store,
  UserRecord,
} from './types.js';

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
  ) {}

  migrate(): Promise<void> {
    return migrateToLatest(this.db, this.dialect);
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  createClient(client: ClientRecord): Promise<void> {
    return write(accounts.createClient(this.db, client));
  }
  getClient(clientId: string): Promise<ClientRecord | undefined> {
    return accounts.getClient(this.db, clientId);
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

  createUser(user: UserRecord): Promise<void> {
    return write(accounts.createUser(this.db, user));
  }
  getUserById(id: string): Promise<UserRecord | undefined> {
    return accounts.getUserById(this.db, id);
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
  /** Deletes the user with everything of theirs (sessions, consents, codes, grants and tokens); `now` is not needed. */
  deleteUser(userId: string, _now: number): Promise<boolean> {
    return accounts.deleteUser(this.db, userId);
  }

  createSession(session: SessionRecord): Promise<void> {
    return write(accounts.createSession(this.db, session));
  }
  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return accounts.getSession(this.db, idHash);
  }
  deleteSession(idHash: string): Promise<void> {
    return accounts.deleteSession(this.db, idHash);
  }
  deleteUserSessions(userId: string): Promise<number> {
    return accounts.deleteUserSessions(this.db, userId);
  }

  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    return accounts.getConsent(this.db, userId, clientId);
  }
  saveConsent(consent: ConsentRecord): Promise<void> {
    return write(accounts.saveConsent(this.db, consent));
  }

  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void> {
    return write(tokens.saveAuthorizationCode(this.db, code));
  }
  getAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined> {
    return tokens.getAuthorizationCode(this.db, codeHash);
  }
  async getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined> {
    const code = await this.getAuthorizationCode(codeHash);
    return code && { code, user: await this.getUserById(code.userId) };
  }
  redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, newTokens: NewTokens): Promise<RedeemCodeResult> {
    return write(tokens.redeemAuthorizationCode(this.db, codeHash, now, grant, newTokens));
  }

  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined> {
    return tokens.getRefreshToken(this.db, tokenHash);
  }
  async getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined> {
    const token = await this.getRefreshToken(tokenHash);
    if (!token) return undefined;
    const [grant, user] = await Promise.all([this.getGrant(token.grantId), token.userId ? this.getUserById(token.userId) : undefined]);
    return { token, grant, user };
  }
  rotateRefreshToken(
    oldHash: string,
    now: number,
    newTokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<RotateRefreshResult> {
    return write(tokens.rotateRefreshToken(this.db, oldHash, now, newTokens, successorSealed));
  }

  // One implementation for both backends: a retry after a lost answer is rare, so it needs no hot path.
  replaceUnusedSuccessor(
    rotatedHash: string,
    successorHash: string,
    now: number,
    newTokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<ReplaceSuccessorResult> {
    return write(tokens.replaceUnusedSuccessor(this.db, rotatedHash, successorHash, now, newTokens, successorSealed));
  }

  issueClientToken(accessToken: AccessTokenRecord): Promise<void> {
    return write(tokens.issueClientToken(this.db, accessToken));
  }
  getAccessToken(id: string): Promise<AccessTokenRecord | undefined> {
    return tokens.getAccessToken(this.db, id);
  }
  revokeAccessToken(id: string, now: number): Promise<void> {
    return tokens.revokeAccessToken(this.db, id, now);
  }

  getGrant(id: string): Promise<GrantRecord | undefined> {
    return grants.getGrant(this.db, id);
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

  cleanup(now: number, batchSize: number): Promise<CleanupResult> {
    return cleanup(this.db, now, batchSize);
  }

  probeWrite(now: number): Promise<void> {
    return probeWrite(this.db, this.dialect, now, READINESS_WAIT_MS);
  }
}
