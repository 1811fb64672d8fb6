// The OIDC UserInfo endpoint (Core §5.3): claims about the user the access token was issued for, as its scopes allow.
import type { ServicesWith } from '../services.js';
import type { LookupStore } from '../store/lookups.js';
import { tokenStatus } from '../domain/token-status.js';
import { userClaims } from '../domain/tokens.js';
import { OAuthError } from './errors.js';

export class BearerError extends OAuthError {
  constructor(error: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, status: number) {
    super(error, description, status);
  }
}

/** The token from `Authorization: Bearer …` or a form `access_token` (RFC 6750 §2.1, §2.2), never both. */
export function bearerToken(authorization: string | undefined, formToken: unknown): string {
  if (authorization !== undefined && formToken !== undefined) {
    throw new BearerError('invalid_request', 'send the access token in one place only (header or body)', 400);
  }
  if (typeof formToken === 'string' && formToken) return formToken;
  if (formToken !== undefined) throw new BearerError('invalid_request', 'access_token must be sent once', 400);
  if (authorization === undefined) throw new BearerError('invalid_request', 'an access token is required: send Authorization: Bearer <token>', 401);
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
  if (!match) throw new BearerError('invalid_request', 'the Authorization header must be "Bearer <token>"', 400);
  return match[1]!;
}

export async function handleUserinfo(services: ServicesWith<LookupStore, 'tokens' | 'now'>, token: string): Promise<Record<string, unknown>> {
  const presented = await services.tokens.identify(token, 'access_token');
  const record = presented.kind === 'access_token' ? presented.record : undefined;
  if (!record || tokenStatus(record, services.now()).status !== 'active') {
    throw new BearerError('invalid_token', 'the access token is not valid (unknown, expired or revoked)', 401);
  }
  if (!record.scopes.includes('openid') || record.userId === null) {
    throw new BearerError('insufficient_scope', 'userinfo needs an access token issued for a user with the openid scope', 403);
  }
  const user = await services.store.getUserById(record.userId);
  if (!user) throw new BearerError('invalid_token', 'the user of this token no longer exists', 401);
  const grant = record.grantId === null ? undefined : await services.store.getGrant(record.grantId);
  return { sub: user.id, ...userClaims(user, record.scopes, grant?.granted ?? null) };
}
