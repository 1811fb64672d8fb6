// Minting and reading tokens: JWT (RFC 9068) or opaque access tokens, refresh tokens, OIDC id_tokens.
//
// What is stored: an opaque access token is its row. A JWT access token is self-contained: issuing it writes
// nothing of its own (its signature is the whole cost), and a row appears only if it is revoked — then the row
// says so. A user's JWT names its grant (the grant_id claim), written in the same transaction as the refresh
// token, so revoking the grant ends it; a client's JWT lives while its client does. Introspection, userinfo and
// revocation therefore honour every JWT. Opaque values are never stored, only hashes.
import type { TokenFlowStore } from '../store/token-flows.js';
import type { AccessTokenRecord, ClientRecord, GrantRecord, RefreshTokenRecord, UserRecord } from '../store/types.js';
import { randomId, randomToken, sha256Base64Url, sha256Hex } from './crypto.js';
import type { KeyService } from './keys.js';
import { decodeJwt, signJwt, verifySignature } from './jwt.js';
import { formatScope, parseScope } from '../oauth/scopes.js';
import { DuplicateError } from '../store/errors.js';
import type { ClientCache } from './client-cache.js';
import { VerifiedJwtCache } from './verified-jwts.js';

export const OPAQUE_ACCESS_PREFIX = 'gha_';
export const REFRESH_PREFIX = 'ghr_';

export interface AccessTokenInput {
  client: ClientRecord;
  userId: string | null;
  scopes: string[];
  audience: string[];
  grantId: string | null;
  authTime: number | null;
  now: number;
}

export interface IssuedAccessToken {
  token: string;
  record: AccessTokenRecord;
  expiresIn: number;
  /** False for a JWT: it needs no row until it is revoked. */
  needsRow: boolean;
}

export interface ResolvedAccessToken {
  record: AccessTokenRecord | undefined;
  /** For JWTs: the verified claims. */
  claims: Record<string, unknown> | undefined;
  /** False when the record was read from a self-contained JWT that has no row. */
  stored: boolean;
}

const NOT_FOUND: ResolvedAccessToken = { record: undefined, claims: undefined, stored: false };

/** A client acting for itself: RFC 9068 puts its client_id in `sub`, and no user ever signed in (no auth_time). */
function isClientToken(claims: Record<string, unknown>): boolean {
  return claims.auth_time === undefined && typeof claims.client_id === 'string' && claims.sub === claims.client_id;
}

export class TokenService {
  private readonly verified = new VerifiedJwtCache();

  constructor(
    private readonly issuer: string,
    private readonly keys: KeyService,
    private readonly store: TokenFlowStore,
    /** Client records, cached for a second: a deleted client's self-contained tokens end within it. */
    private readonly clients: Pick<ClientCache, 'get'>,
  ) {}

