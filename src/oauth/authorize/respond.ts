// The answer to an authorization request: a redirect to the client with a code, or with an error (RFC 9207 adds iss).
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { SessionRecord, UserRecord } from '../../store/types.js';
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

/**
 * Stores a single-use code bound to everything the token request must match, and returns the redirect that carries it.
 * The code remembers the session it was issued in (its public sid), so the ID tokens name it and ending the session
 * notifies this client.
 */
export async function issueCode(services: ServicesWith<InteractionStore, 'config' | 'now'>, request: AuthorizationRequest, user: UserRecord, session: Pick<SessionRecord, 'authTime' | 'sid'>): Promise<string> {
  const code = randomToken();
  const now = services.now();
  await services.store.saveAuthorizationCode({
    codeHash: sha256Hex(code),
    clientId: request.client.clientId,
    userId: user.id,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    nonce: request.nonce ?? null,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallenge ? 'S256' : null,
    authTime: session.authTime,
    createdAt: now,
    expiresAt: now + services.config.authorizationCodeTtlSeconds,
    consumedAt: null,
    grantId: null,
    sessionId: session.sid,
  });
  return withQuery(request.redirectUri, { code, state: request.state, iss: services.config.issuer });
}
