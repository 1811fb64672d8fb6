// id_token_hint (RP-Initiated Logout §2): an ID token this server issued, expired or not. A hint that fails the
// checks (another issuer, a bad signature, a key never published) is refused: the request is not what it claims.
import { JwtRejected } from '../../jwt/errors.js';
import { InvalidRequest } from '../errors.js';
import type { LogoutStep } from './request.js';

export const checkIdTokenHint: LogoutStep = async ({ params, request, services }) => {
  const hint = params.optional('id_token_hint');
  if (hint === undefined) return;
  let claims: Record<string, unknown>;
  try {
    claims = await services.tokens.readOwnJwt(hint, 'id_token');
  } catch (error) {
    if (!(error instanceof JwtRejected)) throw error;
    if (error.code === 'ERR_JWT_WRONG_ISSUER') throw new InvalidRequest(`id_token_hint was issued by another server: ${error.message}`);
    throw new InvalidRequest(`id_token_hint is not an ID token issued by this server (its signature, key or claims do not check out: ${error.code})`);
  }
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
  // sub is required and a string by the ID token rules (jwt/rules.ts).
  request.hint = { subject: claims.sub as string, sid: typeof claims.sid === 'string' ? claims.sid : undefined, audiences };
};
