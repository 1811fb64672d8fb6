// Every setting Gatehouse reads, its default and its validation, in one place.
// Settings come from the environment; an optional JSON file (GATEHOUSE_CONFIG) may add to them.
// A bad value stops the process at start with a message naming the setting, never at first use.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes, type JsonWebKey } from 'node:crypto';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { parseDuration } from './util/duration.js';
import type { OutboundPolicy } from './util/outbound-fetch.js';
import { DEFAULT_PASSWORD_CHECK_QUEUE, defaultPasswordCheckConcurrency } from './domain/password-check-limit.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  port: number;
  adminPort: number;
  host: string;
  adminHost: string;
  /** The issuer identifier, without a trailing slash. */
  issuer: string;
  databaseUrl: string;
  /** PostgreSQL pool size. */
  databasePoolSize: number;
  /** Key material derived from GATEHOUSE_SECRET encrypts private signing keys at rest. */
  secret: string;
  logLevel: LogLevel;
  /** Audience (`aud`) of access tokens when the request names no resource. */
  defaultAudience: string;
  /**
   * GATEHOUSE_UNREGISTERED_RESOURCES: what a `resource` (RFC 8707) that is not registered gets. `refuse` (default):
   * invalid_target; `allow`: it becomes the token's audience like a registered one that accepts any scope.
   */
  unregisteredResources: 'refuse' | 'allow';
  /** Human descriptions of scopes, shown on the consent page. */
  scopeDescriptions: Record<string, string>;
  authorizationCodeTtlSeconds: number;
  /** How long a device code (RFC 8628) may wait for the user's decision and be exchanged. */
  deviceCodeTtlSeconds: number;
  sessionTtlSeconds: number;
  /** Where a rotated-out signing key stays published: at least the longest access/id token lifetime. */
  keyRetentionSeconds: number;
  /** How old an instance's copy of the key set may get before it is read again from the store. */
  keyRefreshSeconds: number;
  /**
   * X-Forwarded-* from proxies in front: false (none), a number of trusted hops, or addresses/CIDRs of the proxies.
   * Never "trust everything": the leftmost X-Forwarded-For is the client's to choose, and would dodge rate limits.
   */
  trustProxy: boolean | number | string;
  /** Cookies get the Secure attribute when the issuer is https. */
  secureCookies: boolean;
  /** Bearer token for the admin API; required when the admin API listens beyond loopback. */
  adminToken: string | undefined;
  /**
   * Host names the admin API answers for (the Host header without its port): loopback names, GATEHOUSE_ADMIN_HOST
   * when it is a name or an address, and GATEHOUSE_ADMIN_HOSTNAMES. Any other Host is refused (DNS rebinding).
   */
  adminHostnames: string[];
  /** Seconds between housekeeping runs that delete expired rows; 0 turns it off. */
  cleanupIntervalSeconds: number;
  /** How long audit events are kept before housekeeping deletes them (GATEHOUSE_AUDIT_RETENTION). */
  auditRetentionSeconds: number;
  /**
   * Seconds after a rotation during which the rotated refresh token may be presented again, while its successor
   * is still unused, and get a new working pair (the answer of the rotation was lost); 0 turns it off.
   */
  refreshRetryWindowSeconds: number;
  /** Password checks (argon2) running at once, and how many more may wait before sign-in answers 503. */
  passwordChecks: number;
  passwordCheckQueue: number;
  /** Requests one client address may make to the public port per second, averaged over 10 s; 0 turns it off. */
  rateLimitPerSecond: number;
  /** GATEHOUSE_REQUIRE_PAR: every authorization request must come through the PAR endpoint (RFC 9126). */
  requirePushedAuthorizationRequests: boolean;
  /**
   * GATEHOUSE_DPOP_NONCE: DPoP proofs must carry a nonce this server handed out (RFC 9449 §8). Off by default: replay
   * is already stopped by the shared jti record and the iat window, and a nonce costs every client a refused first request.
   */
  dpopNonce: boolean;
  /** Limits on HTTP connections, so that slow or idle clients cannot hold the server (see HttpLimits). */
  http: HttpLimits;
  /** Sign-in and consent on the platform's own pages (Hydra's login and consent provider); see DelegationSettings. */
  delegation: DelegationSettings;
  /** What Gatehouse fetches from where clients point it (a jwks_uri): see util/outbound-fetch.ts. */
  outbound: OutboundPolicy;
  /** Clients described by a metadata document at their https client_id (domain/client-metadata.ts). */
  clientMetadata: ClientMetadataSettings;
  /** Dynamic client registration (RFC 7591, RFC 7592) at /oauth2/register: see RegistrationSettings. */
  registration: RegistrationSettings;
  /** How the end-user pages present the platform ("branding" in the GATEHOUSE_CONFIG file); see Branding. */
  branding: Branding;
}

