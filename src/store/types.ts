// The records Gatehouse keeps, and the Store the composition root opens. The interfaces the flows use are shaped
// by what each flow needs, not by tables: token-flows.ts, interactions.ts, device-flows.ts, administration.ts, lookups.ts.
// Times are whole seconds since the epoch. Secrets (opaque tokens, codes, client secrets, session ids) are
// only ever handed to the store as SHA-256 hashes.

import type { JsonWebKey } from 'node:crypto';
import type { AdminWrites, AdminStore } from './administration.js';
import type { AuditStore, AuditWrites } from './audit.js';
import type { DeviceFlowStore, DeviceFlowWrites } from './device-flows.js';
import type { PushedRequestStore, PushedRequestWrites } from './pushed-requests.js';
import type { InteractionStore, InteractionWrites } from './interactions.js';
import type { LogoutStore, LogoutWrites } from './logout.js';
import type { ClientAssertionWrites } from './client-assertions.js';
import type { DpopProofWrites } from './dpop-proofs.js';
import type { RegistrationStore, RegistrationWrites } from './registrations.js';
import type { TokenFlowStore, TokenFlowWrites } from './token-flows.js';

/** RFC 8628's grant type, as clients send it and as it is registered. */
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
/** RFC 8693 token exchange: a user's access token traded for a narrower one for another resource, `act` naming who acts. */
export const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange';
export type GrantType = 'authorization_code' | 'refresh_token' | 'client_credentials' | typeof DEVICE_CODE_GRANT | typeof TOKEN_EXCHANGE_GRANT;
export type TokenEndpointAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt' | 'none';
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
  /** Token exchange (RFC 8693): the resources this client may exchange a user's token for; [] allows none. */
  tokenExchangeResources: string[];
  /** First-party: consent is never asked (the built-in page and the platform's alike). */
  skipConsent: boolean;
  /** The public keys a private_key_jwt client signs its assertions with (RFC 7517 JWK Set); null otherwise. */
  jwks: JsonWebKeySet | null;
  /** Or where the client publishes them (https; fetched under the outbound rules); null otherwise. */
  jwksUri: string | null;
  /** Where RP-Initiated Logout may send the browser afterwards: exact match, as redirect URIs. */
  postLogoutRedirectUris: string[];
  /** Back-Channel Logout 1.0: where logout tokens are POSTed; null when the client takes none. */
  backchannelLogoutUri: string | null;
  /** The logout token must carry `sid`. */
  backchannelLogoutSessionRequired: boolean;
  /** Front-Channel Logout 1.0: loaded in an invisible iframe of the signed-out page; null when none. */
  frontchannelLogoutUri: string | null;
  /** The front-channel URI gets `iss` and `sid` query parameters. */
  frontchannelLogoutSessionRequired: boolean;
  /** Authorization requests must come through the PAR endpoint (RFC 9126 require_pushed_authorization_requests). */
  requirePushedAuthorizationRequests: boolean;
  /** Every token request must carry a DPoP proof, so every token is sender-constrained (RFC 9449 §5.2 dpop_bound_access_tokens). */
  dpopBoundAccessTokens: boolean;
  /** What the client shows of itself (RFC 7591 §2): https URLs (http on loopback), or null. */
  logoUri: string | null;
  clientUri: string | null;
  policyUri: string | null;
  tosUri: string | null;
  /** Registered at /oauth2/register (RFC 7591); null for clients made by the CLI or the admin API. */
  registration: ClientRegistration | null;
  createdAt: number;
  updatedAt: number;
}

/** How a dynamically registered client was registered (RFC 7591, RFC 7592). */
export interface ClientRegistration {
  /** SHA-256 hex of its registration access token (RFC 7592), which reads, replaces and deletes it. */
  tokenHash: string;
  /** OIDC's application_type: private-use scheme redirect URIs only for native. */
  applicationType: 'web' | 'native';
  /** Deleted by housekeeping when it has obtained no token by then; null once it has. */
  unusedUntil: number | null;
}

