// Verifying a JWT access token locally (RFC 9068 §4), no call to the issuer per request. The rules are the
// server's own (src/jwt/verify.ts, which has no server dependencies: only jose and constants): the same
// algorithms, typ, required kid and jti, and the same default leeway. The checks that need no key run first,
// so a token from another issuer or with a forbidden algorithm never causes a JWKS fetch. This module turns
// the shared rule's error codes into the SDK's error family.
import { errors } from 'jose';
import { JwtRejected } from '../jwt/errors.js';
import { JWT_ALGORITHMS } from '../jwt/rules.js';
import { verifyJwt } from '../jwt/verify.js';
import {
  IssuerMetadataInvalidError,
  ResourceAuthError,
  TokenAlgNotAllowedError,
  TokenExpiredError,
  TokenInvalidSignatureError,
  TokenKeyNotFoundError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenWrongAudienceError,
  TokenWrongIssuerError,
  TokenWrongTypeError,
} from './errors.js';
import type { JwksCache } from './jwks-cache.js';
import type { Actor, Principal } from './types.js';

/** Asymmetric only: `none` and HMAC (which a public key could be misused as the secret for) are refused. */
export const ALLOWED_ALGORITHMS: readonly string[] = JWT_ALGORITHMS;

export interface JwtCheckOptions {
  issuer: string;
  audience: readonly string[];
  clockToleranceSeconds: number;
  keys: JwksCache;
  /** The current time in milliseconds (default Date.now). */
  now?: () => number;
}

export async function verifyJwtAccessToken(token: string, options: JwtCheckOptions): Promise<Principal> {
  let claims: Record<string, unknown>;
  try {
    ({ claims } = await verifyJwt(token, {
      kind: 'access_token',
      issuer: options.issuer,
      audience: options.audience,
      key: options.keys.getKey,
      now: Math.floor((options.now ?? Date.now)() / 1000),
      leewaySeconds: options.clockToleranceSeconds,
    }));
  } catch (error) {
    throw translate(error, options);
  }
  return principalOf(claims, 'jwt');
}

function translate(error: unknown, options: JwtCheckOptions): unknown {
  if (error instanceof ResourceAuthError) return error;
  if (error instanceof JwtRejected) {
    const claims = error.claims ?? {};
    const header = error.header ?? {};
    const cause = error;
    switch (error.code) {
      case 'ERR_JWT_ALG_NOT_ALLOWED':
        return new TokenAlgNotAllowedError(`the token's alg ${quote(header.alg)} is not allowed (only ${ALLOWED_ALGORITHMS.join(', ')})`, { cause });
      case 'ERR_JWT_WRONG_TYPE': {
        const idToken = 'nonce' in claims || 'azp' in claims || 'at_hash' in claims;
        return new TokenWrongTypeError(`the JWT's typ is ${quote(header.typ)}, not at+jwt (RFC 9068)`, {
          hint: idToken ? 'this looks like an ID token: send the access token instead' : 'send an access token',
          cause,
        });
      }
      case 'ERR_JWT_KID_MISSING':
      case 'ERR_JWT_KEY_NOT_FOUND':
        return new TokenKeyNotFoundError(`the token ${error.message}`, { hint: 'the token comes from another issuer, or its key was retired', cause });
      case 'ERR_JWT_WRONG_ISSUER':
        return new TokenWrongIssuerError(`the token's iss ${quote(claims.iss)} is not the configured issuer ${quote(options.issuer)}`, { cause });
      case 'ERR_JWT_INVALID_SIGNATURE':
        return new TokenInvalidSignatureError('the token signature does not verify against the issuer key it names', { cause });
      case 'ERR_JWT_WRONG_AUDIENCE':
        return new TokenWrongAudienceError(
          `the token's aud ${quote(claims.aud)} does not name this resource (expected ${options.audience.map(quote).join(' or ')})`,
          { hint: 'the token was issued for another API: request it with the right resource/audience', cause },
        );
      case 'ERR_JWT_NOT_YET_VALID':
        return new TokenNotYetValidError(`the token is not valid before ${quote(claims.nbf)} (check the clocks)`, { cause });
      case 'ERR_JWT_EXPIRED': {
        const exp = typeof claims.exp === 'number' ? new Date(claims.exp * 1000).toISOString() : 'unknown';
        return new TokenExpiredError(`the token expired at ${exp}`, { hint: 'refresh the access token', cause });
      }
      case 'ERR_JWT_MALFORMED':
      case 'ERR_JWT_CLAIM_MISSING':
      case 'ERR_JWT_CLAIM_INVALID':
        return new TokenMalformedError(error.message, { cause });
    }
  }
  if (error instanceof errors.JWKInvalid || error instanceof errors.JWKSInvalid) {
    return new IssuerMetadataInvalidError('the issuer JWKS holds a key that cannot be used', { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    return new TokenMalformedError(`the token could not be parsed (${error.code})`, { cause: error });
  }
  return error;
}

/** Who a verified JWT, or an issuer's introspection answer, says is calling. A scope that is not a string is malformed. */
export function principalOf(claims: Record<string, unknown>, tokenType: Principal['tokenType']): Principal {
  if (claims.scope !== undefined && typeof claims.scope !== 'string') {
    throw new TokenMalformedError(`${tokenType === 'jwt' ? 'the token scope claim' : 'introspection answered a scope that'} is not a space-separated string`);
  }
  return {
    subject: typeof claims.sub === 'string' ? claims.sub : null,
    clientId: typeof claims.client_id === 'string' ? claims.client_id : null,
    scopes: splitScope(claims.scope),
    audience: audienceList(claims.aud),
    expiresAt: typeof claims.exp === 'number' ? new Date(claims.exp * 1000) : null,
    act: actorOf(claims.act),
    tokenType,
    claims: { ...claims },
  };
}

/** The `act` chain as far as it is well formed (a string `sub` at each level); null without one. */
function actorOf(value: unknown, depth = 0): Actor | null {
  if (depth > 10 || value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const { sub, act } = value as Record<string, unknown>;
  if (typeof sub !== 'string') return null;
  const previous = actorOf(act, depth + 1);
  return previous ? { sub, act: previous } : { sub };
}

function splitScope(scope: unknown): string[] {
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
}

export function audienceList(aud: unknown): string[] {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/** A value from a token, quoted and cut short for a log line. */
export function quote(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
