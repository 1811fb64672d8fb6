// One error family for every OAuth endpoint: a check throws, one place renders it (RFC 6749 §4.1.2.1, §5.2).
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'login_required'
  | 'consent_required'
  | 'interaction_required'
  | 'invalid_token'
  | 'insufficient_scope'
  | 'unsupported_token_type'
  // OpenID Connect Core 3.1.2.6: request objects are not supported.
  | 'request_not_supported'
  | 'request_uri_not_supported'
  // RFC 8628 §3.5: the device authorization grant's answers while the user has not decided, or too late.
  | 'authorization_pending'
  | 'slow_down'
  | 'expired_token'
  // RFC 8707 §2: a `resource` that is malformed, unknown, not granted, or does not accept the scopes asked for.
  | 'invalid_target'
  // RFC 9449 §5, §8: a DPoP proof that fails a check, or lacks the nonce the server wants.
  | 'invalid_dpop_proof'
  | 'use_dpop_nonce'
  // RFC 7591 §3.2.2: dynamic client registration's refusals.
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata'
  | 'invalid_software_statement'
  | 'unapproved_software_statement'
  // Not an RFC 6749 code: the JSON answer for a path with no endpoint.
  | 'not_found';

/** Where an authorization error goes once client and redirect_uri are trusted (RFC 6749 §4.1.2.1). */
export interface ErrorRedirect {
  uri: string;
  state: string | undefined;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Set when the client authenticated with HTTP Basic and failed: the answer carries WWW-Authenticate. */
  basicChallenge = false;
  /** Seconds the client should wait before retrying (Retry-After); undefined for errors a retry will not cure. */
  retryAfterSeconds: number | undefined;
  /**
   * Set once the authorization endpoint trusts the client's redirect_uri: the error is then sent there. Until
   * then (unknown client, unregistered redirect_uri) it is shown to the user as a page, never redirected.
   */
  redirect: ErrorRedirect | undefined;
  /** A fresh DPoP nonce for the answer's DPoP-Nonce header (RFC 9449 §8); set at endpoints that take DPoP proofs. */
  dpopNonce: string | undefined;
  /** Set at a protected resource (userinfo) when the request used the DPoP scheme: the challenge is DPoP's (RFC 9449 §7.1). */
  dpopChallenge = false;

  constructor(error: OAuthErrorCode, description: string, status = 400) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
  }

  get description(): string {
    return this.message;
  }

  get redirectable(): boolean {
    return this.redirect !== undefined;
  }

  /** Marks the error as one to send to the client's (trusted) redirect_uri. */
  redirectTo(uri: string, state: string | undefined): this {
    this.redirect = { uri, state };
    return this;
  }

  toJSON(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}

export class InvalidRequest extends OAuthError {
  constructor(description: string) {
    super('invalid_request', description, 400);
  }
}

export class InvalidClient extends OAuthError {
  constructor(description: string, basicChallenge = false) {
    super('invalid_client', description, 401);
    this.basicChallenge = basicChallenge;
  }
}

export class InvalidGrant extends OAuthError {
  constructor(description: string) {
    super('invalid_grant', description, 400);
  }
}

export class UnauthorizedClient extends OAuthError {
  constructor(description: string) {
    super('unauthorized_client', description, 400);
  }
}

export class UnsupportedGrantType extends OAuthError {
  constructor(description: string) {
    super('unsupported_grant_type', description, 400);
  }
}

export class InvalidScope extends OAuthError {
  constructor(description: string) {
    super('invalid_scope', description, 400);
  }
}

export class AccessDenied extends OAuthError {
  constructor(description: string) {
    super('access_denied', description, 400);
  }
}

export class UnsupportedResponseType extends OAuthError {
  constructor(description: string) {
    super('unsupported_response_type', description, 400);
  }
}

export class LoginRequired extends OAuthError {
  constructor(description: string) {
    super('login_required', description, 400);
  }
}

export class ConsentRequired extends OAuthError {
  constructor(description: string) {
    super('consent_required', description, 400);
  }
}

/** RFC 8628 §3.5: the user has not yet decided; the device polls again after its interval. */
export class AuthorizationPending extends OAuthError {
  constructor(description: string) {
    super('authorization_pending', description, 400);
  }
}

/** RFC 8628 §3.5: the device polled too soon; its interval has grown by 5 seconds. */
export class SlowDown extends OAuthError {
  constructor(description: string) {
    super('slow_down', description, 400);
  }
}

/** RFC 8628 §3.5: the device code expired before it was exchanged; the device must start again. */
export class ExpiredToken extends OAuthError {
  constructor(description: string) {
    super('expired_token', description, 400);
  }
}

/** RFC 8707 §2: the resource named is malformed, unknown, not granted, or does not accept the scopes. */
export class InvalidTarget extends OAuthError {
  constructor(description: string) {
    super('invalid_target', description, 400);
  }
}

export class UnsupportedTokenType extends OAuthError {
  constructor(description: string) {
    super('unsupported_token_type', description, 400);
  }
}

/** 413: the body is larger than the port accepts; the rest of it is not read. */
export class BodyTooLarge extends OAuthError {
  constructor() {
    super('invalid_request', 'the request body is too large', 413);
  }
}

/** 415: OAuth requests are forms (RFC 6749 §3.2). */
export class UnsupportedMediaType extends OAuthError {
  constructor() {
    super('invalid_request', 'the request body must be application/x-www-form-urlencoded', 415);
  }
}

/** 404: no endpoint at this path. */
export class NotFound extends OAuthError {
  constructor(description: string, readonly path: string) {
    super('not_found', description, 404);
  }
}

/** 405: a known path asked with a method it does not answer; `allow` is the Allow header (RFC 9110 §15.5.6). */
export class MethodNotAllowed extends OAuthError {
  constructor(description: string, readonly allow: string) {
    super('invalid_request', description, 405);
  }
}

/** 429 or 503: a condition that passes; the answer says when to retry. */
export class TemporarilyUnavailable extends OAuthError {
  constructor(description: string, status: 429 | 503, retryAfterSeconds: number) {
    super('temporarily_unavailable', description, status);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 500: a bug, logged where it happened; the answer says nothing about it. */
export class ServerError extends OAuthError {
  constructor() {
    super('server_error', 'the server hit an unexpected error; it has been logged', 500);
  }
}
