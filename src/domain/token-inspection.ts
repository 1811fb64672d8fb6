// What an operator learns from a token someone pasted: what kind it is, whose, for what, and whether it
// still works — and if not, since when and why. Used by `gatehouse tokens inspect` and the admin API.
// The token itself never appears in the report.
import type { Services, ServicesWith } from '../services.js';
import type { TokenFlowStore } from '../store/token-flows.js';
import type { GrantRecord, SigningAlg } from '../store/types.js';
import { sha256Hex } from './crypto.js';
import { decodeJwt, verifySignature } from './jwt.js';
import { OPAQUE_ACCESS_PREFIX, REFRESH_PREFIX } from './tokens.js';

export type TokenKind = 'jwt_access_token' | 'opaque_access_token' | 'refresh_token' | 'id_token' | 'unknown';

/**
 * active: accepted now. expired / revoked: no longer accepted (statusAt says when). rotated: a refresh token
 * already exchanged for a new one; presenting it again revokes its grant (unless inside the client's grace window,
 * or once within GATEHOUSE_REFRESH_RETRY_WINDOW while its successor is unused: a lost answer).
 * unknown: not issued by this Gatehouse, or no record of it remains.
 */
export type TokenStatus = 'active' | 'expired' | 'revoked' | 'rotated' | 'unknown';

export interface TokenReport {
  kind: TokenKind;
  status: TokenStatus;
  statusAt: number | null;
  revokedReason: string | null;
  clientId: string | null;
  clientName: string | null;
  userId: string | null;
  username: string | null;
  scopes: string[];
  audience: string[];
  issuedAt: number | null;
  expiresAt: number | null;
  grantId: string | null;
}

export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  jwt_access_token: 'JWT access token',
  opaque_access_token: 'opaque access token',
  refresh_token: 'refresh token',
  id_token: 'OpenID Connect ID token',
  unknown: 'unknown',
};

type InspectionServices = ServicesWith<TokenFlowStore, 'tokens' | 'keys' | 'config'>;

// Longer than any token Gatehouse makes; anything longer is not ours and is not worth hashing or parsing.
const MAX_TOKEN_LENGTH = 8192;

const UNKNOWN: TokenReport = {
  kind: 'unknown',
  status: 'unknown',
  statusAt: null,
  revokedReason: null,
  clientId: null,
  clientName: null,
  userId: null,
  username: null,
  scopes: [],
  audience: [],
  issuedAt: null,
  expiresAt: null,
  grantId: null,
};

interface Issued {
  kind: TokenKind;
  clientId: string | null;
  userId: string | null;
  scopes: string[];
  audience: string[];
  issuedAt: number | null;
  expiresAt: number | null;
  grantId: string | null;
  revokedAt: number | null;
  rotatedAt: number | null;
}

export async function inspectToken(services: InspectionServices, presented: string, now = Math.floor(Date.now() / 1000)): Promise<TokenReport> {
  const token = presented.trim().replace(/^Bearer\s+/i, '');
  if (!token || token.length > MAX_TOKEN_LENGTH) return { ...UNKNOWN };
  if (token.startsWith(REFRESH_PREFIX)) return inspectRefreshToken(services, token, now);
  const resolved = await services.tokens.resolveAccessToken(token);
  if (resolved.record) {
    const record = resolved.record;
    return describe(services, now, {
      kind: record.format === 'jwt' ? 'jwt_access_token' : 'opaque_access_token',
      clientId: record.clientId,
      userId: record.userId,
      scopes: record.scopes,
      audience: record.audience,
      issuedAt: record.createdAt,
      expiresAt: record.expiresAt,
      grantId: record.grantId,
      revokedAt: record.revokedAt,
      rotatedAt: null,
    });
  }
  const accessClaims = await verifiedJwt(services, token, 'ES256', 'at+jwt');
  if (accessClaims) return inspectUnrecordedJwt(services, accessClaims, now);
  const idClaims = await verifiedJwt(services, token, 'RS256', 'JWT');
  if (idClaims) return inspectIdToken(services, idClaims, now);
  return { ...UNKNOWN };
}

type Claims = Record<string, unknown>;

/**
 * The claims of a JWT this Gatehouse signed with `alg` (a key it still publishes) for this issuer, whatever
 * its expiry; undefined for anything else. Also how the authorization endpoint reads an id_token_hint.
 */