/** An initial access token (RFC 7591 §3) for GATEHOUSE_REGISTRATION=token; the token itself is kept only as a hash. */
export interface InitialAccessTokenRecord {
  id: string;
  tokenHash: string;
  createdAt: number;
  expiresAt: number;
  /** null: any number of registrations until it expires. */
  maxUses: number | null;
  uses: number;
}

/** A JSON Web Key Set of public keys (RFC 7517 §5), as a client registers it. */
export interface JsonWebKeySet {
  keys: JsonWebKey[];
}

export interface UserRecord {
  id: string;
  username: string;
  passwordHash: string;
  name: string | null;
  email: string | null;
  createdAt: number;
  /** A subject the platform signed in (delegated login): its id is the platform's subject, it has no password. */
  external: boolean;
}

export interface SessionRecord {
  idHash: string;
  userId: string;
  authTime: number;
  expiresAt: number;
  /**
   * The public session identifier (the ID token's `sid`, logout tokens, front-channel logout): random, and never the
   * cookie value. Null for a session started before sessions had one.
   */
  sid: string | null;
}

/** A session that was ended, with the clients that were issued codes in it (logout notifies them). */
export interface EndedSession {
  session: SessionRecord;
  clientIds: string[];
}

/** A back-channel logout token still to be sent (the sender signs it when it sends it). */
export interface LogoutDeliveryRecord {
  sid: string;
  clientId: string;
  /** The logout token's `sub`. */
  userId: string;
  createdAt: number;
  /** Attempts made (a leased delivery counts the attempt in progress). */
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
}

export interface ConsentRecord {
  userId: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  updatedAt: number;
  /** What a delegated consent granted beyond scopes; null for the built-in consent page. */
  granted: GrantedSession | null;
  /** A consent remembered for a while (remember_for) ends then; null: until withdrawn. */
  expiresAt: number | null;
}

/** A registered resource (RFC 8707): a URI clients may name in `resource`, so tokens carry it as their audience. */
export interface ResourceRecord {
  /** An absolute URI without fragment (RFC 8707 §2). */
  uri: string;
  /** Shown on the consent and connected-apps pages; null shows the URI. */
  name: string | null;
  /** The scopes the resource accepts; empty accepts any. */
  scopes: string[];
  createdAt: number;
}

/**
 * What the platform's consent granted beyond scopes (Hydra's accept-consent body). On a code, a grant or a
 * remembered consent; null there means Gatehouse's defaults (the default audience, the user's own claims).
 */
export interface GrantedSession {
  /** The access token's audience (grant_access_token_audience). */
  audience: string[];
  /** Extra ID-token and userinfo claims (session.id_token). */
  idToken: Record<string, unknown>;
  /** Extra access-token claims, shown under `ext` (session.access_token). */
  accessToken: Record<string, unknown>;
  acr?: string;
  amr?: string[];
}

export type ChallengeKind = 'login' | 'consent' | 'logout' | 'device';

/** A verifier's redemption: the challenge, or why it cannot be used (nothing was changed then). */
export type RedeemResult = { ok: true; challenge: ChallengeRecord } | { ok: false; reason: 'unknown' | 'used' | 'other_browser' | 'expired' };

/** What the login step decided, carried by the consent challenge to the code. */
export interface LoginDecision {
  authTime: number;
  acr?: string;
  amr?: string[];
  /** Hydra's `context`: whatever the login page wants the consent page to see. */
  context?: unknown;
}

/** The platform's answer to a challenge, as the admin API received it (already validated). */
export type ChallengeOutcome =
  | { accepted: true; login?: AcceptedLogin; consent?: AcceptedConsent; device?: { userCode: string } }
  | { accepted: false; error: RejectionError; errorDescription: string; statusCode: number };

/** The OAuth errors a platform's page may answer with (sent to the client's redirect_uri). */
export type RejectionError = 'access_denied' | 'login_required' | 'consent_required' | 'interaction_required' | 'invalid_request' | 'invalid_scope' | 'temporarily_unavailable' | 'server_error';

