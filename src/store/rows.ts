// Converting between records (camelCase, arrays) and rows (snake_case, JSON text). Pure functions, no I/O.
import type { Selectable } from 'kysely';
import type {
  AccessTokensTable,
  AuthorizationCodesTable,
  ClientsTable,
  ConsentsTable,
  DeviceCodesTable,
  PushedRequestsTable,
  GrantsTable,
  LogoutDeliveriesTable,
  RefreshTokensTable,
  ResourcesTable,
  SessionsTable,
  SigningKeysTable,
  UsersTable,
} from './schema.js';
import type { PushedRequestRecord } from './types.js';
import type {
  AccessTokenFormat,
  AccessTokenRecord,
  ActClaim,
  AuthorizationCodeRecord,
  ClientRecord,
  ConsentRecord,
  DeviceCodeRecord,
  DeviceCodeStatus,
  GrantRecord,
  GrantedSession,
  RequestParams,
  JsonWebKeySet,
  GrantType,
  LogoutDeliveryRecord,
  RefreshTokenRecord,
  ResourceRecord,
  SessionRecord,
  SigningAlg,
  SigningKeyRecord,
  TokenEndpointAuthMethod,
  UserRecord,
} from './types.js';

const json = (list: readonly string[]): string => JSON.stringify(list);

/** A JSON list column; a corrupt value fails loudly rather than turning into an empty permission set. */
function list<T extends string = string>(text: string): T[] {
  const value: unknown = JSON.parse(text);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
    throw new Error(`store: expected a JSON list of strings, found ${text.slice(0, 40)}`);
  }
  return value as T[];
}

const grantedRow = (granted: GrantedSession | null): string | null => (granted === null ? null : JSON.stringify(granted));

/** A GrantedSession column; a corrupt value fails loudly rather than dropping what the platform granted. */
function grantedRecord(text: string | null): GrantedSession | null {
  if (text === null) return null;
  const value = JSON.parse(text) as Partial<GrantedSession> | null;
  if (value === null || typeof value !== 'object' || !Array.isArray(value.audience) || typeof value.idToken !== 'object' || typeof value.accessToken !== 'object') {
    throw new Error(`store: expected a granted session, found ${text.slice(0, 40)}`);
  }
  return value as GrantedSession;
}

export function clientRow(c: ClientRecord): ClientsTable {
  return {
    client_id: c.clientId,
    name: c.name,
    secret_hash: c.secretHash,
    redirect_uris: json(c.redirectUris),
    grant_types: json(c.grantTypes),
    scopes: json(c.scopes),
    token_endpoint_auth_method: c.tokenEndpointAuthMethod,
    access_token_ttl: c.accessTokenTtl,
    refresh_token_ttl: c.refreshTokenTtl,
    refresh_token_grace: c.refreshTokenGrace,
    access_token_format: c.accessTokenFormat,
    resource_server_for: json(c.resourceServerFor),
    token_exchange_resources: json(c.tokenExchangeResources),
    skip_consent: c.skipConsent ? 1 : 0,
    jwks: c.jwks === null ? null : JSON.stringify(c.jwks),
    jwks_uri: c.jwksUri,
    post_logout_redirect_uris: json(c.postLogoutRedirectUris),
    backchannel_logout_uri: c.backchannelLogoutUri,
    backchannel_logout_session_required: c.backchannelLogoutSessionRequired ? 1 : 0,
    frontchannel_logout_uri: c.frontchannelLogoutUri,
    frontchannel_logout_session_required: c.frontchannelLogoutSessionRequired ? 1 : 0,
    require_pushed_authorization_requests: c.requirePushedAuthorizationRequests ? 1 : 0,
    dpop_bound_access_tokens: c.dpopBoundAccessTokens ? 1 : 0,
    logo_uri: c.logoUri,
    client_uri: c.clientUri,
    policy_uri: c.policyUri,
    tos_uri: c.tosUri,
    registration_token_hash: c.registration?.tokenHash ?? null,
    application_type: c.registration?.applicationType ?? null,
    unused_until: c.registration?.unusedUntil ?? null,
    created_at: c.createdAt,
    updated_at: c.updatedAt,
  };
}

