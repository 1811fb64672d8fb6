// Step 7: id_token_hint (OIDC Core 3.1.2.1), an ID token this server issued to this client, naming the user the
// client expects. It is checked like any ID token we issued (our published keys, our issuer) except for expiry:
// a client usually sends one that has expired, and the spec allows it. What it is used for is decided once the
// session is known: see hintNamesAnotherUser.
import { JwtRejected } from '../../jwt/errors.js';
import { InvalidRequest } from '../errors.js';
import type { AuthorizationRequest, AuthorizeStep } from './request.js';

export const checkIdTokenHint: AuthorizeStep = async ({ params, request, services }) => {
  const hint = params.optional('id_token_hint');
  if (hint === undefined) return;
  const clientId = request.client!.clientId;
  let claims: Record<string, unknown>;
  try {
    claims = await services.tokens.readOwnJwt(hint, 'id_token', [clientId]);
  } catch (error) {
    if (!(error instanceof JwtRejected)) throw error;
    if (error.code === 'ERR_JWT_WRONG_AUDIENCE') throw new InvalidRequest(`id_token_hint was not issued to client "${clientId}"`);
    if (error.code === 'ERR_JWT_CLAIM_MISSING' || error.code === 'ERR_JWT_CLAIM_INVALID') throw new InvalidRequest(`id_token_hint is not usable: ${error.message}`);
    throw new InvalidRequest(`id_token_hint is not an ID token issued by this server (its signature, key or issuer does not check out: ${error.code})`);
  }
  request.idTokenHintSubject = claims.sub as string; // required and a string by the ID token rules
  request.idTokenHintClaims = claims;
};

/**
 * True when the request came with an id_token_hint for someone other than the signed-in user: with prompt=none
 * that is login_required, otherwise the user is asked to sign in again (as the right account).
 */
export function hintNamesAnotherUser(request: AuthorizationRequest, userId: string): boolean {
  return request.idTokenHintSubject !== undefined && request.idTokenHintSubject !== userId;
}
