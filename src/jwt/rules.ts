// The rules every JWT Gatehouse issues is checked by, wherever it is checked: the server (introspection,
// revocation, userinfo, id_token_hint, `tokens inspect`) and the resource SDK (`gatehouse-oauth/resource`).
// Plain constants with no imports, so that the SDK can share them without pulling in server code.

/** The JWS algorithms Gatehouse signs with. `none` and HMAC (a public key misused as the secret) are never accepted. */
export const JWT_ALGORITHMS = ['ES256', 'RS256'] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

/** What a JWT is for, which its `typ` header says. */
export type JwtKind = 'access_token' | 'id_token' | 'logout_token' | 'client_assertion';
/** The kinds Gatehouse signs itself; a client assertion (RFC 7523 private_key_jwt) is only ever verified. */
export type SignedJwtKind = Exclude<JwtKind, 'client_assertion'>;

/**
 * RFC 9068 §2.1: access tokens say `at+jwt` (`application/at+jwt` is the same); ID tokens say `JWT`; Back-Channel
 * Logout 1.0 §2.4 logout tokens say `logout+jwt`, so that one can never pass for another.
 */
export const JWT_TYP: Readonly<Record<JwtKind, string>> = { access_token: 'at+jwt', id_token: 'JWT', logout_token: 'logout+jwt', client_assertion: 'JWT' };

/** Kinds whose typ may be left out: RFC 7523 names none for client assertions, and most clients send none. */
export const TYP_MAY_BE_ABSENT: ReadonlySet<JwtKind> = new Set(['client_assertion']);

/**
 * Which algorithm Gatehouse signs each kind with. Verification accepts any of JWT_ALGORITHMS whose key matches.
 * Logout tokens are signed with the ID-token key: relying parties verify them as they verify ID tokens.
 */
export const SIGNING_ALG: Readonly<Record<SignedJwtKind, JwtAlgorithm>> = { access_token: 'ES256', id_token: 'RS256', logout_token: 'RS256' };

/** Claims a token of each kind must carry (beyond iss, which is always compared with the issuer). */
export const REQUIRED_CLAIMS: Readonly<Record<JwtKind, readonly string[]>> = {
  // jti: a revoked JWT access token is remembered by it.
  access_token: ['exp', 'jti'],
  id_token: ['exp', 'sub'],
  logout_token: ['iat', 'jti', 'events'],
  // RFC 7523 §3: iss and sub name the client, aud the server, exp bounds it; jti lets it be used once.
  client_assertion: ['exp', 'jti', 'sub'],
};

/** Clock skew allowed on exp and nbf, in seconds: the one leeway, for the server and the SDK's default. */
export const JWT_LEEWAY_SECONDS = 5;

/** The normalized `typ`: case-insensitive, and an `application/` prefix may be left out (RFC 7515 §4.1.9). */
export function normalizeTyp(typ: unknown): string | undefined {
  return typeof typ === 'string' ? typ.toLowerCase().replace(/^application\//, '') : undefined;
}

export function isJwtAlgorithm(alg: unknown): alg is JwtAlgorithm {
  return typeof alg === 'string' && (JWT_ALGORITHMS as readonly string[]).includes(alg);
}
