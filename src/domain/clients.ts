// Registered clients: creation with a server-made secret (shown once, kept as a SHA-256 hash), updates, secret rotation.
import type { AdminStore } from '../store/administration.js';
import { DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT, type AccessTokenFormat, type ClientRecord, type ClientRegistration, type GrantType, type JsonWebKeySet, type TokenEndpointAuthMethod } from '../store/types.js';
import { createPublicKey } from 'node:crypto';
import { randomToken, sha256Hex } from './crypto.js';
import { resourceUriProblem } from './resources.js';
import { parseScopeList } from './scopes.js';
import { controlCharacterIn, controlOrSpaceIn } from '../util/text.js';
import { epochSeconds, type Clock } from '../util/clock.js';

export const GRANT_TYPES: GrantType[] = ['authorization_code', 'refresh_token', 'client_credentials', DEVICE_CODE_GRANT, TOKEN_EXCHANGE_GRANT];
export const AUTH_METHODS: TokenEndpointAuthMethod[] = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
export const ACCESS_TOKEN_FORMATS: AccessTokenFormat[] = ['jwt', 'opaque'];
export const DEFAULT_ACCESS_TOKEN_TTL = 3600;
export const DEFAULT_REFRESH_TOKEN_TTL = 30 * 86400;

export class ClientInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientInputError';
  }
}

export interface ClientInput {
  name?: string;
  clientId?: string;
  redirectUris?: string[];
  grantTypes?: string[];
  scopes?: string;
  public?: boolean;
  tokenEndpointAuthMethod?: string;
  accessTokenTtl?: number;
  refreshTokenTtl?: number;
  refreshTokenGrace?: number;
  accessTokenFormat?: string;
  /** Audiences whose access tokens the client may introspect (it is their resource server); replaces the list. */
  resourceServerFor?: string[];
  /** Token exchange (RFC 8693): the resources the client may exchange a user's token for; replaces the list. */
  tokenExchangeResources?: string[];
  /** First-party: users are never asked for consent (CLI --skip-consent, admin API skip_consent). */
  skipConsent?: boolean;
  /** private_key_jwt: the client's public keys (a JWK Set); null removes them. */
  jwks?: JsonWebKeySet | null;
  /** private_key_jwt: or the https URL where the client publishes them; null removes it. */
  jwksUri?: string | null;
  /** Where RP-Initiated Logout may send the browser afterwards; replaces the list. Same rules as redirect URIs. */
  postLogoutRedirectUris?: string[];
  /** Back-Channel Logout: https, or http on loopback; null (or "") removes it. */
  backchannelLogoutUri?: string | null;
  backchannelLogoutSessionRequired?: boolean;
  /** Front-Channel Logout: https, or http on loopback; null (or "") removes it. */
  frontchannelLogoutUri?: string | null;
  frontchannelLogoutSessionRequired?: boolean;
  /** Authorization requests must come through PAR (CLI --require-par, admin API require_pushed_authorization_requests). */
  requirePushedAuthorizationRequests?: boolean;
  /** Every token request must carry a DPoP proof (CLI --require-dpop, admin API dpop_bound_access_tokens, RFC 9449 §5.2). */
  dpopBoundAccessTokens?: boolean;
  /** What the client shows of itself (RFC 7591 §2): https URLs (http on loopback); null (or "") removes one. */
  logoUri?: string | null;
  clientUri?: string | null;
  policyUri?: string | null;
  tosUri?: string | null;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{3,128}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Redirect URIs are absolute, without fragment; https, http on loopback, or a private-use scheme (com.example.app:). */
export function validateRedirectUri(uri: string, what = 'redirect URI'): void {
  const url = absoluteUri(uri, what);
  if (url.protocol === 'https:' || url.protocol === 'http:') return;
  if (/^[a-z][a-z0-9+-]*\.[a-z0-9+.-]+:$/i.test(url.protocol)) return;
  throw new ClientInputError(`${what} "${uri}" must use https, http on localhost, or a reverse-domain private scheme`);
}

/**
 * A URI the server itself calls (back-channel logout) or a browser loads in a frame (front-channel logout): absolute,
 * without fragment, https or http on loopback only, never a private scheme.
 */
export function validateLogoutUri(uri: string, what: string): void {
  const url = absoluteUri(uri, what);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ClientInputError(`${what} "${uri}" must use https (or http on localhost)`);
  // Its origin goes into the signed-out page's Content-Security-Policy (frame-src): a plain host name or address only.
  if (!/^[A-Za-z0-9.\-[\]:]+$/.test(url.host)) throw new ClientInputError(`${what} "${uri}" must have a plain host name (letters, digits, "-" and ".")`);
}

/** Absolute, as stored (no control characters or spaces the parser would drop), no fragment; http only on loopback. */
function absoluteUri(uri: string, what: string): URL {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ClientInputError(`${what} ${JSON.stringify(uri)} is not an absolute URI`);
  }
  // The URL parser drops tabs and newlines and trims spaces, so it accepted a value that differs from what is
  // stored and later compared byte for byte; refuse them, quoting the URI with its characters escaped.
  const bad = controlOrSpaceIn(uri);
  if (bad) throw new ClientInputError(`${what} ${JSON.stringify(uri)} contains a control or whitespace character (${bad}); percent-encode it`);
  if (url.hash || uri.includes('#')) throw new ClientInputError(`${what} "${uri}" must not contain a fragment (#)`);
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new ClientInputError(`${what} "${uri}" uses http on a host that is not loopback; use https`);
  }
  return url;
}

