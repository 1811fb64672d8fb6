// The JSON shape of every record the admin API answers with. `gatehouse … --json` prints the same shapes,
// so a script can move between the CLI and the API without translating. Names follow RFC 7591 where it has
// one (client_id, client_name, redirect_uris, grant_types, scope, token_endpoint_auth_method); times are
// ISO 8601 in UTC; lifetimes are whole seconds. Nothing secret appears here except a client secret that
// was just made, and never a hash.
import { isPublicClient } from '../domain/clients.js';
import type { TokenReport } from '../domain/token-inspection.js';
import type { ActClaim, CleanupResult, ClientRecord, InitialAccessTokenRecord, GrantRecord, GrantSummary, JsonWebKeySet, ResourceRecord, UserRecord } from '../store/types.js';
import type { ListedKey } from './keys.js';

export function isoTime(seconds: number): string;
export function isoTime(seconds: number | null): string | null;
export function isoTime(seconds: number | null): string | null {
  return seconds === null ? null : new Date(seconds * 1000).toISOString();
}

export interface ClientView {
  client_id: string;
  client_name: string;
  /** A public client has no secret (token_endpoint_auth_method "none"). */
  public: boolean;
  /** null: a confidential client may use client_secret_basic or client_secret_post. */
  token_endpoint_auth_method: string | null;
  redirect_uris: string[];
  grant_types: string[];
  /** Every scope the client may ask for, space-separated. */
  scope: string;
  access_token_format: string;
  access_token_ttl: number;
  refresh_token_ttl: number;
  refresh_token_grace: number;
  /** Audiences whose access tokens this client may introspect (it is their resource server). */
  resource_server_for: string[];
  /** Token exchange (RFC 8693): resources this client may exchange a user's token for. */
  token_exchange_resources: string[];
  /** First-party: users are never asked for consent. */
  skip_consent: boolean;
  /** private_key_jwt: the client's public keys; null otherwise. */
  jwks: JsonWebKeySet | null;
  jwks_uri: string | null;
  /** OpenID logout (RP-Initiated, Back-Channel, Front-Channel), by their registration names. */
  post_logout_redirect_uris: string[];
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  frontchannel_logout_uri: string | null;
  frontchannel_logout_session_required: boolean;
  /** RFC 9126: authorization requests must come through the PAR endpoint. */
  require_pushed_authorization_requests: boolean;
  dpop_bound_access_tokens: boolean;
  /** What the client shows of itself (RFC 7591 §2); null when not set. */
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  /** Registered by the client itself at /oauth2/register (RFC 7591): users are always asked and told it is not verified. */
  dynamically_registered: boolean;
  /** A dynamic registration never used yet is deleted at this time; null once used (or not dynamic). */
  unused_until: string | null;
  created_at: string;
  updated_at: string;
  /** Only right after creation or rotation: the one time the secret is shown. */
  client_secret?: string;
}

export function clientView(client: ClientRecord, clientSecret?: string | null): ClientView {
  const view: ClientView = {
    client_id: client.clientId,
    client_name: client.name,
    public: isPublicClient(client),
    token_endpoint_auth_method: client.tokenEndpointAuthMethod,
    redirect_uris: client.redirectUris,
    grant_types: client.grantTypes,
    scope: client.scopes.join(' '),
    access_token_format: client.accessTokenFormat,
    access_token_ttl: client.accessTokenTtl,
    refresh_token_ttl: client.refreshTokenTtl,
    refresh_token_grace: client.refreshTokenGrace,
    resource_server_for: client.resourceServerFor,
    token_exchange_resources: client.tokenExchangeResources,
    skip_consent: client.skipConsent,
    jwks: client.jwks,
    jwks_uri: client.jwksUri,
    post_logout_redirect_uris: client.postLogoutRedirectUris,
    backchannel_logout_uri: client.backchannelLogoutUri,
    backchannel_logout_session_required: client.backchannelLogoutSessionRequired,
    frontchannel_logout_uri: client.frontchannelLogoutUri,
    frontchannel_logout_session_required: client.frontchannelLogoutSessionRequired,
    require_pushed_authorization_requests: client.requirePushedAuthorizationRequests,
    dpop_bound_access_tokens: client.dpopBoundAccessTokens,
    logo_uri: client.logoUri,
    client_uri: client.clientUri,
    policy_uri: client.policyUri,
    tos_uri: client.tosUri,
    dynamically_registered: client.registration !== null,
    unused_until: isoTime(client.registration?.unusedUntil ?? null),
    created_at: isoTime(client.createdAt),
    updated_at: isoTime(client.updatedAt),
  };
  if (clientSecret) view.client_secret = clientSecret;
  return view;
}

export interface UserView {
  id: string;
  username: string;
  name: string | null;
  email: string | null;
  created_at: string;
}

export function userView(user: UserRecord): UserView {
  return { id: user.id, username: user.username, name: user.name, email: user.email, created_at: isoTime(user.createdAt) };
}

export interface KeyView {
  kid: string;
  alg: string;
  /** active: signs new tokens; retired: signs nothing, verifies while published. */
  status: 'active' | 'retired';
  /** Whether /.well-known/jwks.json serves it now. */
  published: boolean;
  created_at: string;
  retired_at: string | null;
  /** When a retired key leaves the JWKS; null while active. */
  published_until: string | null;
}