export async function verifiedJwt(services: Pick<Services, 'keys' | 'config'>, token: string, alg: SigningAlg, typ: string): Promise<Claims | undefined> {
  const decoded = decodeJwt(token);
  if (!decoded || decoded.header.typ !== typ || typeof decoded.header.kid !== 'string') return undefined;
  const key = await services.keys.verificationKey(decoded.header.kid);
  if (!key || key.alg !== alg || !verifySignature(decoded, alg, key.key)) return undefined;
  return decoded.payload.iss === services.config.issuer ? decoded.payload : undefined;
}

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const seconds = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
export const audienceOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

async function inspectRefreshToken(services: InspectionServices, token: string, now: number): Promise<TokenReport> {
  const record = await services.store.getRefreshToken(sha256Hex(token));
  if (!record) return { ...UNKNOWN };
  return describe(services, now, {
    kind: 'refresh_token',
    clientId: record.clientId,
    userId: record.userId,
    scopes: record.scopes,
    audience: [],
    issuedAt: record.createdAt,
    expiresAt: record.expiresAt,
    grantId: record.grantId,
    revokedAt: record.revokedAt,
    rotatedAt: record.rotatedAt,
  });
}

/**
 * A JWT access token whose signature and issuer check out but whose record is gone: either it expired and
 * `cleanup` removed the row, or its client was deleted (which deletes what was issued to it).
 */
async function inspectUnrecordedJwt(services: InspectionServices, claims: Claims, now: number): Promise<TokenReport> {
  const clientId = text(claims.client_id);
  const subject = text(claims.sub);
  const report = await describe(services, now, {
    kind: 'jwt_access_token',
    clientId,
    userId: subject !== null && subject !== clientId ? subject : null,
    scopes: (text(claims.scope) ?? '').split(' ').filter(Boolean),
    audience: audienceOf(claims.aud),
    issuedAt: seconds(claims.iat),
    expiresAt: seconds(claims.exp),
    grantId: null,
    revokedAt: null,
    rotatedAt: null,
  });
  if (report.status === 'active') {
    return { ...report, status: 'revoked', revokedReason: 'Gatehouse has no record of this token any more (was its client deleted?), so it is not accepted' };
  }
  return report;
}

/** ID tokens are RS256 JWTs for the client (aud) about the user (sub); they are not revocable, only expire. */
async function inspectIdToken(services: InspectionServices, claims: Claims, now: number): Promise<TokenReport> {
  const audience = audienceOf(claims.aud);
  return describe(services, now, {
    kind: 'id_token',
    clientId: text(claims.azp) ?? audience[0] ?? null,
    userId: text(claims.sub),
    scopes: [],
    audience,
    issuedAt: seconds(claims.iat),
    expiresAt: seconds(claims.exp),
    grantId: null,
    revokedAt: null,
    rotatedAt: null,
  });
}

/** Adds names to the ids and works out the status: revoked before rotated before expired. */
async function describe(services: InspectionServices, now: number, issued: Issued): Promise<TokenReport> {
  const [client, user, grant] = await Promise.all([
    issued.clientId ? services.store.getClient(issued.clientId) : undefined,
    issued.userId ? services.store.getUserById(issued.userId) : undefined,
    issued.grantId ? services.store.getGrant(issued.grantId) : undefined,
  ]);
  const report: TokenReport = {
    kind: issued.kind,
    status: 'active',
    statusAt: null,
    revokedReason: null,
    clientId: issued.clientId,
    clientName: client?.name ?? null,
    userId: issued.userId,
    username: user?.username ?? null,
    scopes: issued.scopes,
    audience: issued.audience,
    issuedAt: issued.issuedAt,
    expiresAt: issued.expiresAt,
    grantId: issued.grantId,
  };
  const revoked = revocation(issued, grant);
  if (revoked) return { ...report, status: 'revoked', statusAt: revoked.at, revokedReason: revoked.reason };
  if (issued.rotatedAt !== null) return { ...report, status: 'rotated', statusAt: issued.rotatedAt };
  if (issued.expiresAt !== null && issued.expiresAt <= now) return { ...report, status: 'expired', statusAt: issued.expiresAt };
  return report;
}

function revocation(issued: Issued, grant: GrantRecord | undefined): { at: number | null; reason: string } | undefined {
  if (grant && grant.revokedAt !== null) {
    return { at: issued.revokedAt ?? grant.revokedAt, reason: grant.revokedReason ?? 'its grant was revoked' };
  }
  if (issued.revokedAt !== null) {
    return { at: issued.revokedAt, reason: `this ${TOKEN_KIND_LABELS[issued.kind]} was revoked on its own; its grant is still active` };
  }
  if (issued.grantId !== null && !grant) {
    return { at: null, reason: 'its grant no longer exists' };
  }
  return undefined;
}