/** A page or image the client points users to: https (http on loopback), no fragment; undefined keeps, null or "" removes. */
function displayUri(value: string | null | undefined, existing: string | null, what: string): string | null {
  if (value === undefined) return existing;
  if (value === null || value === '') return null;
  if (value.length > 2000) throw new ClientInputError(`${what} must be at most 2000 characters`);
  const url = absoluteUri(value, what);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ClientInputError(`${what} "${value}" must use https (or http on localhost)`);
  if (url.username || url.password) throw new ClientInputError(`${what} "${value}" must not carry credentials`);
  return value;
}

/** A private-use scheme (com.example.app:/callback, RFC 8252 §7.1), as opposed to https or http. */
export function isPrivateUseUri(uri: string): boolean {
  return !/^https?:/i.test(uri);
}

const MAX_LOGOUT_REDIRECT_URIS = 20;

/** An optional logout URI: undefined keeps the existing one, null or "" removes it. */
function logoutUri(value: string | null | undefined, existing: string | null, what: string): string | null {
  if (value === undefined) return existing;
  if (value === null || value === '') return null;
  validateLogoutUri(value, what);
  return value;
}

const MAX_AUDIENCES = 50;

/** An audience is matched exactly against a token's `aud`: printable, no spaces, of a sane length. */
function audiences(list: readonly string[]): string[] {
  if (list.length > MAX_AUDIENCES) throw new ClientInputError(`a client may be resource server for at most ${MAX_AUDIENCES} audiences`);
  for (const audience of list) {
    if (audience.length === 0 || audience.length > 2000 || !/^[\x21-\x7e]+$/.test(audience)) {
      throw new ClientInputError(`resource server audience "${audience.slice(0, 100)}" must be 1-2000 printable characters without spaces, e.g. https://api.example.com`);
    }
  }
  return [...new Set(list)];
}

/** Resource URIs (RFC 8707 §2) a client may exchange tokens for; registration is checked at exchange time (resources come and go). */
function exchangeResources(list: readonly string[]): string[] {
  if (list.length > MAX_AUDIENCES) throw new ClientInputError(`a client may exchange tokens for at most ${MAX_AUDIENCES} resources`);
  for (const uri of list) {
    const problem = resourceUriProblem(uri);
    if (problem) throw new ClientInputError(`token exchange resource "${uri.slice(0, 100)}" ${problem}`);
  }
  return [...new Set(list)];
}

