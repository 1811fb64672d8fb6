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
  | 'unsupported_token_type';

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  /** Set when the client authenticated with HTTP Basic and failed: the answer carries WWW-Authenticate. */
  basicChallenge = false;

  constructor(error: OAuthErrorCode, description: string, status = 400) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = status;
  }

  get description(): string {
    return this.message;
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

export class UnsupportedTokenType extends OAuthError {
  constructor(description: string) {
    super('unsupported_token_type', description, 400);
  }
}

/**
 * An authorization request that cannot be trusted to redirect (unknown client, unregistered redirect_uri):
 * shown to the user as an HTML page, never sent to a redirect_uri.
 */
export class UntrustedRedirectError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UntrustedRedirectError';
  }
}
