// Verifying a JWT Gatehouse issued, with one set of rules (./rules.ts), for every caller: introspection,
// revocation, userinfo, id_token_hint, `tokens inspect`, and the resource SDK's local checks.
//
// The checks run cheapest first, and those that need no key run before any key is looked up, so a token from
// another issuer or with a forbidden algorithm never causes a key (or JWKS) fetch:
//   alg allowed → typ → kid → iss → key by kid → signature → required claims → aud → nbf → exp.
// Expiry is last, so ERR_JWT_EXPIRED means every other rule passed, and the error carries the verified claims:
// the server reports an expired token as expired, and accepts an expired id_token_hint (OIDC Core §3.1.2.1).
//
// The signature is checked with node:crypto, not jose, for a measured reason (docs/benchmarks.md, "JWT
// verification"): on Node 20 jose goes through WebCrypto, and one ES256 check cost 1.7× the CPU of
// node:crypto's (122 vs 71 µs). The callback form runs it on libuv's pool, like signing. Behind it, a
// signature cache (the caller's) checks each token's signature once: that keeps introspection fast.
import type { FlattenedJWSInput, JWSHeaderParameters } from 'jose';
import { KeyObject, verify } from 'node:crypto';
import { JwtRejected } from './errors.js';
import { isJwtAlgorithm, JWT_ALGORITHMS, JWT_LEEWAY_SECONDS, JWT_TYP, normalizeTyp, REQUIRED_CLAIMS, TYP_MAY_BE_ABSENT, type JwtAlgorithm, type JwtKind } from './rules.js';
import type { SignatureCache } from './signature-cache.js';

type Claims = Record<string, unknown>;

export interface VerifyJwtOptions {
  /** What the token must be: decides the typ and the required claims. */
  kind: JwtKind;
  /** The `iss` the token must carry. */
  issuer: string;
  /** When given, `aud` must name at least one of these. */
  audience?: readonly string[] | undefined;
  /**
   * The published key the header's kid names, able to verify the header's alg; undefined when there is none.
   * It may also throw an error of its own (the SDK's JWKS cache does), which is passed on unchanged.
   */
  key: (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<KeyObject | CryptoKey | undefined>;
  /** The current time, in seconds since the epoch. */
  now: number;
  /** Allowed clock skew on exp and nbf. Default: JWT_LEEWAY_SECONDS. */
  leewaySeconds?: number | undefined;
  /** Signatures already checked; without one, every call checks the signature. */
  cache?: SignatureCache | undefined;
}

export interface VerifiedJwt {
  header: Claims;
  claims: Claims;
}

export async function verifyJwt(token: string, options: VerifyJwtOptions): Promise<VerifiedJwt> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new JwtRejected('ERR_JWT_MALFORMED', 'the token is not a compact JWS (three dot-separated parts)');
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  // A token seen before: its header and claims are the ones parsed then (the same bytes); every rule below still
  // runs on them, and the signature counts only if the kid still names the same key.
  const cached = options.cache?.get(token);
  const header = cached?.header ?? segment(headerPart, 'header');

  if (!isJwtAlgorithm(header.alg)) {
    throw new JwtRejected('ERR_JWT_ALG_NOT_ALLOWED', `alg ${quote(header.alg)} is not allowed (only ${JWT_ALGORITHMS.join(', ')})`, header);
  }
  const expectedTyp = JWT_TYP[options.kind];
  const typAbsentAllowed = header.typ === undefined && TYP_MAY_BE_ABSENT.has(options.kind);
  if (!typAbsentAllowed && normalizeTyp(header.typ) !== expectedTyp.toLowerCase()) {
    throw new JwtRejected('ERR_JWT_WRONG_TYPE', `typ ${quote(header.typ)} is not ${expectedTyp}`, header, unverifiedClaims(payloadPart));
  }
  if (typeof header.kid !== 'string' || header.kid === '') {
    throw new JwtRejected('ERR_JWT_KID_MISSING', 'the header names no signing key (kid)', header);
  }
  const claims = cached?.claims ?? segment(payloadPart, 'payload', header);
  if (claims.iss !== options.issuer) {
    throw new JwtRejected('ERR_JWT_WRONG_ISSUER', `iss ${quote(claims.iss)} is not ${quote(options.issuer)}`, header, claims);
  }

