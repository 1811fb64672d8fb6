// The records Gatehouse keeps, and the one store interface the domain uses to keep them.
// The interface is shaped by what the flows need (consume a code and issue tokens atomically, rotate a
// refresh token atomically), not by tables; SQLite and PostgreSQL implement it and pass one contract suite.
// Times are whole seconds since the epoch. Secrets (opaque tokens, codes, client secrets, session ids) are
// only ever handed to the store as SHA-256 hashes.

export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';
export type AccessTokenFormat = 'jwt' | 'opaque';
export type SigningAlg = 'ES256' | 'RS256';

export interface ClientRecord {
  clientId: string;
  name: string;
  /** SHA-256 hex of the secret; null for a public client. */
  secretHash: string | null;
  redirectUris: string[];
  grantTypes: GrantType[];
  /** Every scope the client may ask for. */
  scopes: string[];
  /** null: a confidential client may use either client_secret_basic or client_secret_post. */
  tokenEndpointAuthMethod: TokenEndpointAuthMethod | null;
  accessTokenTtl: number;
  refreshTokenTtl: number;
  /** Seconds during which a just-rotated refresh token may be presented again (0 = off). */
  refreshTokenGrace: number;
  accessTokenFormat: AccessTokenFormat;
  /**
   * Audiences this client serves as a resource server: it may introspect access tokens issued for them.
   * Any client may introspect its own tokens; no other client may (it gets `active: false`).
   */
  resourceServerFor: string[];
  createdAt: number;
  updatedAt: number;
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  name: string | null;
  email: string | null;
  createdAt: number;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
}

export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
}

export interface AuthorizationCodeRecord {
  codeHash: string;
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  nonce: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
  authTime: number;
  createdAt: number;
  expiresAt: number;
  /** Set when the code is redeemed; a second redemption finds it set. */
  consumedAt: number | null;
  /** The grant its redemption created, revoked if the code is replayed. */
  grantId: string | null;
}

/** One authorization: everything issued from one code exchange and the refreshes that followed it. */
export interface GrantRecord {
  id: string;
  clientId: string;
  userId: string | null;
  scopes: string[];
  authTime: number | null;
  nonce: string | null;
  createdAt: number;
  lastUsedAt: number;
  revokedAt: number | null;
  revokedReason: string | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  grantId: string;
  clientId: string;
  userId: string | null;
  scopes: string[];
  createdAt: number;
  expiresAt: number;
  rotatedAt: number | null;
  /** Hash of the token that replaced this one. */
  replacedBy: string | null;
  /**
   * The token response that replaced this one, encrypted with a key derived from this token's own value,
   * kept only for clients with a reuse grace window so a racing process can be given the same answer.
   */
  successorSealed: string | null;
  revokedAt: number | null;
  /** When a retry of this token's rotation was answered (the answer was lost); a rotation is retried only once. */
  retriedAt: number | null;
}

export interface AccessTokenRecord {
  /** The JWT's jti, or the SHA-256 hex of an opaque token. */
  id: string;
  grantId: string | null;
  clientId: string;
  userId: string | null;
  scopes: string[];
  audience: string[];
  format: AccessTokenFormat;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
}

export interface SigningKeyRecord {
  kid: string;
  alg: SigningAlg;
  /** Public JWK as JSON. */
  publicJwk: string;
  /** Private JWK, encrypted with the instance secret. */
  privateJwkSealed: string;
  createdAt: number;
  /** When it stopped signing; null while it is the active key of its algorithm. */
  retiredAt: number | null;
  /** When it stops being published; null while active. */
  expiresAt: number | null;
}

/** A grant with what the connected-apps page and `grants list` show. */
export interface GrantSummary extends GrantRecord {
  clientName: string;
  username: string | null;
}

export interface RefreshTokenContext {
  token: RefreshTokenRecord;
  grant: GrantRecord | undefined;
  /** Undefined when the token has no user or the user is gone. */
  user: UserRecord | undefined;
}

export interface AuthorizationCodeContext {
  code: AuthorizationCodeRecord;
  /** Undefined when the user is gone. */
  user: UserRecord | undefined;
}

export interface NewTokens {
  /** Null for a JWT access token: it is honoured through its grant and needs a row only once revoked. */
  accessToken: AccessTokenRecord | null;
  refreshToken: RefreshTokenRecord | null;
}

export type RedeemCodeResult = { ok: true } | { ok: false; reason: 'already_consumed'; grantId: string | null };
export type RotateRefreshResult = { ok: true } | { ok: false; reason: 'already_rotated' | 'revoked' };
/**
 * Why a lost rotation could not be answered again: `already_retried`, a retry of it was answered already;
 * `successor_used`, the successor was rotated or revoked meanwhile; `revoked`, the token or its grant is gone or revoked.
 */
export type ReplaceSuccessorResult = { ok: true } | { ok: false; reason: 'already_retried' | 'successor_used' | 'revoked' };