function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ClientInputError(`${what} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function ttl(value: number | undefined, fallback: number, what: string, min: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min || value > 10 * 365 * 86400) {
    throw new ClientInputError(`${what} must be between ${min}s and 3650d`);
  }
  return value;
}

/** A public client: no credentials at all (PKCE stands in for them). */
export function isPublicClient(client: Pick<ClientRecord, 'tokenEndpointAuthMethod'>): boolean {
  return client.tokenEndpointAuthMethod === 'none';
}

/** A client that authenticates with a secret (either secret method when none is pinned). */
export function usesSecret(client: Pick<ClientRecord, 'tokenEndpointAuthMethod'>): boolean {
  const method = client.tokenEndpointAuthMethod;
  return method === null || method === 'client_secret_basic' || method === 'client_secret_post';
}

const MAX_CLIENT_KEYS = 10;

/**
 * The public keys of a private_key_jwt client: a JWK Set of EC P-256 or RSA (2048 bits or more) keys, each with a
 * distinct kid, none private. Parsed with node:crypto, so a key that could not verify anything is refused here.
 */
export function validateJwks(jwks: unknown): JsonWebKeySet {
  const keys = (jwks as { keys?: unknown } | null)?.keys;
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(keys) || keys.length === 0) {
    throw new ClientInputError('jwks must be a JSON Web Key Set: {"keys": [ … ]} with at least one public key');
  }
  if (keys.length > MAX_CLIENT_KEYS) throw new ClientInputError(`jwks may hold at most ${MAX_CLIENT_KEYS} keys`);
  const kids = new Set<string>();
  for (const key of keys as unknown[]) {
    if (typeof key !== 'object' || key === null || Array.isArray(key)) throw new ClientInputError('each key in jwks must be a JSON object (a JWK)');
    const jwk = key as Record<string, unknown>;
    const kid = jwk.kid;
    if (typeof kid !== 'string' || kid === '' || kid.length > 200 || controlCharacterIn(kid)) throw new ClientInputError('each key in jwks needs a kid (the assertion\'s header names it)');
    if (kids.has(kid)) throw new ClientInputError(`jwks has two keys with kid "${kid}"`);
    kids.add(kid);
    if ('d' in jwk || 'p' in jwk || 'k' in jwk) throw new ClientInputError(`key "${kid}" in jwks is private: register the public key only`);
    if (jwk.use !== undefined && jwk.use !== 'sig') throw new ClientInputError(`key "${kid}" in jwks has use "${String(jwk.use)}"; a signing key has use "sig"`);
    const ec = jwk.kty === 'EC' && jwk.crv === 'P-256';
    if (!ec && jwk.kty !== 'RSA') throw new ClientInputError(`key "${kid}" in jwks must be an EC P-256 or an RSA key`);
    let size: number | undefined;
    try {
      size = createPublicKey({ key: jwk, format: 'jwk' }).asymmetricKeyDetails?.modulusLength;
    } catch {
      throw new ClientInputError(`key "${kid}" in jwks is not a valid ${ec ? 'EC' : 'RSA'} public key`);
    }
    if (!ec && (size ?? 0) < 2048) throw new ClientInputError(`key "${kid}" in jwks is an RSA key of ${size} bits; use 2048 or more`);
  }
  return { keys: keys as Array<Record<string, unknown>> };
}

/** Applies input over an existing record (or defaults) and checks that the result is coherent. */
/**
 * A client_id that is an https URL with a path: the client's metadata document (draft-ietf-oauth-client-id-metadata-
 * document) is at that URL; see client-metadata.ts. Such ids are never given to registered clients.
 */
export function isMetadataDocumentId(clientId: string): boolean {
  return clientId.startsWith('https://') && /^https:\/\/[^/?#]+\/[^?#]*[^/?#][^?#]*$/.test(clientId) && clientId.length <= 2000;
}

export interface BuildOptions {
  /** The client_id is the URL of its metadata document (client-metadata.ts). */
  metadataDocument?: boolean;
  /** Registered at /oauth2/register (registration.ts). */
  registration?: ClientRegistration;
}

/** A client that registered itself is nobody's first-party app: its users are always asked. */
function skipConsent(skip: boolean, registration: ClientRegistration | null): boolean {
  if (skip && registration !== null) throw new ClientInputError('a dynamically registered client cannot skip consent: it registered itself and is not verified');
  return skip;
}

/**
 * Clients whose description comes from the client itself, not from this platform: a metadata document's (its
 * client_id's host) or a dynamic registration's (the host of the redirect URI the code goes to, or its scheme for a
 * private-use one). The consent page shows this host and says the app is not verified; undefined for clients
 * registered by an administrator.
 */
export function unverifiedHost(client: Pick<ClientRecord, 'clientId' | 'registration' | 'redirectUris'>, redirectUri = client.redirectUris[0]): string | undefined {
  if (isMetadataDocumentId(client.clientId)) return new URL(client.clientId).host;
  if (client.registration === null) return undefined;
  if (redirectUri === undefined) return 'an unverified source';
  const url = new URL(redirectUri);
  return url.host || url.protocol.slice(0, -1);
}

export function buildClient(input: ClientInput, existing: ClientRecord | undefined, now: number, options: BuildOptions = {}): ClientRecord {
  const name = (input.name ?? existing?.name ?? '').trim();
  if (!name) throw new ClientInputError('a client needs a name (--name), shown to users on the consent page');
  if (name.length > 100) throw new ClientInputError('a client name must be at most 100 characters');
  const badInName = controlCharacterIn(name);
  if (badInName) throw new ClientInputError(`a client name must not contain control characters (found ${badInName})`);
  const clientId = existing?.clientId ?? input.clientId ?? `client_${randomToken().slice(0, 22)}`;
  if (!(options.metadataDocument ? isMetadataDocumentId(clientId) : CLIENT_ID.test(clientId))) {
    throw new ClientInputError(`client id "${clientId}" must be 3-128 characters of letters, digits, ".", "_", "~" or "-"`);
  }
  let method: TokenEndpointAuthMethod | null = existing?.tokenEndpointAuthMethod ?? null;
  if (input.tokenEndpointAuthMethod !== undefined) method = oneOf(input.tokenEndpointAuthMethod, AUTH_METHODS, 'token endpoint auth method');
  const isPublic = input.public ?? (method === 'none' || (existing !== undefined && isPublicClient(existing)));
  if (isPublic && method !== null && method !== 'none') {
    throw new ClientInputError(`a public client has no secret, so it cannot use ${method}; use "none"`);
  }
  if (!isPublic && method === 'none') throw new ClientInputError('auth method "none" makes a public client; add --public');
  if (isPublic) method = 'none';

  const registration = options.registration ?? existing?.registration ?? null;
  const redirectUris = input.redirectUris ?? existing?.redirectUris ?? [];
  for (const uri of redirectUris) {
    validateRedirectUri(uri);
    // A web app registering itself cannot claim a private-use scheme: any app on a device may register that scheme.
    if (registration?.applicationType === 'web' && isPrivateUseUri(uri)) {
      throw new ClientInputError(`redirect URI "${uri}" uses a private-use scheme, which only a client with application_type "native" may register`);
    }
  }
  const defaultGrants: GrantType[] = ['authorization_code', 'refresh_token'];
  const grantTypes = [...new Set((input.grantTypes ?? existing?.grantTypes ?? defaultGrants).map((g) => oneOf(g, GRANT_TYPES, 'grant type')))];
  if (grantTypes.length === 0) throw new ClientInputError('a client needs at least one grant type');
  if (grantTypes.includes('authorization_code') && redirectUris.length === 0) {
    throw new ClientInputError('the authorization_code grant needs at least one redirect URI (--redirect-uri)');
  }
  if (isPublic && grantTypes.includes('client_credentials')) {
    throw new ClientInputError('a public client cannot use client_credentials: it has no secret to authenticate with');
  }
  // An exchange mints a token for another API from a token the client holds: only a client that proves who it is.
  if (isPublic && grantTypes.includes(TOKEN_EXCHANGE_GRANT)) {
    throw new ClientInputError(`a public client cannot use ${TOKEN_EXCHANGE_GRANT}: it has no secret to authenticate with`);
  }
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code') && !grantTypes.includes(DEVICE_CODE_GRANT)) {
    throw new ClientInputError(`the refresh_token grant only makes sense with authorization_code or ${DEVICE_CODE_GRANT}`);
  }
  let scopes: string[];
  try {
    scopes = input.scopes !== undefined ? parseScopeList(input.scopes) : existing?.scopes ?? [];
  } catch (error) {
    throw new ClientInputError((error as Error).message);
  }
  const postLogoutRedirectUris = [...new Set(input.postLogoutRedirectUris ?? existing?.postLogoutRedirectUris ?? [])];
  if (postLogoutRedirectUris.length > MAX_LOGOUT_REDIRECT_URIS) throw new ClientInputError(`a client may have at most ${MAX_LOGOUT_REDIRECT_URIS} post-logout redirect URIs`);
  for (const uri of postLogoutRedirectUris) validateRedirectUri(uri, 'post-logout redirect URI');
  const format = oneOf(input.accessTokenFormat ?? existing?.accessTokenFormat ?? 'jwt', ACCESS_TOKEN_FORMATS, 'access token format');
  return {
    clientId,
    name,
    secretHash: isPublic ? null : existing?.secretHash ?? null,
    redirectUris,
    grantTypes,
    scopes,
    tokenEndpointAuthMethod: method,
    accessTokenTtl: ttl(input.accessTokenTtl, existing?.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL, 'access token lifetime', 1),
    refreshTokenTtl: ttl(input.refreshTokenTtl, existing?.refreshTokenTtl ?? DEFAULT_REFRESH_TOKEN_TTL, 'refresh token lifetime', 60),
    refreshTokenGrace: ttl(input.refreshTokenGrace, existing?.refreshTokenGrace ?? 0, 'refresh token reuse grace', 0),
    accessTokenFormat: format,
    resourceServerFor: audiences(input.resourceServerFor ?? existing?.resourceServerFor ?? []),
    tokenExchangeResources: exchangeResources(input.tokenExchangeResources ?? existing?.tokenExchangeResources ?? []),
    skipConsent: skipConsent(input.skipConsent ?? existing?.skipConsent ?? false, registration),
    ...clientKeys(
      input.jwks === undefined ? existing?.jwks ?? null : input.jwks,
      input.jwksUri === undefined ? existing?.jwksUri ?? null : input.jwksUri,
      method,
    ),
    postLogoutRedirectUris,
    backchannelLogoutUri: logoutUri(input.backchannelLogoutUri, existing?.backchannelLogoutUri ?? null, 'back-channel logout URI'),
    backchannelLogoutSessionRequired: input.backchannelLogoutSessionRequired ?? existing?.backchannelLogoutSessionRequired ?? false,
    frontchannelLogoutUri: logoutUri(input.frontchannelLogoutUri, existing?.frontchannelLogoutUri ?? null, 'front-channel logout URI'),
    frontchannelLogoutSessionRequired: input.frontchannelLogoutSessionRequired ?? existing?.frontchannelLogoutSessionRequired ?? false,
    requirePushedAuthorizationRequests: input.requirePushedAuthorizationRequests ?? existing?.requirePushedAuthorizationRequests ?? false,
    dpopBoundAccessTokens: input.dpopBoundAccessTokens ?? existing?.dpopBoundAccessTokens ?? false,
    logoUri: displayUri(input.logoUri, existing?.logoUri ?? null, 'logo_uri'),
    clientUri: displayUri(input.clientUri, existing?.clientUri ?? null, 'client_uri'),
    policyUri: displayUri(input.policyUri, existing?.policyUri ?? null, 'policy_uri'),
    tosUri: displayUri(input.tosUri, existing?.tosUri ?? null, 'tos_uri'),
    registration,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
}

/** Keys belong to private_key_jwt clients only, and such a client needs them: inline, or at a jwks_uri (one of the two). */
function clientKeys(jwks: JsonWebKeySet | null, jwksUri: string | null, method: TokenEndpointAuthMethod | null): { jwks: JsonWebKeySet | null; jwksUri: string | null } {
  if (method === 'private_key_jwt') {
    if (jwks === null && jwksUri === null) throw new ClientInputError('private_key_jwt needs the client\'s public keys (--jwks-file or --jwks-uri; admin API "jwks" or "jwks_uri")');
    if (jwks !== null && jwksUri !== null) throw new ClientInputError('give the client\'s keys once: jwks or jwks_uri, not both');
    return jwks !== null ? { jwks: validateJwks(jwks), jwksUri: null } : { jwks: null, jwksUri: validateJwksUri(jwksUri!) };
  }
  if (jwks !== null || jwksUri !== null) throw new ClientInputError('jwks and jwks_uri are only for clients that authenticate with private_key_jwt (--token-endpoint-auth-method private_key_jwt)');
  return { jwks: null, jwksUri: null };
}

/** An https URL without credentials or fragment (where it may point is checked when it is fetched: util/outbound-fetch.ts). */
function validateJwksUri(uri: string): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ClientInputError(`jwks_uri ${JSON.stringify(uri.slice(0, 200))} is not an absolute URL`);
  }
  if (url.protocol !== 'https:') throw new ClientInputError(`jwks_uri "${uri}" must be https`);
  if (url.username || url.password || url.hash || controlOrSpaceIn(uri)) throw new ClientInputError(`jwks_uri "${uri}" must not carry credentials, a fragment or whitespace`);
  return uri;
}

function newSecret(): { secret: string; hash: string } {
  const secret = randomToken('ghs_');
  return { secret, hash: sha256Hex(secret) };
}

/** The client with a new server-made secret: the secret is returned this once, the record keeps its hash. */
export function withNewSecret(client: ClientRecord): { client: ClientRecord; secret: string } {
  const made = newSecret();
  return { client: { ...client, secretHash: made.hash }, secret: made.secret };
}

export class ClientService {
  constructor(
    private readonly store: AdminStore,
    private readonly clock: Clock,
    private readonly cache?: { forget(clientId: string): void },
  ) {}

  /** Deletes a client and everything issued to it. */
  async delete(clientId: string): Promise<boolean> {
    const deleted = await this.store.deleteClient(clientId);
    this.cache?.forget(clientId);
    return deleted;
  }

  /** Registers a client; a confidential client's secret is returned here once and never again. */
  async create(input: ClientInput): Promise<{ client: ClientRecord; clientSecret: string | null }> {
    const client = buildClient(input, undefined, epochSeconds(this.clock));
    let clientSecret: string | null = null;
    if (usesSecret(client)) {
      const made = newSecret();
      clientSecret = made.secret;
      client.secretHash = made.hash;
    }
    await this.store.createClient(client);
    return { client, clientSecret };
  }

  async update(clientId: string, input: ClientInput, options: Pick<BuildOptions, 'registration'> = {}): Promise<ClientRecord> {
    const existing = await this.require(clientId);
    if (input.clientId !== undefined && input.clientId !== clientId) throw new ClientInputError('a client id cannot be changed');
    const client = buildClient(input, existing, epochSeconds(this.clock), options);
    if (usesSecret(client) && client.secretHash === null) {
      throw new ClientInputError(existing.tokenEndpointAuthMethod === 'none' ? 'a public client cannot become confidential; create a new client' : 'a private_key_jwt client cannot switch to a secret; create a new client');
    }
    // Switched to private_key_jwt: the old secret stops working at once.
    if (!usesSecret(client)) client.secretHash = null;
    await this.store.updateClient(client);
    this.cache?.forget(clientId);
    return client;
  }

  async rotateSecret(clientId: string): Promise<{ client: ClientRecord; clientSecret: string }> {
    const existing = await this.require(clientId);
    if (!usesSecret(existing)) {
      throw new ClientInputError(`client "${clientId}" ${isPublicClient(existing) ? 'is public' : 'authenticates with private_key_jwt'} and has no secret`);
    }
    const made = newSecret();
    const client = { ...existing, secretHash: made.hash, updatedAt: epochSeconds(this.clock) };
    await this.store.updateClient(client);
    this.cache?.forget(clientId);
    return { client, clientSecret: made.secret };
  }

  async require(clientId: string): Promise<ClientRecord> {
    const client = await this.store.getClient(clientId);
    if (!client) throw new ClientInputError(`no client with id "${clientId}"`);
    return client;
  }
}
