// The tables as Kysely sees them: one typed interface for both SQLite and PostgreSQL.
// Times are whole epoch seconds (bigint in PostgreSQL, read back as numbers through the int8 parser).
// String lists (scopes, redirect URIs, grant types, audience) are JSON text, so both dialects store them alike.

export interface ClientsTable {
  client_id: string;
  name: string;
  secret_hash: string | null;
  /** JSON string[] */
  redirect_uris: string;
  /** JSON GrantType[] */
  grant_types: string;
  /** JSON string[] */
  scopes: string;
  token_endpoint_auth_method: string | null;
  access_token_ttl: number;
  refresh_token_ttl: number;
  refresh_token_grace: number;
  access_token_format: string;
  /** JSON string[]: audiences whose access tokens this client may introspect. */
  resource_server_for: string;
  /** JSON string[]: resources this client may exchange tokens for (RFC 8693). */
  token_exchange_resources: string;
  /** 1: first-party, consent is never asked. */
  skip_consent: number;
  /** JSON {"keys": [...]}: the client's public keys (private_key_jwt), or null. */
  jwks: string | null;
  /** https URL of the client's published JWK Set (private_key_jwt), or null. */
  jwks_uri: string | null;
  /** JSON string[]: where RP-Initiated Logout may send the browser afterwards (migration 0005). */
  post_logout_redirect_uris: string;
  backchannel_logout_uri: string | null;
  /** 0 or 1. */
  backchannel_logout_session_required: number;
  frontchannel_logout_uri: string | null;
  /** 0 or 1. */
  frontchannel_logout_session_required: number;
  /** 1: authorization requests must come through PAR (RFC 9126, migration 0008). */
  require_pushed_authorization_requests: number;
  /** 1: every token request must carry a DPoP proof (RFC 9449 §5.2, migration 0011). */
  dpop_bound_access_tokens: number;
  /** What the client shows of itself (RFC 7591 §2; migration 0010): https URLs, or null. */
  logo_uri: string | null;
  client_uri: string | null;
  policy_uri: string | null;
  tos_uri: string | null;
  /** SHA-256 hex of the RFC 7592 registration access token; non-null only for dynamically registered clients. */
  registration_token_hash: string | null;
  /** 'web' or 'native' (OIDC Dynamic Client Registration), for dynamically registered clients; null otherwise. */
  application_type: string | null;
  /** A dynamically registered client that has obtained no token by then is deleted by housekeeping; null once used. */
  unused_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  password_hash: string;
  name: string | null;
  email: string | null;
  created_at: number;
  /** 1: a subject the platform signed in (delegated login); no password here. */
  external: number;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  auth_time: number;
  expires_at: number;
  /** The public session id (ID tokens' `sid`); null for sessions started before migration 0005. */
  sid: string | null;
}

export interface ConsentsTable {
  user_id: string;
  client_id: string;
  /** JSON string[] */
  scopes: string;
  created_at: number;
  updated_at: number;
  /** JSON GrantedSession, or null */
  granted: string | null;
  expires_at: number | null;
}

export interface AuthorizationCodesTable {
  code_hash: string;
  client_id: string;
  user_id: string;
  redirect_uri: string;
  /** JSON string[] */
  scopes: string;
  nonce: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  auth_time: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  /** Soft reference (no foreign key): it is written before the grant row exists, in the same transaction. */
  grant_id: string | null;
  /** JSON GrantedSession, or null */
  granted: string | null;
  /** The sid of the session the code was issued in (migration 0005). */
  session_id: string | null;
  /** The DPoP key thumbprint the code is bound to (RFC 9449 §10, migration 0011): its exchange needs a proof by that key. */
  dpop_jkt: string | null;
}

export interface GrantsTable {
  id: string;
  client_id: string;
  user_id: string | null;
  /** JSON string[] */
  scopes: string;
  auth_time: number | null;
  nonce: string | null;
  created_at: number;
  last_used_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
  /** JSON GrantedSession, or null */
  granted: string | null;
  /** The sid of the session its code was issued in: ID tokens issued on refresh name it (migration 0005). */
  session_id: string | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  grant_id: string;
  client_id: string;
  user_id: string | null;
  /** JSON string[] */
  scopes: string;
  created_at: number;
  expires_at: number;
  rotated_at: number | null;
  replaced_by: string | null;
  successor_sealed: string | null;
  revoked_at: number | null;
  retried_at: number | null;
  /** Thumbprint (RFC 7638) of the DPoP key a public client's refresh token is bound to; null when unbound (migration 0011). */
  dpop_jkt: string | null;
}