/** Dynamic client registration (domain/registration.ts). */
export interface RegistrationSettings {
  /** GATEHOUSE_REGISTRATION: off (default; no endpoint, not in discovery), open (anyone), token (an initial access token). */
  mode: 'off' | 'open' | 'token';
  /** GATEHOUSE_REGISTRATION_UNUSED_TTL: a registered client that obtains no token within it is deleted (default 1d). */
  unusedTtlSeconds: number;
  /** GATEHOUSE_REGISTRATION_RATE_LIMIT: registrations per client address per hour (default 20); 0 turns it off. */
  perAddressPerHour: number;
  /**
   * GATEHOUSE_REGISTRATION_SCOPES: the scopes a registered client may ask for, space-separated; unset: the scope
   * catalogue (every scope with a description, OIDC's included) and the scopes of registered resources. A registration that names none gets all of them.
   */
  scopes: string[] | undefined;
  /**
   * GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS: a JWK Set file of the public keys of trusted software statement
   * issuers (RFC 7591 §2.3); a statement signed by one of them is accepted and its claims take precedence. Unset:
   * software statements are refused.
   */
  softwareStatementKeys: { keys: JsonWebKey[] } | undefined;
}

/**
 * The platform's look on the end-user pages. Every field is validated here because each lands in a page: the name as
 * text, the logo as an <img> (a data: image, so the pages keep loading nothing from elsewhere: CSP img-src 'self' data:),
 * the colour inside CSS (#rrggbb only, so it can never end the declaration) and the links as hrefs (http/https only).
 */
export interface Branding {
  /** The product name end users see (titles, the mark above each page); "Gatehouse" when not configured. */
  name: string;
  /** A data:image/…;base64 URI, at most 64 KiB. */
  logo?: string;
  /** #rrggbb: the colour of primary buttons. */
  primaryColor?: string;
  supportUrl?: string;
  privacyUrl?: string;
}

/** Client ID metadata documents (domain/client-metadata.ts): on or off, and from which hosts (empty: any public host). */
export interface ClientMetadataSettings {
  enabled: boolean;
  hosts: string[];
}

/** Delegated sign-in: where the platform's pages are, how long a challenge lives, who may answer without the admin token. */
export interface DelegationSettings {
  /** GATEHOUSE_LOGIN_URL: the platform's sign-in page; undefined: Gatehouse's own page and users. */
  loginUrl: string | undefined;
  /** GATEHOUSE_CONSENT_URL: the platform's consent page; undefined: Gatehouse's own. */
  consentUrl: string | undefined;
  /** GATEHOUSE_LOGOUT_URL: the platform's sign-out page (asked before a session ends); undefined: Gatehouse's own. */
  logoutUrl: string | undefined;
  /** GATEHOUSE_DEVICE_VERIFICATION_URL: the platform's page where users type a device's code; undefined: Gatehouse's own. */
  deviceVerificationUrl: string | undefined;
  /** GATEHOUSE_CHALLENGE_TTL: how long a login or consent challenge may be answered and redeemed. */
  challengeTtlSeconds: number;
  /**
   * GATEHOUSE_LOGIN_APP_ADDRESSES: addresses/CIDRs of the platform's login and consent app, which may use the
   * Hydra-compatible routes (/admin/oauth2/auth/…) without GATEHOUSE_ADMIN_TOKEN, as Hydra apps send none.
   */
  appAddresses: string[];
}

