// The OIDC UserInfo endpoint (Core §5.3): claims about the user the access token was issued for, as its scopes allow.
import type { ServicesWith } from '../services.js';
import type { LookupStore } from '../store/lookups.js';
import { tokenStatus } from '../domain/token-status.js';
import { userClaims } from '../domain/tokens.js';
import { OAuthError } from './errors.js';
import { InvalidDpopProof } from './dpop.js';

export const USERINFO_PATH = '/userinfo';

export class BearerError extends OAuthError {
  constructor(error: 'invalid_request' | 'invalid_token' | 'insufficient_scope', description: string, status: number) {
    super(error, description, status);
  }
}

/** An access token as presented: its value and the scheme it came with (RFC 6750 Bearer, or RFC 9449 DPoP). */
export interface PresentedAccessToken {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

/**
 * The token from `Authorization: Bearer …`, `Authorization: DPoP …` (RFC 9449 §7.1) or a form `access_token`
 * (RFC 6750 §2.1, §2.2), never two of them.
 */
export function presentedAccessToken(authorization: string | undefined, formToken: unknown): PresentedAccessToken {
  if (authorization !== undefined && formToken !== undefined) {
    throw new BearerError('invalid_request', 'send the access token in one place only (header or body)', 400);
  }
  if (typeof formToken === 'string' && formToken) return { token: formToken, scheme: 'Bearer' };
  if (formToken !== undefined) throw new BearerError('invalid_request', 'access_token must be sent once', 400);
  if (authorization === undefined) throw new BearerError('invalid_request', 'an access token is required: send Authorization: Bearer <token>', 401);
  const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
  if (!match) throw new BearerError('invalid_request', 'the Authorization header must be "Bearer <token>" or "DPoP <token>"', 400);
  return { token: match[2]!, scheme: match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer' };
}

/**
 * RFC 9449 §7: a DPoP-bound token is accepted only with the DPoP scheme and a proof by its key (a proof checked by
 * the caller: `proofJkt`); a Bearer token only as Bearer. Errors say DPoP in their challenge when DPoP was used.
 */
function checkBinding(presented: PresentedAccessToken, boundJkt: string | null, proofJkt: string | undefined): void {
  if (boundJkt === null) {
    if (presented.scheme === 'DPoP') throw dpopError(new BearerError('invalid_token', 'the access token is not DPoP-bound: send it as Bearer', 401));
    return;
  }
  if (presented.scheme !== 'DPoP') {
    throw new BearerError('invalid_token', 'the access token is DPoP-bound: send it as "Authorization: DPoP <token>" with a DPoP proof', 401);
  }
  if (proofJkt !== boundJkt) throw dpopError(new BearerError('invalid_token', 'the DPoP proof is not signed by the key the access token is bound to', 401));
}

function dpopError<E extends OAuthError>(error: E): E {
  error.dpopChallenge = true;
  return error;
}

export interface UserinfoRequest {
  presented: PresentedAccessToken;
  /** The request's DPoP header, as received. */
  dpop: string | string[] | undefined;
  method: string;
}

export async function handleUserinfo(services: ServicesWith<LookupStore, 'tokens' | 'now' | 'dpop'>, request: UserinfoRequest): Promise<Record<string, unknown>> {
  const { presented } = request;
  const token = presented.token;
  let proofJkt: string | undefined;
  if (presented.scheme === 'DPoP') {
    if (request.dpop === undefined) throw dpopError(new InvalidDpopProof('the DPoP scheme needs a DPoP proof header', 401));
    try {
      proofJkt = (await services.dpop.verify(request.dpop, { method: request.method, path: USERINFO_PATH, accessToken: token, status: 401 }))?.jkt;
    } catch (error) {
      if (error instanceof OAuthError) throw dpopError(error);
      throw error;
    }
  }
  const found = await services.tokens.identify(token, 'access_token');
  const record = found.kind === 'access_token' ? found.record : undefined;
  if (!record || tokenStatus(record, services.now()).status !== 'active') {
    throw new BearerError('invalid_token', 'the access token is not valid (unknown, expired or revoked)', 401);
  }
  checkBinding(presented, record.dpopJkt, proofJkt);
  if (!record.scopes.includes('openid') || record.userId === null) {
    throw new BearerError('insufficient_scope', 'userinfo needs an access token issued for a user with the openid scope', 403);
  }
  const user = await services.store.getUserById(record.userId);
  if (!user) throw new BearerError('invalid_token', 'the user of this token no longer exists', 401);
  const grant = record.grantId === null ? undefined : await services.store.getGrant(record.grantId);
  return { sub: user.id, ...userClaims(user, record.scopes, grant?.granted ?? null) };
}