  const key = await options.key(header as JWSHeaderParameters, { protected: headerPart, payload: payloadPart, signature: signaturePart });
  if (key === undefined) {
    throw new JwtRejected('ERR_JWT_KEY_NOT_FOUND', `no published ${header.alg} key has kid ${quote(header.kid)}`, header, claims);
  }
  if (cached?.key !== key) {
    if (!(await signatureVerifies(`${headerPart}.${payloadPart}`, signaturePart, key, header.alg))) {
      throw new JwtRejected('ERR_JWT_INVALID_SIGNATURE', 'the signature does not verify with the key the kid names', header, claims);
    }
    options.cache?.set(token, key, header, claims);
  }

  checkClaims(header, claims, options);
  return { header, claims };
}

/** The key's type must be the alg's (an RSA key never checks an "ES256" token), then the signature must verify. */
async function signatureVerifies(signingInput: string, signature: string, key: KeyObject | CryptoKey, alg: JwtAlgorithm): Promise<boolean> {
  const keyObject = key instanceof KeyObject ? key : KeyObject.from(key);
  const ec = alg === 'ES256';
  if (keyObject.type !== 'public' || keyObject.asymmetricKeyType !== (ec ? 'ec' : 'rsa')) return false;
  if (ec && keyObject.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return false;
  // ES256 signatures in a JWS are the raw r||s pair (RFC 7518 §3.4), not DER.
  const verifyKey = ec ? { key: keyObject, dsaEncoding: 'ieee-p1363' as const } : keyObject;
  return new Promise((resolve) => {
    verify('sha256', Buffer.from(signingInput), verifyKey, Buffer.from(signature, 'base64url'), (error, valid) => resolve(!error && valid));
  });
}

/** The claim rules, after the signature: what must be there, for whom, and when. */
function checkClaims(header: Claims, claims: Claims, options: VerifyJwtOptions): void {
  const reject = (code: ConstructorParameters<typeof JwtRejected>[0], message: string): never => {
    throw new JwtRejected(code, message, header, claims);
  };
  for (const name of REQUIRED_CLAIMS[options.kind]) {
    if (claims[name] === undefined) reject('ERR_JWT_CLAIM_MISSING', `the ${name} claim is missing`);
  }
  for (const name of ['exp', 'nbf', 'iat']) {
    if (claims[name] !== undefined && !isSeconds(claims[name])) reject('ERR_JWT_CLAIM_INVALID', `the ${name} claim is not a number of seconds`);
  }
  for (const name of ['jti', 'sub']) {
    if (claims[name] !== undefined && (typeof claims[name] !== 'string' || claims[name] === '')) reject('ERR_JWT_CLAIM_INVALID', `the ${name} claim is not a string`);
  }
  if (options.audience !== undefined) {
    const audience = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!audience.some((aud) => typeof aud === 'string' && options.audience!.includes(aud))) {
      reject('ERR_JWT_WRONG_AUDIENCE', `aud ${quote(claims.aud)} names none of ${options.audience.map(quote).join(', ')}`);
    }
  }
  const leeway = options.leewaySeconds ?? JWT_LEEWAY_SECONDS;
  if (typeof claims.nbf === 'number' && claims.nbf > options.now + leeway) reject('ERR_JWT_NOT_YET_VALID', `not valid before ${claims.nbf}`);
  if (typeof claims.exp === 'number' && claims.exp <= options.now - leeway) reject('ERR_JWT_EXPIRED', `expired at ${claims.exp}`);
}

function segment(part: string, what: 'header' | 'payload', header?: Claims): Claims {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new JwtRejected('ERR_JWT_MALFORMED', `the ${what} is not base64url JSON`, header, undefined, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JwtRejected('ERR_JWT_MALFORMED', `the ${what} is not a JSON object`, header);
  }
  return value as Claims;
}

/** The payload for a caller's hint only (e.g. "this looks like an ID token"); never trusted. */
function unverifiedClaims(part: string): Claims | undefined {
  try {
    return segment(part, 'payload');
  } catch {
    return undefined;
  }
}

const isSeconds = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** A value from a token, quoted and cut short for a message. */
function quote(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
