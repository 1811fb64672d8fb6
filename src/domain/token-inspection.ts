// What an operator learns from a token someone pasted: what kind it is, whose, for what, and whether it
// still works — and if not, since when and why. Used by `gatehouse tokens inspect` and the admin API.
// The token itself never appears in the report.
import type { ServicesWith } from '../services.js';
import type { TokenFlowStore } from '../store/token-flows.js';
import type { ActClaim, GrantRecord, RefreshTokenRecord } from '../store/types.js';
import { isActClaim } from './tokens.js';
import { tokenStatus, type TokenStatus } from './token-status.js';

export type TokenKind = 'jwt_access_token' | 'opaque_access_token' | 'refresh_token' | 'id_token' | 'unknown';

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
  /** RFC 8693: who acts for the user, for a token made by token exchange (the chain nested under `act`). */
  act: ActClaim | null;
}

export const TOKEN_KIND_LABELS: Record<TokenKind, string> = {
  jwt_access_token: 'JWT access token',
  opaque_access_token: 'opaque access token',
  refresh_token: 'refresh token',
  id_token: 'OpenID Connect ID token',
  unknown: 'unknown',
};

type InspectionServices = ServicesWith<TokenFlowStore, 'tokens'>;

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
  act: null,
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
  act?: ActClaim | undefined;
}

export async function inspectToken(services: InspectionServices, presented: string, now: number): Promise<TokenReport> {
  const token = presented.trim().replace(/^Bearer\s+/i, '');
  if (!token || token.length > MAX_TOKEN_LENGTH) return { ...UNKNOWN };
  const found = await services.tokens.identify(token);
  switch (found.kind) {
    case 'refresh_token':
      return inspectRefreshToken(services, found.record, now);
    case 'access_token': {
      const record = found.record;
      if (!record) return inspectUnrecordedJwt(services, found.claims!, now);
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
        act: record.act,
      });
    }
    case 'id_token':
      return inspectIdToken(services, found.claims, now);
    case 'unknown':
      return { ...UNKNOWN };
  }
}

type Claims = Record<string, unknown>;

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const seconds = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const audienceOf = (value: unknown): string[] =>
  typeof value === 'string' ? [value] : Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function inspectRefreshToken(services: InspectionServices, record: RefreshTokenRecord, now: number): Promise<TokenReport> {
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
    act: isActClaim(claims.act) ? claims.act : undefined,
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
    act: issued.act ?? null,
  };
  const revoked = revocation(issued, grant);
  const state = tokenStatus({ ...issued, revokedAt: revoked ? revoked.at : null, revoked: revoked !== undefined }, now);
  return { ...report, status: state.status, statusAt: state.at, revokedReason: revoked?.reason ?? null };
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