/** What node:http allows a client: how long it may take to send headers and a whole request, stay idle, and how many connect. */
export interface HttpLimits {
  /** A client that has not sent all its request headers by then is disconnected. */
  headersTimeoutMs: number;
  /** A client that has not sent the whole request (headers and body) by then gets 408 and is disconnected. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open between requests. */
  keepAliveTimeoutMs: number;
  /** Connections open at once; beyond it new connections are closed at once. */
  maxConnections: number;
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export const DEFAULT_SCOPE_DESCRIPTIONS: Record<string, string> = {
  openid: 'Confirm who you are',
  profile: 'See your profile (name and username)',
  email: 'See your email address',
  offline_access: 'Keep access when you are not using the app',
};

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  const value = Number(raw);
  if (value > 65535) throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  return value;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ConfigError(`${name} must be a positive whole number, got "${raw}"`);
  return Number(raw);
}

function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,6}$/.test(raw)) throw new ConfigError(`${name} must be a whole number (0 or more), got "${raw}"`);
  return Number(raw);
}

function duration(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const seconds = parseDuration(raw);
  if (seconds === undefined) throw new ConfigError(`${name} must be a duration such as 90s, 10m, 1h or 30d, got "${raw}"`);
  return seconds;
}

/** A duration that must be at least a second: a lifetime of 0 would make the setting's feature unusable. */
function positiveDuration(env: Env, name: string, fallback: number): number {
  const seconds = duration(env, name, fallback);
  if (seconds < 1) throw new ConfigError(`${name} must be at least 1s, got "${env[name]}"`);
  return seconds;
}

/** Milliseconds in a duration setting: "500ms", or any duration() form ("10s", "2m"). */
function durationMs(env: Env, name: string, fallbackMs: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallbackMs;
  const ms = /^\s*(\d{1,9})ms\s*$/.exec(raw);
  const value = ms ? Number(ms[1]) : (parseDuration(raw) ?? NaN) * 1000;
  if (!Number.isFinite(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive duration such as 500ms, 10s or 2m, got "${raw}"`);
  }
  return value;
}

function httpLimits(env: Env): HttpLimits {
  const limits: HttpLimits = {
    headersTimeoutMs: durationMs(env, 'GATEHOUSE_HTTP_HEADERS_TIMEOUT', 10_000),
    requestTimeoutMs: durationMs(env, 'GATEHOUSE_HTTP_REQUEST_TIMEOUT', 30_000),
    // Above the 60 s idle timeout of common load balancers, so that they, not we, close idle connections.
    keepAliveTimeoutMs: durationMs(env, 'GATEHOUSE_HTTP_KEEP_ALIVE_TIMEOUT', 72_000),
    maxConnections: positiveInt(env, 'GATEHOUSE_HTTP_MAX_CONNECTIONS', 10_000),
  };
  // node:http refuses a headers timeout longer than the request timeout.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new ConfigError('GATEHOUSE_HTTP_HEADERS_TIMEOUT must not be longer than GATEHOUSE_HTTP_REQUEST_TIMEOUT');
  }
  return limits;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function issuerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`GATEHOUSE_ISSUER must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`GATEHOUSE_ISSUER must use https (or http for local development), got "${raw}"`);
  }
  if (url.search || url.hash) throw new ConfigError(`GATEHOUSE_ISSUER must not have a query or fragment, got "${raw}"`);
  return url.href.replace(/\/$/, '');
}

function databaseUrl(raw: string): string {
  if (raw.startsWith('sqlite:')) {
    if (raw.length === 'sqlite:'.length) throw new ConfigError('GATEHOUSE_DATABASE_URL "sqlite:" needs a file path, e.g. sqlite:./data/gatehouse.db');
    return raw;
  }
  if (raw.startsWith('postgres://') || raw.startsWith('postgresql://')) {
    try {
      new URL(raw);
    } catch {
      throw new ConfigError('GATEHOUSE_DATABASE_URL is not a valid postgres:// URL');
    }
    return raw;
  }
  throw new ConfigError(`GATEHOUSE_DATABASE_URL must start with sqlite: or postgres://, got "${redactUrl(raw)}"`);
}

