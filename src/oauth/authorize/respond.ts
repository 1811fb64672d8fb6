// The answer to an authorization request: a redirect to the client with a code, or with an error (RFC 9207 adds iss).
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { GrantedSession } from '../../store/types.js';
import { randomToken, sha256Hex } from '../../domain/crypto.js';
import type { OAuthError } from '../errors.js';
import type { AuthorizationRequest } from './request.js';

function withQuery(redirectUri: string, values: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

export function errorRedirect(issuer: string, redirectUri: string, error: OAuthError, state: string | undefined): string {
  return withQuery(redirectUri, { error: error.error, error_description: error.message, state, iss: issuer });
}

/** Who the code is for and what they allowed: the requested scopes (built-in consent) or what the platform granted. */
export interface CodeGrant {
  userId: string;
  authTime: number;
  scopes: string[];
  granted: GrantedSession | null;
  /**
   * The public sid of the sign-in session the code was issued in (null: none, e.g. a sign-in the platform did not
   * ask Gatehouse to remember), so the ID tokens name it and ending the session notifies this client.
   */
  sessionId: string | null;
}

/** Stores a single-use code bound to everything the token request must match, and returns the redirect that carries it. */
export async function issueCode(services: ServicesWith<InteractionStore, 'config' | 'now'>, request: AuthorizationRequest, grant: CodeGrant): Promise<string> {
  const code = randomToken();
  const now = services.now();
  await services.store.saveAuthorizationCode({
    codeHash: sha256Hex(code),
    clientId: request.client.clientId,
    userId: grant.userId,
    redirectUri: request.redirectUri,
    scopes: grant.scopes,
    nonce: request.nonce ?? null,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallenge ? 'S256' : null,
    authTime: grant.authTime,
    createdAt: now,
    expiresAt: now + services.config.authorizationCodeTtlSeconds,
    consumedAt: null,
    grantId: null,
    granted: withResources(grant.granted, request.resources),
    sessionId: grant.sessionId,
    dpopJkt: request.dpopJkt ?? null,
  });
  return withQuery(request.redirectUri, { code, state: request.state, iss: services.config.issuer });
}

/**
 * The code remembers the resources (RFC 8707) as the audience it grants, in the one place an audience is kept
 * (GrantedSession.audience; the access token's `aud`, and what a refresh may narrow). What the platform's consent
 * page granted stands (a subset of the resources, checked when it answered); the built-in consent grants them all.
 */
function withResources(granted: GrantedSession | null, resources: readonly string[]): GrantedSession | null {
  if (resources.length === 0 || (granted !== null && granted.audience.length > 0)) return granted;
  return { ...(granted ?? { idToken: {}, accessToken: {} }), audience: [...resources] };
}
