// Verifying a JWT access token locally (RFC 9068 §4), no call to the issuer per request. The checks run
// cheapest first, and the ones that need no key run before any key is looked up, so a token from another
// issuer or with a forbidden algorithm never causes a JWKS fetch:
//   alg is ES256 or RS256 → typ is at+jwt → iss is ours → signature (JWKS) → aud, exp, nbf (jose).
// jose does the cryptography and claim checks; this module turns its errors into ours.
import { decodeJwt, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions, type ProtectedHeaderParameters } from 'jose';
import {
  IssuerMetadataInvalidError,
  ResourceAuthError,
  TokenAlgNotAllowedError,
  TokenExpiredError,
  TokenInvalidSignatureError,
  TokenMalformedError,
  TokenNotYetValidError,
  TokenWrongAudienceError,
  TokenWrongIssuerError,
  TokenWrongTypeError,
} from './errors.js';
import type { JwksCache } from './jwks-cache.js';
import type { Principal } from './types.js';

/** Asymmetric only: `none` and HMAC (which a public key could be misused as the secret for) are refused. */
export const ALLOWED_ALGORITHMS: readonly string[] = ['ES256', 'RS256'];

export interface JwtCheckOptions {
  issuer: string;
  audience: readonly string[];
  clockToleranceSeconds: number;
  keys: JwksCache;
  /** Milliseconds since the epoch: the time exp and nbf are judged at. */
  now: () => number;
}

/** The checks that need neither a key nor the network. */
export function precheckJwt(header: ProtectedHeaderParameters, token: string, options: Pick<JwtCheckOptions, 'issuer'>): JWTPayload {
  if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) {
    throw new TokenAlgNotAllowedError(`the token's alg ${quote(header.alg)} is not allowed (only ${ALLOWED_ALGORITHMS.join(', ')})`);
  }
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase().replace(/^application\//, '') : undefined;
  let payload: JWTPayload;
  try {
    payload = decodeJwt(token);
  } catch (cause) {
    throw new TokenMalformedError('the JWT payload is not a JSON object', { cause });
  }
  if (typ !== 'at+jwt') {
    const idToken = typ === 'jwt' && ('nonce' in payload || 'azp' in payload || 'at_hash' in payload);
    throw new TokenWrongTypeError(`the JWT's typ is ${quote(header.typ)}, not at+jwt (RFC 9068)`, {
      hint: idToken ? 'this looks like an ID token: send the access token instead' : 'send an access token',
    });
  }
  if (payload.iss !== options.issuer) {
    throw new TokenWrongIssuerError(`the token's iss ${quote(payload.iss)} is not the configured issuer ${quote(options.issuer)}`);
  }
  return payload;
}

export async function verifyJwtAccessToken(token: string, header: ProtectedHeaderParameters, options: JwtCheckOptions): Promise<Principal> {
  precheckJwt(header, token, options);
  const verifyOptions: JWTVerifyOptions = {
    issuer: options.issuer,
    audience: [...options.audience],
    algorithms: [...ALLOWED_ALGORITHMS],
    typ: 'at+jwt',
    clockTolerance: options.clockToleranceSeconds,
    currentDate: new Date(options.now()),
    requiredClaims: ['exp'],
  };
  let payload: JWTPayload;
  try {
    payload = await verifyWithAnyMatchingKey(token, options.keys, verifyOptions);
  } catch (error) {
    throw translate(error, options);
  }
  return principalFromJwt(payload);
}

async function verifyWithAnyMatchingKey(token: string, keys: JwksCache, options: JWTVerifyOptions): Promise<JWTPayload> {
  try {
    return (await jwtVerify(token, keys.getKey, options)).payload;
  } catch (error) {
    // A token without kid that several keys could verify: try each (jose hands them out as an async iterator).
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    for await (const key of error as unknown as AsyncIterable<CryptoKey>) {
      try {
        return (await jwtVerify(token, key, options)).payload;
      } catch (inner) {
        if (!(inner instanceof errors.JWSSignatureVerificationFailed)) throw inner;
      }
    }
    throw new errors.JWSSignatureVerificationFailed();
  }
}

function translate(error: unknown, options: JwtCheckOptions): unknown {
  if (error instanceof ResourceAuthError) return error;
  if (error instanceof errors.JWTExpired) {
    const exp = typeof error.payload.exp === 'number' ? new Date(error.payload.exp * 1000).toISOString() : 'unknown';
    return new TokenExpiredError(`the token expired at ${exp}`, { hint: 'refresh the access token', cause: error });
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, payload } = error;
    if (claim === 'aud') {
      return new TokenWrongAudienceError(
        `the token's aud ${quote(payload.aud)} does not name this resource (expected ${options.audience.map(quote).join(' or ')})`,
        { hint: 'the token was issued for another API: request it with the right resource/audience', cause: error },
      );
    }
    if (claim === 'iss') return new TokenWrongIssuerError(`the token's iss ${quote(payload.iss)} is not the configured issuer`, { cause: error });
    if (claim === 'nbf') return new TokenNotYetValidError(`the token is not valid before ${quote(payload.nbf)} (check the clocks)`, { cause: error });
    if (claim === 'typ') return new TokenWrongTypeError('the JWT is not an at+jwt access token', { cause: error });
    return new TokenMalformedError(`the token's ${claim} claim is ${error.reason === 'missing' ? 'missing' : 'invalid'}`, { cause: error });
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new TokenInvalidSignatureError('the token signature does not verify against the issuer key it names', { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenAlgNotAllowedError('the token alg is not allowed', { cause: error });
  }
  if (error instanceof errors.JWKInvalid || error instanceof errors.JWKSInvalid) {
    return new IssuerMetadataInvalidError('the issuer JWKS holds a key that cannot be used', { cause: error });
  }
  if (error instanceof errors.JOSEError) {
    return new TokenMalformedError(`the token could not be parsed (${error.code})`, { cause: error });
  }
  return error;
}

function principalFromJwt(payload: JWTPayload): Principal {
  if (payload.scope !== undefined && typeof payload.scope !== 'string') {
    throw new TokenMalformedError('the token scope claim is not a space-separated string');
  }
  return {
    subject: typeof payload.sub === 'string' ? payload.sub : null,
    clientId: typeof payload.client_id === 'string' ? payload.client_id : null,
    scopes: splitScope(payload.scope),
    audience: audienceList(payload.aud),
    expiresAt: typeof payload.exp === 'number' ? new Date(payload.exp * 1000) : null,
    tokenType: 'jwt',
    claims: { ...payload },
  };
}

export function splitScope(scope: unknown): string[] {
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