/** A database URL safe to print: the password is replaced. */
export function redactUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password) url.password = '***';
    return url.href;
  } catch {
    return raw.replace(/:[^:@/]*@/, ':***@');
  }
}

/** The folder that holds the SQLite file (and the generated secret) for a sqlite: URL. */
export function sqlitePath(databaseUrl: string): string {
  const path = databaseUrl.slice('sqlite:'.length);
  return path === ':memory:' ? path : resolve(path);
}

function readConfigFile(env: Env): Record<string, unknown> {
  const path = env.GATEHOUSE_CONFIG;
  if (!path) return {};
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError(`GATEHOUSE_CONFIG names "${path}", which cannot be read`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Record<string, unknown>;
  } catch {
    throw new ConfigError(`GATEHOUSE_CONFIG file "${path}" must hold one JSON object`);
  }
}

function scopeCatalogue(file: Record<string, unknown>): Record<string, string> {
  const scopes = file.scopes;
  if (scopes === undefined) return { ...DEFAULT_SCOPE_DESCRIPTIONS };
  if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) {
    throw new ConfigError('"scopes" in the config file must be an object of scope → description');
  }
  const out = { ...DEFAULT_SCOPE_DESCRIPTIONS };
  for (const [scope, description] of Object.entries(scopes)) {
    if (typeof description !== 'string' || !description.trim()) {
      throw new ConfigError(`"scopes.${scope}" in the config file must be a non-empty description`);
    }
    out[scope] = description;
  }
  return out;
}

/** Loads the secret that encrypts signing keys: from the environment, or generated once beside a local SQLite file. */
function loadSecret(env: Env, dbUrl: string): string {
  const fromEnv = env.GATEHOUSE_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < 32) throw new ConfigError('GATEHOUSE_SECRET must be at least 32 characters long');
    return fromEnv;
  }
  if (env.NODE_ENV === 'production') {
    throw new ConfigError('GATEHOUSE_SECRET is required when NODE_ENV=production (at least 32 random characters)');
  }
  if (!dbUrl.startsWith('sqlite:') || sqlitePath(dbUrl) === ':memory:') {
    if (dbUrl.startsWith('sqlite:')) return randomBytes(32).toString('base64url');
    throw new ConfigError('GATEHOUSE_SECRET is required with PostgreSQL, so that every instance can read the signing keys');
  }
  const file = join(dirname(sqlitePath(dbUrl)), 'gatehouse.secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dirname(file), { recursive: true });
  const generated = randomBytes(32).toString('base64url');
  writeFileSync(file, generated + '\n', { mode: 0o600, flag: 'wx' });
  return generated;
}

/** "true" means one proxy hop; a number is that many hops; anything else is a list of proxy addresses/CIDRs. */
function trustProxySetting(raw: string | undefined): boolean | number | string {
  if (raw === undefined || raw === '' || /^(false|0|no|off)$/i.test(raw)) return false;
  if (/^(true|yes|on)$/i.test(raw)) return 1;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  if (/^[0-9a-f.:/, ]+$/i.test(raw)) return raw;
  throw new ConfigError(`GATEHOUSE_TRUST_PROXY must be false, true (one proxy), a hop count, or proxy addresses/CIDRs, got "${raw}"`);
}

/** Longest refresh retry window: past a few minutes a retry is no longer a lost answer, and a thief gains time. */
const MAX_REFRESH_RETRY_WINDOW = 600;

function unregisteredResources(env: Env): 'refuse' | 'allow' {
  const raw = env.GATEHOUSE_UNREGISTERED_RESOURCES || 'refuse';
  if (raw !== 'refuse' && raw !== 'allow') throw new ConfigError(`GATEHOUSE_UNREGISTERED_RESOURCES must be refuse or allow, got "${raw}"`);
  return raw;
}

