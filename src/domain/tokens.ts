// Minting and reading tokens: JWT (RFC 9068) or opaque access tokens, refresh tokens, OIDC id_tokens.
//
// What is stored: an opaque access token is its row. A JWT access token is self-contained: issuing it writes
// nothing of its own (its signature is the whole cost), and a row appears only if it is revoked — then the row
// says so. A user's JWT names its grant (the grant_id claim), written in the same transaction as the refresh
// token, so revoking the grant ends it; a client's JWT lives while its client does. Introspection, userinfo and
// revocation therefore honour every JWT. Opaque values are never stored, only hashes.
import type { TokenFlowStore } from '../store/token-flows.js';
import type { AccessTokenRecord, ActClaim, ClientRecord, GrantedSession, GrantRecord, RefreshTokenRecord, UserRecord } from '../store/types.js';
import { randomId, randomToken, sha256Base64Url, sha256Hex } from './crypto.js';
import type { KeyService } from './keys.js';
import { formatScope, parseScopeList } from './scopes.js';
import { DuplicateError } from '../store/errors.js';
import type { ClientCache } from './client-cache.js';
import { JwtRejected } from '../jwt/errors.js';
import { SIGNING_ALG, type JwtKind } from '../jwt/rules.js';
import { signJwt } from '../jwt/sign.js';
import { SignatureCache } from '../jwt/signature-cache.js';
import { verifyJwt } from '../jwt/verify.js';

export const OPAQUE_ACCESS_PREFIX = 'gha_';
export const REFRESH_PREFIX = 'ghr_';

export interface AccessTokenInput {
  client: ClientRecord;
  userId: string | null;
  scopes: string[];
  audience: string[];
  grantId: string | null;
  authTime: number | null;
  /** Extra claims the platform's consent granted (Hydra's session.access_token), carried under `ext`. */
  ext?: Record<string, unknown>;
  /** The thumbprint of the DPoP key the token is bound to (RFC 9449 §6): cnf.jkt in a JWT, the row's dpop_jkt otherwise. */
  dpopJkt?: string | null;
  /** RFC 8693 `act`, for a token made by token exchange. */
  act?: ActClaim;
  /** The latest the token may expire (token exchange: never past the subject token); else the client's lifetime decides. */
  notAfter?: number;
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

type Claims = Record<string, unknown>;

/**
 * What a presented token is: the one answer introspection, revocation, userinfo and `tokens inspect` act on.
 * An access token whose `record` is undefined is a JWT this issuer signed whose client or grant is gone.
 */
export type PresentedToken =
  | { kind: 'refresh_token'; record: RefreshTokenRecord }
  | ({ kind: 'access_token' } & ResolvedAccessToken)
  | { kind: 'id_token'; claims: Claims }
  | { kind: 'unknown' };

const UNKNOWN: PresentedToken = { kind: 'unknown' };

/** What a token looks like, before any lookup: its prefix, or three dot-separated parts. */
function tokenShape(token: string): 'refresh' | 'opaque_access' | 'jwt' | 'other' {
  if (token.startsWith(REFRESH_PREFIX)) return 'refresh';
  if (token.startsWith(OPAQUE_ACCESS_PREFIX)) return 'opaque_access';
  return token.split('.').length === 3 ? 'jwt' : 'other';
}

/** A client acting for itself: RFC 9068 puts its client_id in `sub`, and no user ever signed in (no auth_time). */
function isClientToken(claims: Record<string, unknown>): boolean {
  return claims.auth_time === undefined && typeof claims.client_id === 'string' && claims.sub === claims.client_id;
}

export class TokenService {
  private readonly signatures = new SignatureCache();

  constructor(
    private readonly issuer: string,
    private readonly keys: KeyService,
    private readonly store: TokenFlowStore,
    /** Client records, cached for a second: a deleted client's self-contained tokens end within it. */
    private readonly clients: Pick<ClientCache, 'get'>,
    /** The server's clock in whole epoch seconds (Services.now). */
    private readonly now: () => number,
  ) {}

  async issueAccessToken(input: AccessTokenInput): Promise<IssuedAccessToken> {
    const { client, now } = input;
    const expiresIn = input.notAfter === undefined ? client.accessTokenTtl : Math.min(client.accessTokenTtl, input.notAfter - now);
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
      dpopJkt: input.dpopJkt ?? null,
      ...(input.act ? { act: input.act } : {}),
    };
    if (client.accessTokenFormat === 'opaque') {
      const token = randomToken(OPAQUE_ACCESS_PREFIX);
      return { token, record: { id: sha256Hex(token), ...base }, expiresIn, needsRow: true };
    }
    const jti = randomId();
    const key = await this.keys.signingKey(SIGNING_ALG.access_token);
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
    if (input.ext && Object.keys(input.ext).length > 0) claims.ext = input.ext;
    if (input.dpopJkt) claims.cnf = { jkt: input.dpopJkt };
    if (input.act) claims.act = input.act;
    const token = await signJwt(claims, { kind: 'access_token', key });
    return { token, record: { id: jti, ...base }, expiresIn, needsRow: false };
  }