  async issueAccessToken(input: AccessTokenInput): Promise<IssuedAccessToken> {
    const { client, now } = input;
    const expiresIn = client.accessTokenTtl;
    const base = {
      grantId: input.grantId,
      clientId: client.clientId,
      userId: input.userId,
      scopes: input.scopes,
      audience: input.audience,
      format: client.accessTokenFormat,
      createdAt: now,
      expiresAt: now + expiresIn,
      revokedAt: null,
    };
    if (client.accessTokenFormat === 'opaque') {
      const token = randomToken(OPAQUE_ACCESS_PREFIX);
      return { token, record: { id: sha256Hex(token), ...base }, expiresIn, needsRow: true };
    }
    const jti = randomId();
    const key = await this.keys.signingKey('ES256');
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: input.userId ?? client.clientId,
      aud: input.audience.length === 1 ? input.audience[0] : input.audience,
      exp: now + expiresIn,
      iat: now,
      jti,
      client_id: client.clientId,
      scope: formatScope(input.scopes),
    };
    if (input.authTime !== null) claims.auth_time = input.authTime;
    if (input.grantId !== null) claims.grant_id = input.grantId;
    const token = await signJwt({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }, claims, key.privateKey);
    return { token, record: { id: jti, ...base }, expiresIn, needsRow: false };
  }

  issueRefreshToken(client: ClientRecord, grantId: string, userId: string | null, scopes: string[], now: number): { token: string; record: RefreshTokenRecord } {
    const token = randomToken(REFRESH_PREFIX);
    return {
      token,
      record: {
        tokenHash: sha256Hex(token),
        grantId,
        clientId: client.clientId,
        userId,
        scopes,
        createdAt: now,
        expiresAt: now + client.refreshTokenTtl,
        rotatedAt: null,
        replacedBy: null,
        successorSealed: null,
        revokedAt: null,
        retriedAt: null,
      },
    };
  }

  async issueIdToken(input: {
    client: ClientRecord;
    user: UserRecord;
    scopes: string[];
    nonce: string | null;
    authTime: number | null;
    accessToken: string;
    now: number;
  }): Promise<string> {
    const key = await this.keys.signingKey('RS256');
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: input.user.id,
      aud: input.client.clientId,
      exp: input.now + Math.min(input.client.accessTokenTtl, 3600),
      iat: input.now,
      azp: input.client.clientId,
      at_hash: atHash(input.accessToken),
      ...userClaims(input.user, input.scopes),
    };
    if (input.nonce !== null) claims.nonce = input.nonce;
    if (input.authTime !== null) claims.auth_time = input.authTime;
    return await signJwt({ alg: 'RS256', typ: 'JWT', kid: key.kid }, claims, key.privateKey);
  }

  /**
   * Finds the record of an access token presented to introspection, revocation or userinfo. A JWT counts
   * only if its signature verifies against one of our published ES256 keys and this issuer issued it.
   * Expiry is left to the caller, so an expired token is reported as expired, not unknown.
   */
  async resolveAccessToken(token: string): Promise<ResolvedAccessToken> {
    if (token.startsWith(OPAQUE_ACCESS_PREFIX) || token.split('.').length !== 3) {
      const record = await this.store.getAccessToken(sha256Hex(token));
      return { record, claims: undefined, stored: record !== undefined };
    }
    const claims = await this.verifiedClaims(token);
    if (!claims) return NOT_FOUND;
    const record = await this.store.getAccessToken(claims.jti as string);
    if (record) return { record, claims, stored: true };
    if (isClientToken(claims)) {
      // A client's token: valid while its client exists.
      const client = await this.clients.get(claims.client_id as string);
      if (!client) return NOT_FOUND;
      return { record: recordFromClaims(claims, null), claims, stored: false };
    }
    // A user's token: valid while its grant is (revoking the grant, its client or its user ends it).
    if (typeof claims.grant_id !== 'string') return NOT_FOUND;
    const grant = await this.store.getGrant(claims.grant_id);
    if (!grant || grant.clientId !== claims.client_id || grant.userId !== claims.sub) return NOT_FOUND;
    return { record: recordFromClaims(claims, grant), claims, stored: false };
  }

  /** The claims of an access-token JWT that this issuer signed with a key it still publishes; else undefined. */
  private async verifiedClaims(token: string): Promise<Record<string, unknown> | undefined> {
    const kid = kidOf(token);
    if (kid === undefined) return undefined;
    const key = await this.keys.verificationKey(kid);
    if (!key || key.alg !== 'ES256') return undefined;
    const known = this.verified.get(token, key.key);
    if (known) return known;
    const decoded = decodeJwt(token);
    if (!decoded || decoded.header.typ !== 'at+jwt' || decoded.header.kid !== kid || !verifySignature(decoded, 'ES256', key.key)) return undefined;
    const claims = decoded.payload;
    if (claims.iss !== this.issuer || typeof claims.jti !== 'string') return undefined;
    this.verified.set(token, key.key, claims);
    return claims;
  }

  /** Revokes an access token; a self-contained JWT gets a row that records the revocation. */
  async revokeAccessToken(resolved: ResolvedAccessToken, now: number): Promise<void> {
    const record = resolved.record;
    if (!record) return;
    if (resolved.stored) return this.store.revokeAccessToken(record.id, now);
    try {
      await this.store.issueClientToken({ ...record, revokedAt: now });
    } catch (error) {
      // Revoked concurrently by another request: the row exists now; make sure it says revoked.
      if (!(error instanceof DuplicateError)) throw error;
      await this.store.revokeAccessToken(record.id, now);
    }
  }
}

/** The kid in a compact JWS header, without verifying anything; undefined when there is none. */
function kidOf(token: string): string | undefined {
  const dot = token.indexOf('.');
  if (dot <= 0) return undefined;
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString('utf8')) as unknown;
    const kid = typeof header === 'object' && header !== null ? (header as { kid?: unknown }).kid : undefined;
    return typeof kid === 'string' ? kid : undefined;
  } catch {
    return undefined;
  }
}

function recordFromClaims(claims: Record<string, unknown>, grant: GrantRecord | null): AccessTokenRecord {
  const aud = claims.aud;
  return {
    id: claims.jti as string,
    grantId: grant?.id ?? null,
    clientId: claims.client_id as string,
    userId: grant?.userId ?? null,
    scopes: typeof claims.scope === 'string' ? parseScope(claims.scope) : [],
    audience: typeof aud === 'string' ? [aud] : Array.isArray(aud) ? (aud as string[]) : [],
    format: 'jwt',
    createdAt: typeof claims.iat === 'number' ? claims.iat : 0,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
    revokedAt: grant?.revokedAt ?? null,
  };
}

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  return sha256Base64Url(accessToken).subarray(0, 16).toString('base64url');
}

/** Claims about the user that the granted scopes release (OIDC Core §5.4). */
export function userClaims(user: UserRecord, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (scopes.includes('profile')) {
    claims.preferred_username = user.username;
    claims.name = user.name ?? user.username;
  }
  if (scopes.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = false;
  }
  return claims;
}