export function keyView({ record: key, published }: ListedKey): KeyView {
  return {
    kid: key.kid,
    alg: key.alg,
    status: key.retiredAt === null ? 'active' : 'retired',
    published,
    created_at: isoTime(key.createdAt),
    retired_at: isoTime(key.retiredAt),
    published_until: isoTime(key.expiresAt),
  };
}

export interface GrantView {
  id: string;
  client_id: string;
  client_name: string;
  /** null for a client_credentials grant. */
  user_id: string | null;
  username: string | null;
  scope: string;
  status: 'active' | 'revoked';
  created_at: string;
  last_used_at: string;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export function grantView(grant: GrantSummary): GrantView {
  return {
    id: grant.id,
    client_id: grant.clientId,
    client_name: grant.clientName,
    user_id: grant.userId,
    username: grant.username,
    scope: grant.scopes.join(' '),
    status: grant.revokedAt === null ? 'active' : 'revoked',
    created_at: isoTime(grant.createdAt),
    last_used_at: isoTime(grant.lastUsedAt),
    revoked_at: isoTime(grant.revokedAt),
    revoked_reason: grant.revokedReason,
  };
}

export interface GrantRevokedView {
  id: string;
  revoked: true;
  revoked_at: string | null;
  revoked_reason: string | null;
}

export function grantRevokedView(grant: GrantRecord): GrantRevokedView {
  return { id: grant.id, revoked: true, revoked_at: isoTime(grant.revokedAt), revoked_reason: grant.revokedReason };
}

export interface TokenReportView {
  kind: TokenReport['kind'];
  status: TokenReport['status'];
  /** When it expired, was revoked or was rotated; null when active or unknown. */
  status_at: string | null;
  revoked_reason: string | null;
  client_id: string | null;
  client_name: string | null;
  user_id: string | null;
  username: string | null;
  scope: string | null;
  audience: string[];
  issued_at: string | null;
  expires_at: string | null;
  grant_id: string | null;
  /** RFC 8693 `act` of an exchanged token: who acts for the user, earlier actors nested; null otherwise. */
  act: ActClaim | null;
}

export function tokenReportView(report: TokenReport): TokenReportView {
  return {
    kind: report.kind,
    status: report.status,
    status_at: isoTime(report.statusAt),
    revoked_reason: report.revokedReason,
    client_id: report.clientId,
    client_name: report.clientName,
    user_id: report.userId,
    username: report.username,
    scope: report.kind === 'unknown' || report.kind === 'id_token' ? null : report.scopes.join(' '),
    audience: report.audience,
    issued_at: isoTime(report.issuedAt),
    expires_at: isoTime(report.expiresAt),
    grant_id: report.grantId,
    act: report.act,
  };
}

export interface CleanupView {
  authorization_codes: number;
  sessions: number;
  interaction_challenges: number;
  access_tokens: number;
  refresh_tokens: number;
  grants: number;
  signing_keys: number;
  device_codes: number;
  client_assertions: number;
  pushed_requests: number;
  dpop_proofs: number;
  initial_access_tokens: number;
  /** Dynamically registered clients that never obtained a token in time. */
  unused_clients: number;
  audit_events: number;
}

export function cleanupView(result: CleanupResult): CleanupView {
  return {
    authorization_codes: result.codes,
    sessions: result.sessions,
    interaction_challenges: result.challenges,
    access_tokens: result.accessTokens,
    refresh_tokens: result.refreshTokens,
    grants: result.grants,
    signing_keys: result.keys,
    device_codes: result.deviceCodes,
    client_assertions: result.clientAssertions,
    pushed_requests: result.pushedRequests,
    dpop_proofs: result.dpopProofs,
    initial_access_tokens: result.initialAccessTokens,
    unused_clients: result.unusedClients,
    audit_events: result.auditEvents,
  };
}

/** An initial access token for dynamic registration; `token` only in the answer that made it. */
export interface RegistrationTokenView {
  id: string;
  token?: string;
  created_at: string;
  expires_at: string;
  /** null: any number of registrations until it expires. */
  max_uses: number | null;
  uses: number;
}

export function registrationTokenView(record: InitialAccessTokenRecord, token?: string): RegistrationTokenView {
  return {
    id: record.id,
    ...(token === undefined ? {} : { token }),
    created_at: isoTime(record.createdAt),
    expires_at: isoTime(record.expiresAt),
    max_uses: record.maxUses,
    uses: record.uses,
  };
}

export interface ResourceView {
  /** The resource indicator (RFC 8707): the access token's `aud` when a client names it. */
  uri: string;
  /** Shown on the consent and connected-apps pages; null shows the URI. */
  name: string | null;
  /** Scopes the resource accepts, space-separated; "" accepts any. */
  scope: string;
  created_at: string;
}

export function resourceView(resource: ResourceRecord): ResourceView {
  return { uri: resource.uri, name: resource.name, scope: resource.scopes.join(' '), created_at: isoTime(resource.createdAt) };
}