export interface AcceptedLogin {
  subject: string;
  remember: boolean;
  /** Seconds; 0 with remember: as long as a built-in sign-in session. */
  rememberFor: number;
  acr?: string;
  amr?: string[];
  context?: unknown;
  /** Replace a live session with a new one of the remembered lifetime (Hydra's extend_session_lifespan). */
  extendSession: boolean;
}

export interface AcceptedConsent {
  grantScope: string[];
  remember: boolean;
  rememberFor: number;
  granted: GrantedSession;
}

/**
 * A request's parameters as validated: one string each, except `resource` (RFC 8707), the one parameter that may
 * repeat, which is a list when it was sent more than once (oauth/params.ts).
 */
export type RequestParams = Record<string, string | string[]>;

/** A login, consent or logout request handed to the platform's page; single use, short-lived, bound to one browser. */
export interface ChallengeRecord {
  challengeHash: string;
  kind: ChallengeKind;
  /** Null only for a logout that names no client. */
  clientId: string | null;
  /** The request's parameters (authorization or logout), as validated. */
  request: RequestParams;
  browserHash: string;
  /** Consent: the subject the login step accepted. Login: the signed-in subject when `skip`. Logout: who signs out. */
  subject: string | null;
  skip: boolean;
  loginSessionId: string | null;
  login: LoginDecision | null;
  outcome: ChallengeOutcome | null;
  verifierHash: string | null;
  createdAt: number;
  expiresAt: number;
  handledAt: number | null;
  usedAt: number | null;
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
  /** What a delegated consent granted beyond scopes; null: the defaults. */
  granted: GrantedSession | null;
  /** The sid of the session the code was issued in (null: none, or a session without one). */
  sessionId: string | null;
  /** The DPoP key the authorization request bound the code to (RFC 9449 §10 dpop_jkt); null: none. */
  dpopJkt: string | null;
}

export type DeviceCodeStatus = 'pending' | 'approved' | 'denied';

/** A device authorization request (RFC 8628): the device polls with its device code while the user decides. */
export interface DeviceCodeRecord {
  deviceCodeHash: string;
  /** SHA-256 hex of the user code in its normal form (8 letters, no dash). */
  userCodeHash: string;
  clientId: string;
  /** The scopes asked for; once approved, the scopes the user allowed. */
  scopes: string[];
  status: DeviceCodeStatus;
  /** Who decided; null while pending. */
  userId: string | null;
  /** When that user signed in; null while pending. */
  authTime: number | null;
  /** Seconds the device must wait between polls; slow_down adds 5. */
  interval: number;
  lastPolledAt: number | null;
  createdAt: number;
  expiresAt: number;
  decidedAt: number | null;
  /** Set when tokens are issued for it; a second exchange finds it set. */
  consumedAt: number | null;
  /** The grant its exchange created. */
  grantId: string | null;
  /** What the platform's consent page granted beyond scopes (delegated sign-in); null: the defaults. */
  granted: GrantedSession | null;
}

export interface DeviceCodeContext {
  code: DeviceCodeRecord;
  /** Undefined while pending, or when the user is gone. */
  user: UserRecord | undefined;
}

/** What a device's poll found: `slowDown` when it came sooner than the interval (which has now grown by 5 s). */
export type DevicePollResult = { found: false } | { found: true; slowDown: boolean; interval: number };
export type DeviceDecision =
  | { approve: true; userId: string; scopes: string[]; authTime: number; granted: GrantedSession | null }
  /** userId null: refused before anyone signed in (the platform's login page rejected it). */
  | { approve: false; userId: string | null };