export interface CleanupResult {
  codes: number;
  sessions: number;
  accessTokens: number;
  refreshTokens: number;
  grants: number;
  keys: number;
}

export interface Store {
  /** Creates or upgrades the schema. Safe to run by several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // Clients
  createClient(client: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  updateClient(client: ClientRecord): Promise<void>;
  /** Deletes the client and everything issued to it. */
  deleteClient(clientId: string): Promise<boolean>;

  // Users
  createUser(user: UserRecord): Promise<void>;
  getUserById(id: string): Promise<UserRecord | undefined>;
  getUserByUsername(username: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;
  setUserPassword(userId: string, passwordHash: string): Promise<boolean>;
  /** Deletes the user and everything of theirs (sessions, consents, grants and their tokens). */
  deleteUser(userId: string, now: number): Promise<boolean>;

  // Sessions
  createSession(session: SessionRecord): Promise<void>;
  getSession(idHash: string): Promise<SessionRecord | undefined>;
  deleteSession(idHash: string): Promise<void>;
  /** Ends every session of a user (a password change signs them out everywhere); returns how many there were. */
  deleteUserSessions(userId: string): Promise<number>;

  // Consents
  getConsent(userId: string, clientId: string): Promise<ConsentRecord | undefined>;
  saveConsent(consent: ConsentRecord): Promise<void>;

  // Authorization codes and the tokens they lead to
  saveAuthorizationCode(code: AuthorizationCodeRecord): Promise<void>;
  getAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | undefined>;
  /** A code with its user, as a redemption needs them: one round trip where the backend allows. */
  getAuthorizationCodeContext(codeHash: string): Promise<AuthorizationCodeContext | undefined>;
  /** In one transaction: mark the code consumed (only if it was not), create the grant, insert the tokens. */
  redeemAuthorizationCode(codeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemCodeResult>;

  getRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | undefined>;
  /** A refresh token with its grant and user, as a rotation needs them: one round trip where the backend allows. */
  getRefreshTokenContext(tokenHash: string): Promise<RefreshTokenContext | undefined>;
  /** In one transaction: mark the old token rotated (only if it was live), insert the new tokens, touch the grant. */
  rotateRefreshToken(
    oldHash: string,
    now: number,
    tokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<RotateRefreshResult>;

  /**
   * A rotation whose answer was lost, answered again, in one transaction: revoke the rotated token's successor
   * `successorHash` (only if it was never used: not rotated, not revoked), point the rotated token at the new
   * refresh token instead and mark it retried (only once per rotation), insert the new tokens and touch the
   * grant. Of racing calls, exactly one succeeds.
   */
  replaceUnusedSuccessor(
    rotatedHash: string,
    successorHash: string,
    now: number,
    tokens: NewTokens & { refreshToken: RefreshTokenRecord },
    successorSealed: string | null,
  ): Promise<ReplaceSuccessorResult>;

  /** client_credentials: records the access token (no grant: the client acts for itself). */
  issueClientToken(accessToken: AccessTokenRecord): Promise<void>;
  getAccessToken(id: string): Promise<AccessTokenRecord | undefined>;
  revokeAccessToken(id: string, now: number): Promise<void>;

  // Grants
  getGrant(id: string): Promise<GrantRecord | undefined>;
  /** Revokes the grant and with it every access and refresh token it issued; a second call keeps the first time and reason. */
  revokeGrant(id: string, now: number, reason: string): Promise<boolean>;
  /**
   * A grant revoked because its tokens leaked (refresh token reuse, code replay): revokeGrant, and in the same
   * transaction forget the user's consent for its client, so the next authorization asks the user again.
   */
  revokeLeakedGrant(id: string, now: number, reason: string): Promise<boolean>;
  /** Connected apps: revoke every grant of a user for one client and forget the consent, in one transaction. */
  revokeClientAccess(userId: string, clientId: string, now: number, reason: string): Promise<number>;
  listGrants(filter: { userId?: string; clientId?: string; includeRevoked?: boolean }): Promise<GrantSummary[]>;

  // Signing keys
  /** Keys still published at `now` (epoch seconds): active ones and retired ones not yet past expires_at. */
  listSigningKeys(now: number): Promise<SigningKeyRecord[]>;
  insertSigningKey(key: SigningKeyRecord): Promise<void>;
  /**
   * In one transaction: retire the active key of the new key's algorithm (published until retireUntil)
   * and make the new key active. With `onlyIfNone`, inserts only when that algorithm has no active key,
   * so instances starting together make one key, not one each.
   */
  rotateSigningKey(key: SigningKeyRecord, retiredUntil: number, options?: { onlyIfNone?: boolean }): Promise<boolean>;

  // Housekeeping
  cleanup(now: number, batchSize: number): Promise<CleanupResult>;

  // Readiness
  /**
   * Writes one row and reads it back in one transaction (committed, and on SQLite synced like every write). Throws
   * the driver's error when the database does not take the write: read-only, full, or locked by another writer for
   * longer than READINESS_WAIT_MS.
   */
  probeWrite(now: number): Promise<void>;
}