function refreshRetryWindow(env: Env): number {
  // 60 s: HTTP clients give up on a request after 30-60 s and retry at once; a longer window only lengthens the
  // time in which someone holding a just-rotated token could take over an unused successor.
  const seconds = duration(env, 'GATEHOUSE_REFRESH_RETRY_WINDOW', 60);
  if (seconds > MAX_REFRESH_RETRY_WINDOW) {
    throw new ConfigError(`GATEHOUSE_REFRESH_RETRY_WINDOW must be at most 10m (0s turns it off), got "${env.GATEHOUSE_REFRESH_RETRY_WINDOW}"`);
  }
  return seconds;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);
/** The names a client on this machine reaches a loopback admin port by. */
export const LOOPBACK_HOSTNAMES = ['localhost', '127.0.0.1', '[::1]'];
// Addresses that mean "every interface": a client never sends them as a Host.
const WILDCARD_ADDRESSES = new Set(['0.0.0.0', '::', '[::]']);
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** A host name as a Host header carries it (lower case, IPv6 in brackets), or undefined when it is not one. */
export function normalizeHostname(raw: string): string | undefined {
  const name = raw.trim().toLowerCase();
  const bare = name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
  if (bare.includes(':')) {
    // An IPv6 literal: let the URL parser check it and write it in its canonical form.
    if (!/^[0-9a-f:.]+$/.test(bare)) return undefined;
    try {
      return new URL(`http://[${bare}]/`).hostname;
    } catch {
      return undefined;
    }
  }
  if (IPV4.test(name) || DNS_NAME.test(name)) return name;
  return undefined;
}

/** Loopback names, plus the listen address when it is a reachable name, plus GATEHOUSE_ADMIN_HOSTNAMES. */
function adminHostnames(env: Env, adminHost: string): string[] {
  const names = new Set(LOOPBACK_HOSTNAMES);
  const listen = normalizeHostname(adminHost);
  if (listen && !WILDCARD_ADDRESSES.has(listen)) names.add(listen);
  for (const raw of (env.GATEHOUSE_ADMIN_HOSTNAMES ?? '').split(',')) {
    if (raw.trim() === '') continue;
    const name = normalizeHostname(raw);
    if (!name || WILDCARD_ADDRESSES.has(name)) {
      throw new ConfigError(
        `GATEHOUSE_ADMIN_HOSTNAMES must be comma-separated host names or IP addresses without scheme or port (e.g. "gatehouse-admin,10.0.1.17"), got "${raw.trim()}"`,
      );
    }
    names.add(name);
  }
  return [...names];
}

/** GATEHOUSE_DATABASE_URL (or its default), checked; read without loadConfig's side effects (a generated secret file). */
export function configuredDatabaseUrl(env: Env = process.env): string {
  return databaseUrl(env.GATEHOUSE_DATABASE_URL || 'sqlite:./data/gatehouse.db');
}