export interface AccessTokensTable {
  id: string;
  grant_id: string | null;
  client_id: string;
  user_id: string | null;
  /** JSON string[] */
  scopes: string;
  /** JSON string[] */
  audience: string;
  format: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** Thumbprint of the DPoP key the token is bound to (cnf.jkt); null for a Bearer token (migration 0011). */
  dpop_jkt: string | null;
  /** JSON ActClaim of an exchanged token (RFC 8693); null otherwise. */
  act: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_sealed: string;
  created_at: number;
  retired_at: number | null;
  expires_at: number | null;
}

/** A pushed authorization request (RFC 9126, migration 0008): the request_uri only as a hash. */
export interface PushedRequestsTable {
  request_hash: string;
  client_id: string;
  /** JSON Record<string, string> */
  params: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A security event (migration 0013): written once, never updated; no secret in any column. */
export interface AuditEventsTable {
  id: string;
  at: number;
  event: string;
  actor_type: string;
  actor_id: string | null;
  subject: string | null;
  client_id: string | null;
  grant_type: string | null;
  address: string | null;
  outcome: string | null;
  /** JSON Record<string, string | number | boolean | string[]> */
  detail: string;
}

/** A device authorization request (RFC 8628, migration 0006): both codes only as hashes. */
export interface DeviceCodesTable {
  device_code_hash: string;
  user_code_hash: string;
  client_id: string;
  /** JSON string[]: asked for while pending, allowed once approved. */
  scopes: string;
  /** pending | approved | denied */
  status: string;
  user_id: string | null;
  auth_time: number | null;
  poll_interval: number;
  last_polled_at: number | null;
  created_at: number;
  expires_at: number;
  decided_at: number | null;
  consumed_at: number | null;
  grant_id: string | null;
  /** JSON GrantedSession, or null */
  granted: string | null;
}

/** A registered resource (RFC 8707, migration 0007). */
export interface ResourcesTable {
  uri: string;
  name: string | null;
  /** JSON string[]: the scopes it accepts; [] accepts any. */
  scopes: string;
  created_at: number;
}

/** One row, rewritten by every readiness probe (migration 0002). */
export interface ReadinessProbeTable {
  id: string;
  nonce: string;
  checked_at: number;
}

/** A login or consent request handed to the platform's page (delegated sign-in, Hydra's challenges). */
export interface InteractionChallengesTable {
  challenge_hash: string;
  kind: string;
  client_id: string | null;
  /** JSON Record<string, string>: the request's parameters (authorization or logout) */
  request: string;
  browser_hash: string;
  subject: string | null;
  skip: number;
  login_session_id: string | null;
  /** JSON LoginDecision, or null */
  login: string | null;
  /** JSON ChallengeOutcome, or null */
  outcome: string | null;
  verifier_hash: string | null;
  created_at: number;
  expires_at: number;
  handled_at: number | null;
  used_at: number | null;
}

/** Which clients were issued a code in a session (by its sid), so ending it can notify them (migration 0005). */
export interface SessionClientsTable {
  sid: string;
  client_id: string;
  created_at: number;
}

/** A back-channel logout token still to be sent to a client (migration 0005): the queue the sender drains. */
export interface LogoutDeliveriesTable {
  sid: string;
  client_id: string;
  /** The `sub` of the logout token. */
  user_id: string;
  created_at: number;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
}

/** A client assertion's jti, used once (private_key_jwt, migration 0009). */
export interface ClientAssertionsTable {
  client_id: string;
  jti: string;
  expires_at: number;
}

/** A DPoP proof's jti, used once (RFC 9449 §11.1, migration 0011), per key. */
export interface DpopProofsTable {
  jkt: string;
  jti: string;
  expires_at: number;
}

/** An initial access token for dynamic registration (RFC 7591 §3, migration 0010). */
export interface InitialAccessTokensTable {
  id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  max_uses: number | null;
  uses: number;
}

export interface Database {
  clients: ClientsTable;
  users: UsersTable;
  sessions: SessionsTable;
  consents: ConsentsTable;
  authorization_codes: AuthorizationCodesTable;
  grants: GrantsTable;
  refresh_tokens: RefreshTokensTable;
  access_tokens: AccessTokensTable;
  signing_keys: SigningKeysTable;
  readiness_probe: ReadinessProbeTable;
  interaction_challenges: InteractionChallengesTable;
  client_assertions: ClientAssertionsTable;
  dpop_proofs: DpopProofsTable;
  initial_access_tokens: InitialAccessTokensTable;
  device_codes: DeviceCodesTable;
  resources: ResourcesTable;
  pushed_requests: PushedRequestsTable;
  audit_events: AuditEventsTable;
  session_clients: SessionClientsTable;
  logout_deliveries: LogoutDeliveriesTable;
}
