// Minting and reading tokens: JWT (RFC 9068) or opaque access tokens, refresh tokens, OIDC id_tokens.
// The store keeps a row for every access token (by jti or by hash) so introspection and revocation
// honour JWTs too; opaque values themselves are never stored, only their SHA-256.
import { SignJWT, decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import type { AccessTokenRecord, ClientRecord, RefreshTokenRecord, Store, UserRecord } from '../store/types.js';
import { randomId, randomToken, sha256Base64Url, sha256Hex } from './crypto.js';
import type { KeyService } from './keys.js';
import { formatScope } from '../oauth/scopes.js';

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
}

export interface ResolvedAccessToken {
  record: AccessTokenRecord | undefined;
  /** For JWTs: the verified claims. */
  claims: JWTPayload | undefined;
}

export class TokenService {
  constructor(
    private readonly issuer: string,
    private readonly keys: KeyService,
    private readonly store: Store,
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
      return { token, record: { id: sha256Hex(token), ...base }, expiresIn };
    }
    const jti = randomId();
    const key = await this.keys.signingKey('ES256');
    const claims: JWTPayload & Record<string, unknown> = {
      client_id: client.clientId,
      scope: formatScope(input.scopes),
    };
    if (input.authTime !== null) claims.auth_time = input.authTime;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid })
      .setIssuer(this.issuer)
      .setSubject(input.userId ?? client.clientId)
      .setAudience(input.audience.length === 1 ? input.audience[0]! : input.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .setJti(jti)
      .sign(key.privateKey);
    return { token, record: { id: jti, ...base }, expiresIn };
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
    const claims: JWTPayload & Record<string, unknown> = {
      azp: input.client.clientId,
      at_hash: atHash(input.accessToken),
      ...userClaims(input.user, input.scopes),
    };
    if (input.nonce !== null) claims.nonce = input.nonce;
    if (input.authTime !== null) claims.auth_time = input.authTime;
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid })
      .setIssuer(this.issuer)
      .setSubject(input.user.id)
      .setAudience(input.client.clientId)
      .setIssuedAt(input.now)
      .setExpirationTime(input.now + Math.min(input.client.accessTokenTtl, 3600))
      .sign(key.privateKey);
  }

  /**
   * Finds the record of an access token presented to introspection, revocation or userinfo. A JWT counts
   * only if its signature verifies against one of our published keys and it was issued by this issuer.
   */
  async resolveAccessToken(token: string): Promise<ResolvedAccessToken> {
    if (token.startsWith(OPAQUE_ACCESS_PREFIX) || token.split('.').length !== 3) {
      return { record: await this.store.getAccessToken(sha256Hex(token)), claims: undefined };
    }
    let kid: string | undefined;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      return { record: undefined, claims: undefined };
    }
    if (!kid) return { record: undefined, claims: undefined };
    const key = await this.keys.verificationKey(kid);
    if (!key || key.alg !== 'ES256') return { record: undefined, claims: undefined };
    try {
      // Expiry is judged by the caller from the record, so an expired token is reported as expired, not unknown.
      const { payload } = await jwtVerify(token, key.key, { issuer: this.issuer, algorithms: ['ES256'], typ: 'at+jwt', currentDate: new Date(0) });
      if (typeof payload.jti !== 'string') return { record: undefined, claims: undefined };
      return { record: await this.store.getAccessToken(payload.jti), claims: payload };
    } catch {
      return { record: undefined, claims: undefined };
    }
  }
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