  issueRefreshToken(client: ClientRecord, grantId: string, userId: string | null, scopes: string[], now: number, dpopJkt: string | null = null): { token: string; record: RefreshTokenRecord } {
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
        dpopJkt,
      },
    };
  }

  async issueIdToken(input: {
    client: ClientRecord;
    user: UserRecord;
    scopes: string[];
    nonce: string | null;
    authTime: number | null;
    /** The public id of the session the grant began in (OIDC Front-/Back-Channel Logout `sid`). */
    sid?: string | null;
    accessToken: string;
    /** What the platform's consent granted: extra claims (never the protocol's own), acr, amr. */
    granted: GrantedSession | null;
    now: number;
  }): Promise<string> {
    const key = await this.keys.signingKey(SIGNING_ALG.id_token);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: input.user.id,
      aud: input.client.clientId,
      exp: input.now + Math.min(input.client.accessTokenTtl, 3600),
      iat: input.now,
      azp: input.client.clientId,
      at_hash: atHash(input.accessToken),
      ...userClaims(input.user, input.scopes, input.granted),
    };
    if (input.granted?.acr !== undefined) claims.acr = input.granted.acr;
    if (input.granted?.amr !== undefined) claims.amr = input.granted.amr;
    if (input.nonce !== null) claims.nonce = input.nonce;
    if (input.authTime !== null) claims.auth_time = input.authTime;
    if (input.sid) claims.sid = input.sid;
    return await signJwt(claims, { kind: 'id_token', key });
  }

  /**
   * Says what a presented token is, and finds its record. A JWT counts only if it passes the JWT rules
   * (jwt/verify.ts) against this issuer and a key it still publishes. Expiry is left to the caller
   * (tokenStatus), so an expired token is reported as expired, not unknown.
   */
  async identify(token: string, hint?: string): Promise<PresentedToken> {
    switch (tokenShape(token)) {
      case 'refresh':
        return (await this.refreshToken(token)) ?? UNKNOWN;
      case 'opaque_access':
        return (await this.opaqueAccessToken(token)) ?? UNKNOWN;
      case 'jwt':
        return this.identifyJwt(token);
      case 'other': {
        // No prefix (issued before prefixes, or made up): the hint says which table to read first.
        const lookups = hint === 'refresh_token' ? [this.refreshToken, this.opaqueAccessToken] : [this.opaqueAccessToken, this.refreshToken];
        for (const lookup of lookups) {
          const found = await lookup.call(this, token);
          if (found) return found;
        }
        return UNKNOWN;
      }
    }
  }

  /** The record of a presented access token (opaque or JWT); no record for anything else. */
  async resolveAccessToken(token: string): Promise<ResolvedAccessToken> {
    const presented = await this.identify(token, 'access_token');
    return presented.kind === 'access_token' ? presented : NOT_FOUND;
  }

  /**
   * The claims of a JWT of this `kind` that this issuer signed with a key it still publishes, whatever its
   * expiry (the caller decides what expiry means); throws JwtRejected, with its code, for anything else.
   */
  async readOwnJwt(token: string, kind: JwtKind, audience?: readonly string[]): Promise<Claims> {
    try {
      const verified = await verifyJwt(token, { kind, issuer: this.issuer, audience, key: this.publishedKey, now: this.now(), cache: this.signatures });
      return verified.claims;
    } catch (error) {
      if (error instanceof JwtRejected && error.code === 'ERR_JWT_EXPIRED' && error.claims) return error.claims;
      throw error;
    }
  }

  /** The published key the kid names, when it signs with the header's alg. */
  private readonly publishedKey = async (header: { kid?: unknown; alg?: unknown }) => {
    const key = await this.keys.verificationKey(header.kid as string);
    return key !== undefined && key.alg === header.alg ? key.key : undefined;
  };

  private async refreshToken(token: string): Promise<PresentedToken | undefined> {
    const record = await this.store.getRefreshToken(sha256Hex(token));
    return record ? { kind: 'refresh_token', record } : undefined;
  }

  private async opaqueAccessToken(token: string): Promise<PresentedToken | undefined> {
    const record = await this.store.getAccessToken(sha256Hex(token));
    return record ? { kind: 'access_token', record, claims: undefined, stored: true } : undefined;
  }

  /** An access-token JWT, else an ID token (told apart by typ), else unknown. */
  private async identifyJwt(token: string): Promise<PresentedToken> {
    let claims: Claims;
    try {
      claims = await this.readOwnJwt(token, 'access_token');
    } catch (error) {
      if (!(error instanceof JwtRejected)) throw error;
      if (error.code !== 'ERR_JWT_WRONG_TYPE') return UNKNOWN;
      try {
        return { kind: 'id_token', claims: await this.readOwnJwt(token, 'id_token') };
      } catch (inner) {
        if (inner instanceof JwtRejected) return UNKNOWN;
        throw inner;
      }
    }
    return { kind: 'access_token', ...(await this.accessFromClaims(claims)), claims };
  }

  /** A verified access-token JWT's record: its row if it has one, else what its client or grant says now. */
  private async accessFromClaims(claims: Claims): Promise<ResolvedAccessToken> {
    const record = await this.store.getAccessToken(claims.jti as string);
    if (record) return { record, claims, stored: true };
    if (isClientToken(claims)) {
      // A client's token: valid while its client exists.
      const client = await this.clients.get(claims.client_id as string);
      if (!client) return { ...NOT_FOUND, claims };
      return { record: recordFromClaims(claims, null), claims, stored: false };
    }
    // A user's token: valid while its grant is (revoking the grant, its client or its user ends it).
    if (typeof claims.grant_id !== 'string') return { ...NOT_FOUND, claims };
    const grant = await this.store.getGrant(claims.grant_id);
    if (!grant || grant.userId !== claims.sub) return { ...NOT_FOUND, claims };
    if (grant.clientId !== claims.client_id) {
      // Only a token made by token exchange names a grant of another client (the one whose token was exchanged:
      // revoking that grant ends it); it also ends with the client it was issued to.
      if (!isActClaim(claims.act) || !(await this.clients.get(claims.client_id as string))) return { ...NOT_FOUND, claims };
    }
    return { record: recordFromClaims(claims, grant), claims, stored: false };
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

function recordFromClaims(claims: Record<string, unknown>, grant: GrantRecord | null): AccessTokenRecord {
  const aud = claims.aud;
  return {
    id: claims.jti as string,
    grantId: grant?.id ?? null,
    clientId: claims.client_id as string,
    userId: grant?.userId ?? null,
    scopes: typeof claims.scope === 'string' ? parseScopeList(claims.scope) : [],
    audience: typeof aud === 'string' ? [aud] : Array.isArray(aud) ? (aud as string[]) : [],
    format: 'jwt',
    createdAt: typeof claims.iat === 'number' ? claims.iat : 0,
    expiresAt: typeof claims.exp === 'number' ? claims.exp : 0,
    revokedAt: grant?.revokedAt ?? null,
    dpopJkt: boundJkt(claims),
    ...(isActClaim(claims.act) ? { act: claims.act } : {}),
  };
}

/** The DPoP key thumbprint a JWT access token is bound to (RFC 9449 §6.1 cnf.jkt), or null. */
function boundJkt(claims: Record<string, unknown>): string | null {
  const cnf = claims.cnf as { jkt?: unknown } | undefined;
  return cnf !== null && typeof cnf === 'object' && typeof cnf.jkt === 'string' ? cnf.jkt : null;
}

/** An RFC 8693 `act` claim as Gatehouse writes it: a `sub`, and maybe the earlier actor under `act`. */
export function isActClaim(value: unknown): value is ActClaim {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const act = value as Record<string, unknown>;
  return typeof act.sub === 'string' && (act.act === undefined || isActClaim(act.act));
}

/** OIDC Core §3.1.3.6: the left half of the SHA-256 of the access token, base64url. */
export function atHash(accessToken: string): string {
  return sha256Base64Url(accessToken).subarray(0, 16).toString('base64url');
}

/**
 * Claims about the user for the ID token and userinfo: what Gatehouse's own user record releases for the granted
 * scopes (OIDC Core §5.4), then what the platform's consent page granted (session.id_token), which wins. A subject
 * the platform signed in has only the latter. The extra claims were checked at accept time never to name a
 * protocol claim (sub, iss, aud…: see oauth/delegated).
 */
export function userClaims(user: UserRecord, scopes: readonly string[], granted: GrantedSession | null = null): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (!user.external && scopes.includes('profile')) {
    claims.preferred_username = user.username;
    claims.name = user.name ?? user.username;
  }
  if (!user.external && scopes.includes('email') && user.email) {
    claims.email = user.email;
    claims.email_verified = false;
  }
  // What the platform's consent page says of its user wins over Gatehouse's own record.
  return { ...claims, ...granted?.idToken };
}