export function clientRecord(r: Selectable<ClientsTable>): ClientRecord {
  return {
    clientId: r.client_id,
    name: r.name,
    secretHash: r.secret_hash,
    redirectUris: list(r.redirect_uris),
    grantTypes: list<GrantType>(r.grant_types),
    scopes: list(r.scopes),
    tokenEndpointAuthMethod: r.token_endpoint_auth_method as TokenEndpointAuthMethod | null,
    accessTokenTtl: r.access_token_ttl,
    refreshTokenTtl: r.refresh_token_ttl,
    refreshTokenGrace: r.refresh_token_grace,
    accessTokenFormat: r.access_token_format as AccessTokenFormat,
    resourceServerFor: list(r.resource_server_for),
    tokenExchangeResources: list(r.token_exchange_resources),
    skipConsent: r.skip_consent === 1,
    jwks: r.jwks === null ? null : (JSON.parse(r.jwks) as JsonWebKeySet),
    jwksUri: r.jwks_uri,
    postLogoutRedirectUris: list(r.post_logout_redirect_uris),
    backchannelLogoutUri: r.backchannel_logout_uri,
    // Number(): PostgreSQL's integer and SQLite's both read back as numbers; a boolean column would not be portable.
    backchannelLogoutSessionRequired: Number(r.backchannel_logout_session_required) === 1,
    frontchannelLogoutUri: r.frontchannel_logout_uri,
    frontchannelLogoutSessionRequired: Number(r.frontchannel_logout_session_required) === 1,
    requirePushedAuthorizationRequests: Number(r.require_pushed_authorization_requests) === 1,
    dpopBoundAccessTokens: Number(r.dpop_bound_access_tokens) === 1,
    logoUri: r.logo_uri,
    clientUri: r.client_uri,
    policyUri: r.policy_uri,
    tosUri: r.tos_uri,
    registration: r.registration_token_hash === null
      ? null
      : { tokenHash: r.registration_token_hash, applicationType: r.application_type === 'native' ? 'native' : 'web', unusedUntil: r.unused_until === null ? null : Number(r.unused_until) },
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export function userRow(u: UserRecord): UsersTable {
  return { id: u.id, username: u.username, password_hash: u.passwordHash, name: u.name, email: u.email, created_at: u.createdAt, external: u.external ? 1 : 0 };
}

export function userRecord(r: Selectable<UsersTable>): UserRecord {
  return { id: r.id, username: r.username, passwordHash: r.password_hash, name: r.name, email: r.email, createdAt: r.created_at, external: r.external === 1 };
}

export function sessionRow(s: SessionRecord): SessionsTable {
  return { id_hash: s.idHash, user_id: s.userId, auth_time: s.authTime, expires_at: s.expiresAt, sid: s.sid };
}

export function sessionRecord(r: Selectable<SessionsTable>): SessionRecord {
  return { idHash: r.id_hash, userId: r.user_id, authTime: r.auth_time, expiresAt: r.expires_at, sid: r.sid };
}

export function consentRow(c: ConsentRecord): ConsentsTable {
  return {
    user_id: c.userId, client_id: c.clientId, scopes: json(c.scopes), created_at: c.createdAt, updated_at: c.updatedAt,
    granted: grantedRow(c.granted), expires_at: c.expiresAt,
  };
}

export function consentRecord(r: Selectable<ConsentsTable>): ConsentRecord {
  return {
    userId: r.user_id, clientId: r.client_id, scopes: list(r.scopes), createdAt: r.created_at, updatedAt: r.updated_at,
    granted: grantedRecord(r.granted), expiresAt: r.expires_at,
  };
}

export function codeRow(c: AuthorizationCodeRecord): AuthorizationCodesTable {
  return {
    code_hash: c.codeHash,
    client_id: c.clientId,
    user_id: c.userId,
    redirect_uri: c.redirectUri,
    scopes: json(c.scopes),
    nonce: c.nonce,
    code_challenge: c.codeChallenge,
    code_challenge_method: c.codeChallengeMethod,
    auth_time: c.authTime,
    created_at: c.createdAt,
    expires_at: c.expiresAt,
    consumed_at: c.consumedAt,
    grant_id: c.grantId,
    granted: grantedRow(c.granted),
    session_id: c.sessionId,
    dpop_jkt: c.dpopJkt,
  };
}

export function codeRecord(r: Selectable<AuthorizationCodesTable>): AuthorizationCodeRecord {
  return {
    codeHash: r.code_hash,
    clientId: r.client_id,
    userId: r.user_id,
    redirectUri: r.redirect_uri,
    scopes: list(r.scopes),
    nonce: r.nonce,
    codeChallenge: r.code_challenge,
    codeChallengeMethod: r.code_challenge_method,
    authTime: r.auth_time,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    consumedAt: r.consumed_at,
    grantId: r.grant_id,
    granted: grantedRecord(r.granted),
    sessionId: r.session_id,
    dpopJkt: r.dpop_jkt,
  };
}

export function grantRow(g: GrantRecord): GrantsTable {
  return {
    id: g.id,
    client_id: g.clientId,
    user_id: g.userId,
    scopes: json(g.scopes),
    auth_time: g.authTime,
    nonce: g.nonce,
    created_at: g.createdAt,
    last_used_at: g.lastUsedAt,
    revoked_at: g.revokedAt,
    revoked_reason: g.revokedReason,
    granted: grantedRow(g.granted),
    session_id: g.sessionId,
  };
}

export function grantRecord(r: Selectable<GrantsTable>): GrantRecord {
  return {
    id: r.id,
    clientId: r.client_id,
    userId: r.user_id,
    scopes: list(r.scopes),
    authTime: r.auth_time,
    nonce: r.nonce,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    revokedReason: r.revoked_reason,
    granted: grantedRecord(r.granted),
    sessionId: r.session_id,
  };
}

export function refreshTokenRow(t: RefreshTokenRecord): RefreshTokensTable {
  return {
    token_hash: t.tokenHash,
    grant_id: t.grantId,
    client_id: t.clientId,
    user_id: t.userId,
    scopes: json(t.scopes),
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    rotated_at: t.rotatedAt,
    replaced_by: t.replacedBy,
    successor_sealed: t.successorSealed,
    revoked_at: t.revokedAt,
    retried_at: t.retriedAt,
    dpop_jkt: t.dpopJkt,
  };
}

export function refreshTokenRecord(r: Selectable<RefreshTokensTable>): RefreshTokenRecord {
  return {
    tokenHash: r.token_hash,
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    scopes: list(r.scopes),
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    rotatedAt: r.rotated_at,
    replacedBy: r.replaced_by,
    successorSealed: r.successor_sealed,
    revokedAt: r.revoked_at,
    retriedAt: r.retried_at,
    dpopJkt: r.dpop_jkt,
  };
}

export function accessTokenRow(t: AccessTokenRecord): AccessTokensTable {
  return {
    id: t.id,
    grant_id: t.grantId,
    client_id: t.clientId,
    user_id: t.userId,
    scopes: json(t.scopes),
    audience: json(t.audience),
    format: t.format,
    created_at: t.createdAt,
    expires_at: t.expiresAt,
    revoked_at: t.revokedAt,
    dpop_jkt: t.dpopJkt,
    act: t.act ? JSON.stringify(t.act) : null,
  };
}

export function accessTokenRecord(r: Selectable<AccessTokensTable>): AccessTokenRecord {
  return {
    id: r.id,
    grantId: r.grant_id,
    clientId: r.client_id,
    userId: r.user_id,
    scopes: list(r.scopes),
    audience: list(r.audience),
    format: r.format as AccessTokenFormat,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    dpopJkt: r.dpop_jkt,
    ...(r.act ? { act: JSON.parse(r.act) as ActClaim } : {}),
  };
}

/** A token row read joined with its grant's revoked_at (as grant_revoked_at). */
export type WithGrantRevocation<Row> = Row & { grant_revoked_at: number | null };

// The grant is the authority: revoking it marks its tokens too, but a revoked grant always shows regardless.
export function refreshTokenWithGrant(r: WithGrantRevocation<Selectable<RefreshTokensTable>>): RefreshTokenRecord {
  return { ...refreshTokenRecord(r), revokedAt: r.revoked_at ?? r.grant_revoked_at };
}

export function accessTokenWithGrant(r: WithGrantRevocation<Selectable<AccessTokensTable>>): AccessTokenRecord {
  return { ...accessTokenRecord(r), revokedAt: r.revoked_at ?? r.grant_revoked_at };
}

export function logoutDeliveryRecord(r: Selectable<LogoutDeliveriesTable>): LogoutDeliveryRecord {
  return {
    sid: r.sid,
    clientId: r.client_id,
    userId: r.user_id,
    createdAt: r.created_at,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
  };
}

export function signingKeyRow(k: SigningKeyRecord): SigningKeysTable {
  return {
    kid: k.kid,
    alg: k.alg,
    public_jwk: k.publicJwk,
    private_jwk_sealed: k.privateJwkSealed,
    created_at: k.createdAt,
    retired_at: k.retiredAt,
    expires_at: k.expiresAt,
  };
}

export function signingKeyRecord(r: Selectable<SigningKeysTable>): SigningKeyRecord {
  return {
    kid: r.kid,
    alg: r.alg as SigningAlg,
    publicJwk: r.public_jwk,
    privateJwkSealed: r.private_jwk_sealed,
    createdAt: r.created_at,
    retiredAt: r.retired_at,
    expiresAt: r.expires_at,
  };
}

export function deviceCodeRow(d: DeviceCodeRecord): DeviceCodesTable {
  return {
    device_code_hash: d.deviceCodeHash,
    user_code_hash: d.userCodeHash,
    client_id: d.clientId,
    scopes: json(d.scopes),
    status: d.status,
    user_id: d.userId,
    auth_time: d.authTime,
    poll_interval: d.interval,
    last_polled_at: d.lastPolledAt,
    created_at: d.createdAt,
    expires_at: d.expiresAt,
    decided_at: d.decidedAt,
    consumed_at: d.consumedAt,
    grant_id: d.grantId,
    granted: grantedRow(d.granted),
  };
}

const DEVICE_CODE_STATUSES: readonly DeviceCodeStatus[] = ['pending', 'approved', 'denied'];

export function deviceCodeRecord(r: Selectable<DeviceCodesTable>): DeviceCodeRecord {
  if (!DEVICE_CODE_STATUSES.includes(r.status as DeviceCodeStatus)) throw new Error(`store: unknown device code status ${r.status.slice(0, 20)}`);
  return {
    deviceCodeHash: r.device_code_hash,
    userCodeHash: r.user_code_hash,
    clientId: r.client_id,
    scopes: list(r.scopes),
    status: r.status as DeviceCodeStatus,
    userId: r.user_id,
    authTime: r.auth_time,
    interval: r.poll_interval,
    lastPolledAt: r.last_polled_at,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    decidedAt: r.decided_at,
    consumedAt: r.consumed_at,
    grantId: r.grant_id,
    granted: grantedRecord(r.granted),
  };
}

export function resourceRow(r: ResourceRecord): ResourcesTable {
  return { uri: r.uri, name: r.name, scopes: json(r.scopes), created_at: r.createdAt };
}

export function resourceRecord(r: Selectable<ResourcesTable>): ResourceRecord {
  return { uri: r.uri, name: r.name, scopes: list(r.scopes), createdAt: Number(r.created_at) };
}

export function pushedRequestRow(p: PushedRequestRecord): PushedRequestsTable {
  return {
    request_hash: p.requestHash,
    client_id: p.clientId,
    params: JSON.stringify(p.params),
    created_at: p.createdAt,
    expires_at: p.expiresAt,
    used_at: p.usedAt,
  };
}

export function pushedRequestRecord(r: Selectable<PushedRequestsTable>): PushedRequestRecord {
  return {
    requestHash: r.request_hash,
    clientId: r.client_id,
    params: JSON.parse(r.params) as RequestParams,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    usedAt: r.used_at,
  };
}
