// The resource SDK's one error family. Every failure the verifier can report is a subclass with a stable
// `code` (callers and tests branch on codes, never on messages) and knows its RFC 6750 answer: its HTTP
// status and its `error` value in the WWW-Authenticate challenge. The message and the hint are for the
// log only; what goes to the client is rendered generically by challenge.ts.

export type ResourceAuthErrorCode =
  | 'ERR_TOKEN_MISSING'
  | 'ERR_INVALID_REQUEST'
  | 'ERR_TOKEN_MALFORMED'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_INVALID_SIGNATURE'
  | 'ERR_TOKEN_KEY_NOT_FOUND'
  | 'ERR_TOKEN_WRONG_ISSUER'
  | 'ERR_TOKEN_WRONG_AUDIENCE'
  | 'ERR_TOKEN_WRONG_TYPE'
  | 'ERR_TOKEN_ALG_NOT_ALLOWED'
  | 'ERR_TOKEN_INACTIVE'
  | 'ERR_INSUFFICIENT_SCOPE'
  | 'ERR_DPOP_PROOF_INVALID'
  | 'ERR_TOKEN_DPOP_BINDING'
  | 'ERR_ISSUER_UNREACHABLE'
  | 'ERR_ISSUER_METADATA_INVALID';

/** The RFC 6750 §3.1 `error` value, or null when the challenge carries none (no credentials were sent). */
export type BearerErrorValue = 'invalid_request' | 'invalid_token' | 'insufficient_scope' | 'invalid_dpop_proof' | null;

export interface ResourceAuthErrorOptions {
  /** What the caller can do about it, for the log (e.g. "send `Authorization: Bearer <token>`"). */
  hint?: string;
  cause?: unknown;
}

export abstract class ResourceAuthError extends Error {
  abstract readonly code: ResourceAuthErrorCode;
  abstract readonly status: number;
  abstract readonly bearerError: BearerErrorValue;
  readonly hint: string | undefined;
  /**
   * The scopes the challenge's `scope` names: for a 401, what the operation needs (so a client asks for them when
   * it authorizes); for a 403, what to ask for on step-up. Set by the verifier from the scopes it was asked to check.
   */
  challengeScopes: readonly string[] = [];
  /** The request used DPoP, or the error is about DPoP: the challenge is DPoP's (RFC 9449 §7.1), not Bearer's. */
  dpop = false;

  constructor(message: string, options: ResourceAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
  }
}

/** No bearer credentials were sent (or they were sent with a scheme this resource does not take). */
export class TokenMissingError extends ResourceAuthError {
  readonly code = 'ERR_TOKEN_MISSING';
  readonly status = 401;
  readonly bearerError = null;
}

/** The request is malformed: a broken Authorization header, or a token sent in more than one way. */
export class InvalidRequestError extends ResourceAuthError {
  readonly code = 'ERR_INVALID_REQUEST';
  readonly status = 400;
  readonly bearerError = 'invalid_request';
}

/** Every rejection of the token itself answers 401 `invalid_token`; the subclass says why, in the log. */
export abstract class InvalidTokenError extends ResourceAuthError {
  readonly status = 401;
  readonly bearerError = 'invalid_token';
}

export class TokenMalformedError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_MALFORMED';
}

export class TokenExpiredError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_EXPIRED';
}

export class TokenNotYetValidError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_NOT_YET_VALID';
}

export class TokenInvalidSignatureError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_INVALID_SIGNATURE';
}

/** The token names a signing key (`kid`) that the issuer's JWKS does not hold, even after a refetch. */
export class TokenKeyNotFoundError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_KEY_NOT_FOUND';
}

export class TokenWrongIssuerError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_WRONG_ISSUER';
}

export class TokenWrongAudienceError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_WRONG_AUDIENCE';
}

/** The JWT is not an access token: its `typ` header is not `at+jwt` (RFC 9068 §2.1), e.g. an ID token. */
export class TokenWrongTypeError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_WRONG_TYPE';
}

/** The JWT's `alg` is not ES256 or RS256 (`none`, HS256 and the rest are refused before any key is used). */
export class TokenAlgNotAllowedError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_ALG_NOT_ALLOWED';
}

/** Introspection answered `active: false`: revoked, expired, unknown, or not an access token. */
export class TokenInactiveError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_INACTIVE';
}

/** A DPoP-bound token presented as Bearer, with a proof by another key, or a plain token presented with DPoP. */
export class TokenDpopBindingError extends InvalidTokenError {
  readonly code = 'ERR_TOKEN_DPOP_BINDING';
  override dpop = true;
}

/** The DPoP proof failed a check (RFC 9449 §4.3): 401 `invalid_dpop_proof`. */
export class InvalidDpopProofError extends ResourceAuthError {
  readonly code = 'ERR_DPOP_PROOF_INVALID';
  readonly status = 401;
  readonly bearerError = 'invalid_dpop_proof';
  override dpop = true;
}

/** The token is valid but lacks a scope the operation needs (403, RFC 6750 §3.1). */
export class InsufficientScopeError extends ResourceAuthError {
  readonly code = 'ERR_INSUFFICIENT_SCOPE';
  readonly status = 403;
  readonly bearerError = 'insufficient_scope';
  /** Every scope the operation needs (not just the missing ones), as the challenge's `scope` names them. */
  readonly requiredScopes: readonly string[];

  constructor(message: string, requiredScopes: readonly string[], options: ResourceAuthErrorOptions = {}) {
    super(message, options);
    this.requiredScopes = [...requiredScopes];
    this.challengeScopes = this.requiredScopes;
  }
}

/**
 * The token could not be checked because the issuer could not be asked (network failure, timeout, a 5xx,
 * or it rejected our introspection credentials). Not the client's fault: answered 503, not 401, so the
 * client does not throw away a good token.
 */
export class IssuerUnreachableError extends ResourceAuthError {
  readonly code: ResourceAuthErrorCode = 'ERR_ISSUER_UNREACHABLE';
  readonly status = 503;
  readonly bearerError = null;
}

/** The issuer answered, but with metadata we cannot trust or use (issuer mismatch, no jwks_uri, bad JWKS). */
export class IssuerMetadataInvalidError extends IssuerUnreachableError {
  override readonly code: ResourceAuthErrorCode = 'ERR_ISSUER_METADATA_INVALID';
}

export function isResourceAuthError(value: unknown): value is ResourceAuthError {
  return value instanceof ResourceAuthError;
}