export type RedeemDeviceCodeResult = { ok: true } | { ok: false; reason: 'already_consumed' | 'not_approved' };

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
  /** What a delegated consent granted beyond scopes; null: the defaults. */
  granted: GrantedSession | null;
  /** The sid of the session its code was issued in: ID tokens issued on refresh carry it as `sid`. */
  sessionId: string | null;
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
  /** JWK thumbprint of the DPoP key this token is bound to (public clients, RFC 9449 §5); its successors keep it. */
  dpopJkt: string | null;
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
  /** JWK thumbprint of the DPoP key the token is bound to (cnf.jkt, RFC 9449 §6); null for a Bearer token. */
  dpopJkt: string | null;
  /**
   * RFC 8693 §4.1 `act` of a token made by token exchange: who acts for the user (`sub`), nesting the actors of
   * earlier exchanges; absent on every other token.
   */
  act?: ActClaim;
}

/** RFC 8693 §4.1: the acting party, and under `act` the one that acted before it. */
export interface ActClaim {
  sub: string;
  act?: ActClaim;
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
  /** Login and consent challenges past their lifetime, answered or not. */
  challenges: number;
  accessTokens: number;
  refreshTokens: number;
  grants: number;
  keys: number;
  deviceCodes: number;
  /** Used client assertions (private_key_jwt) past their expiry. */
  clientAssertions: number;
  /** Pushed authorization requests (RFC 9126) past their lifetime, used or not. */
  pushedRequests: number;
  /** DPoP proofs' jtis (RFC 9449) past the time their proof could be accepted. */
  dpopProofs: number;
  /** Initial access tokens (dynamic registration) past their expiry. */
  initialAccessTokens: number;
  /** Dynamically registered clients that obtained no token before their unused_until (GATEHOUSE_REGISTRATION_UNUSED_TTL). */
  unusedClients: number;
  /** Audit events older than the retention (GATEHOUSE_AUDIT_RETENTION). */
  auditEvents: number;
}

/** One security event as stored (domain/audit.ts names the events and their fields). Never holds a secret. */
export interface AuditEventRecord {
  id: string;
  /** Whole epoch seconds. */
  at: number;
  event: string;
  /** Who did it: user, client, admin, cli, login_app or system. */
  actorType: string;
  /** The user id, client_id, admin identity or OS user; null when the actor has none (system). */
  actorId: string | null;
  /** Whom it concerns: a user id or username (a failed sign-in's username as typed). */
  subject: string | null;
  clientId: string | null;
  grantType: string | null;
  /** The client address of the request, through the configured proxy trust. */
  address: string | null;
  outcome: string | null;
  detail: Record<string, string | number | boolean | string[] | null>;
}

export interface AuditEventFilter {
  event?: string;
  clientId?: string;
  /** Matches the subject or the actor id. */
  user?: string;
  /** Only events at or after this time. */
  since?: number;
  limit: number;
}

/** A request a client pushed to the PAR endpoint (RFC 9126): its request_uri only as a hash. */
export interface PushedRequestRecord {
  /** SHA-256 hex of the random part of the request_uri. */
  requestHash: string;
  clientId: string;
  /** The authorization request's parameters, as validated when pushed. */
  params: RequestParams;
  createdAt: number;
  expiresAt: number;
  usedAt: number | null;
}

/** `unknown`: no such request for this client (or none at all); `used`: used already; `expired`: too late. */
export type ConsumePushedRequestResult = { ok: true; request: PushedRequestRecord } | { ok: false; reason: 'unknown' | 'used' | 'expired' };

/**
 * Every flow's storage in one object, for the composition root (services.ts, the CLI's context) alone: protocol and
 * domain modules receive the narrow interface they use (TokenFlowStore, InteractionStore, AdminStore, LookupStore).
 */
export interface Store extends TokenFlowStore, InteractionStore, AdminStore, DeviceFlowStore, LogoutStore, ClientAssertionWrites, PushedRequestStore, RegistrationStore, DpopProofWrites, AuditStore {
  /** Creates or upgrades the schema. Safe to run by several instances at once. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

/** Every method that writes: what each write interface declares, and only that (see sqlite/group-sync.ts). */
export type StoreWrites = TokenFlowWrites & InteractionWrites & AdminWrites & DeviceFlowWrites & LogoutWrites & ClientAssertionWrites & PushedRequestWrites & RegistrationWrites & DpopProofWrites & AuditWrites;