export function loadConfig(env: Env = process.env): Config {
  const file = readConfigFile(env);
  const issuer = issuerUrl(env.GATEHOUSE_ISSUER || 'http://localhost:4444');
  const dbUrl = configuredDatabaseUrl(env);
  const logLevel = (env.GATEHOUSE_LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`GATEHOUSE_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const portValue = port(env, 'GATEHOUSE_PORT', 4444);
  const adminPortValue = port(env, 'GATEHOUSE_ADMIN_PORT', 4445);
  if (portValue === adminPortValue && portValue !== 0) {
    throw new ConfigError('GATEHOUSE_ADMIN_PORT must differ from GATEHOUSE_PORT: the admin API never shares the public port');
  }
  const defaultAudience = env.GATEHOUSE_DEFAULT_AUDIENCE || issuer;
  const adminHost = env.GATEHOUSE_ADMIN_HOST || 'localhost';
  if (!LOOPBACK.has(adminHost) && !env.GATEHOUSE_ADMIN_TOKEN) {
    throw new ConfigError(`GATEHOUSE_ADMIN_HOST is "${adminHost}", beyond loopback: set GATEHOUSE_ADMIN_TOKEN so the admin API is not open to the network`);
  }
  return {
    port: portValue,
    adminPort: adminPortValue,
    host: env.GATEHOUSE_HOST || 'localhost',
    adminHost,
    issuer,
    databaseUrl: dbUrl,
    databasePoolSize: positiveInt(env, 'GATEHOUSE_DATABASE_POOL_SIZE', 10),
    secret: loadSecret(env, dbUrl),
    logLevel,
    defaultAudience,
    unregisteredResources: unregisteredResources(env),
    scopeDescriptions: scopeCatalogue(file),
    authorizationCodeTtlSeconds: duration(env, 'GATEHOUSE_CODE_TTL', 60),
    deviceCodeTtlSeconds: positiveDuration(env, 'GATEHOUSE_DEVICE_CODE_TTL', 600),
    sessionTtlSeconds: duration(env, 'GATEHOUSE_SESSION_TTL', 8 * 3600),
    keyRetentionSeconds: duration(env, 'GATEHOUSE_KEY_RETENTION', 7 * 24 * 3600),
    keyRefreshSeconds: duration(env, 'GATEHOUSE_KEY_REFRESH', 10),
    trustProxy: trustProxySetting(env.GATEHOUSE_TRUST_PROXY),
    secureCookies: issuer.startsWith('https:'),
    adminToken: env.GATEHOUSE_ADMIN_TOKEN || undefined,
    adminHostnames: adminHostnames(env, adminHost),
    cleanupIntervalSeconds: duration(env, 'GATEHOUSE_CLEANUP_INTERVAL', 600),
    auditRetentionSeconds: positiveDuration(env, 'GATEHOUSE_AUDIT_RETENTION', 90 * 24 * 3600),
    http: httpLimits(env),
    refreshRetryWindowSeconds: refreshRetryWindow(env),
    passwordChecks: positiveInt(env, 'GATEHOUSE_PASSWORD_CHECKS', defaultPasswordCheckConcurrency()),
    passwordCheckQueue: nonNegativeInt(env, 'GATEHOUSE_PASSWORD_CHECK_QUEUE', DEFAULT_PASSWORD_CHECK_QUEUE),
    rateLimitPerSecond: nonNegativeInt(env, 'GATEHOUSE_RATE_LIMIT', 1000),
    requirePushedAuthorizationRequests: bool(env, 'GATEHOUSE_REQUIRE_PAR', false),
    dpopNonce: bool(env, 'GATEHOUSE_DPOP_NONCE', false),
    delegation: delegationSettings(env, issuer),
    outbound: outboundPolicy(env),
    clientMetadata: clientMetadataSettings(env),
    registration: registrationSettings(env),
    branding: brandingSettings(file),
  };
}

function registrationSettings(env: Env): RegistrationSettings {
  const mode = env.GATEHOUSE_REGISTRATION || 'off';
  if (mode !== 'off' && mode !== 'open' && mode !== 'token') throw new ConfigError(`GATEHOUSE_REGISTRATION must be off, open or token, got "${mode}"`);
  const unusedTtlSeconds = duration(env, 'GATEHOUSE_REGISTRATION_UNUSED_TTL', 86400);
  if (unusedTtlSeconds < 60) throw new ConfigError(`GATEHOUSE_REGISTRATION_UNUSED_TTL must be at least 1m, got "${env.GATEHOUSE_REGISTRATION_UNUSED_TTL}"`);
  const rawScopes = env.GATEHOUSE_REGISTRATION_SCOPES;
  let scopes: string[] | undefined;
  if (rawScopes !== undefined && rawScopes.trim() !== '') {
    scopes = [...new Set(rawScopes.split(/[\s,]+/).filter(Boolean))];
    for (const scope of scopes) {
      if (!/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(scope)) throw new ConfigError(`GATEHOUSE_REGISTRATION_SCOPES must be scopes separated by spaces (e.g. "openid read:leads"), got "${scope}"`);
    }
  }
  return {
    mode,
    unusedTtlSeconds,
    perAddressPerHour: nonNegativeInt(env, 'GATEHOUSE_REGISTRATION_RATE_LIMIT', 20),
    scopes,
    softwareStatementKeys: softwareStatementKeys(env.GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS),
  };
}

/** JWK members only a private or symmetric key has: trusted statement issuers are named by public keys alone. */
const NON_PUBLIC_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

function softwareStatementKeys(path: string | undefined): { keys: JsonWebKey[] } | undefined {
  if (path === undefined || path.trim() === '') return undefined;
  const name = 'GATEHOUSE_REGISTRATION_SOFTWARE_STATEMENT_KEYS';
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(`${name} names "${path}", which cannot be read as JSON`);
  }
  const keys = (value as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) throw new ConfigError(`${name} file "${path}" must hold a JWK Set: {"keys": [...]} with at least one key`);
  for (const key of keys) {
    if (typeof key !== 'object' || key === null || typeof (key as { kty?: unknown }).kty !== 'string') throw new ConfigError(`${name} file "${path}": every key must be a JWK with "kty"`);
    const secret = NON_PUBLIC_JWK_MEMBERS.find((member) => member in key);
    if (secret) throw new ConfigError(`${name} file "${path}": a key has the private member "${secret}"; list public keys only`);
  }
  return { keys: keys as JsonWebKey[] };
}

const BRANDING_FIELDS = new Set(['name', 'logo', 'primaryColor', 'supportUrl', 'privacyUrl']);
const MAX_LOGO_LENGTH = 64 * 1024;

function brandingSettings(file: Record<string, unknown>): Branding {
  const raw = file.branding;
  if (raw === undefined) return { name: 'Gatehouse' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('"branding" in the config file must be an object (name, logo, primaryColor, supportUrl, privacyUrl)');
  }
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!BRANDING_FIELDS.has(key)) throw new ConfigError(`"branding.${key}" in the config file is not a branding setting (name, logo, primaryColor, supportUrl, privacyUrl)`);
  }
  const text = (key: string): string | undefined => {
    const value = fields[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`"branding.${key}" in the config file must be a non-empty string`);
    return value.trim();
  };
  const name = text('name');
  // Control characters would be invisible or break the title bar.
  if (name !== undefined && (name.length > 60 || /[\u0000-\u001f\u007f]/.test(name))) {
    throw new ConfigError('"branding.name" in the config file must be at most 60 characters, with no control characters');
  }
  const logo = text('logo');
  if (logo !== undefined && (logo.length > MAX_LOGO_LENGTH || !/^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/.test(logo))) {
    throw new ConfigError('"branding.logo" in the config file must be a data:image/(png|jpeg|gif|webp|svg+xml);base64,… URI of at most 64 KiB (the pages load nothing from other sites)');
  }
  const primaryColor = text('primaryColor');
  if (primaryColor !== undefined && !/^#[0-9a-fA-F]{6}$/.test(primaryColor)) {
    throw new ConfigError(`"branding.primaryColor" in the config file must be a colour as #rrggbb, got "${primaryColor}"`);
  }
  const link = (key: string): string | undefined => {
    const value = text(key);
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`"branding.${key}" in the config file must be an absolute https URL, got "${value}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`"branding.${key}" in the config file must be an https URL, got "${value}"`);
    return url.href;
  };
  return {
    name: name ?? 'Gatehouse',
    ...(logo !== undefined ? { logo } : {}),
    ...(primaryColor !== undefined ? { primaryColor: primaryColor.toLowerCase() } : {}),
    ...optional('supportUrl', link('supportUrl')),
    ...optional('privacyUrl', link('privacyUrl')),
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: string });
}

function clientMetadataSettings(env: Env): ClientMetadataSettings {
  const switched = env.GATEHOUSE_CLIENT_METADATA ?? '';
  if (!['', 'on', 'off'].includes(switched)) throw new ConfigError(`GATEHOUSE_CLIENT_METADATA must be on or off, got "${switched}"`);
  const hosts = (env.GATEHOUSE_CLIENT_METADATA_HOSTS ?? '').split(',').map((host) => host.trim().toLowerCase()).filter(Boolean);
  for (const host of hosts) {
    if (!/^[a-z0-9.-]+$/.test(host) || host.startsWith('.') || host.endsWith('.')) {
      throw new ConfigError(`GATEHOUSE_CLIENT_METADATA_HOSTS must be comma-separated host names (e.g. "vscode.dev,claude.ai"), got "${host}"`);
    }
  }
  return { enabled: switched !== 'off', hosts };
}

/** Documents clients point Gatehouse at: at most this large. */
const OUTBOUND_MAX_BYTES = 64 * 1024;

function outboundPolicy(env: Env): OutboundPolicy {
  const loopback = env.GATEHOUSE_FETCH_ALLOW_LOOPBACK ?? '';
  if (!['', 'true', 'false'].includes(loopback)) throw new ConfigError(`GATEHOUSE_FETCH_ALLOW_LOOPBACK must be true or false, got "${loopback}"`);
  const caFile = env.GATEHOUSE_FETCH_CA_FILE;
  let ca: string | undefined;
  if (caFile) {
    try {
      ca = readFileSync(caFile, 'utf8');
    } catch (error) {
      throw new ConfigError(`GATEHOUSE_FETCH_CA_FILE cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}): ${caFile}`);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`GATEHOUSE_FETCH_CA_FILE must hold PEM certificates: ${caFile}`);
  }
  const timeoutMs = durationMs(env, 'GATEHOUSE_FETCH_TIMEOUT', 5000);
  if (timeoutMs > 30_000) throw new ConfigError(`GATEHOUSE_FETCH_TIMEOUT must be at most 30s, got "${env.GATEHOUSE_FETCH_TIMEOUT}"`);
  return { allowLoopback: loopback === 'true', ca, timeoutMs, maxBytes: OUTBOUND_MAX_BYTES };
}

/** A page of the platform's (login, consent): absolute, no fragment; https, or http when the issuer is http too. */
function platformPageUrl(env: Env, name: string, issuer: string): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be an absolute URL such as https://app.example.com/oauth/login, got "${raw}"`);
  }
  if (url.hash) throw new ConfigError(`${name} must not have a fragment (#…), got "${raw}"`);
  const httpAllowed = issuer.startsWith('http:');
  if (url.protocol !== 'https:' && !(httpAllowed && url.protocol === 'http:')) {
    throw new ConfigError(`${name} must be an https URL${httpAllowed ? ' (or http, as the issuer is)' : ' (the issuer is https, so the challenge must not travel in clear text)'}, got "${raw}"`);
  }
  return url.href;
}

function delegationSettings(env: Env, issuer: string): DelegationSettings {
  const loginUrl = platformPageUrl(env, 'GATEHOUSE_LOGIN_URL', issuer);
  const consentUrl = platformPageUrl(env, 'GATEHOUSE_CONSENT_URL', issuer);
  // The built-in consent page asks the signed-in Gatehouse user; a subject the platform signed in has no session here to ask.
  if (loginUrl !== undefined && consentUrl === undefined) {
    throw new ConfigError('GATEHOUSE_LOGIN_URL needs GATEHOUSE_CONSENT_URL too: the built-in consent page only serves the built-in sign-in');
  }
  const challengeTtlSeconds = duration(env, 'GATEHOUSE_CHALLENGE_TTL', 600);
  if (challengeTtlSeconds < 10 || challengeTtlSeconds > 3600) {
    throw new ConfigError(`GATEHOUSE_CHALLENGE_TTL must be between 10s and 1h, got "${env.GATEHOUSE_CHALLENGE_TTL}"`);
  }
  const appAddresses = (env.GATEHOUSE_LOGIN_APP_ADDRESSES ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
  for (const entry of appAddresses) {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    const maxBits = family === 6 ? 128 : 32;
    if (family === 0 || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= maxBits))) {
      throw new ConfigError(`GATEHOUSE_LOGIN_APP_ADDRESSES must be comma-separated IP addresses or CIDRs (e.g. "10.0.1.17,10.0.2.0/24"), got "${entry}"`);
    }
  }
  return {
    loginUrl,
    consentUrl,
    logoutUrl: platformPageUrl(env, 'GATEHOUSE_LOGOUT_URL', issuer),
    deviceVerificationUrl: platformPageUrl(env, 'GATEHOUSE_DEVICE_VERIFICATION_URL', issuer),
    challengeTtlSeconds,
    appAddresses,
  };
}
