// Step 5: PKCE — S256 only, and mandatory for public clients.
import { checkChallenge } from '../pkce.js';
import { isPublicClient } from '../../domain/clients.js';
import type { AuthorizeStep } from './request.js';
import { InvalidRequest } from '../errors.js';

export const checkPkce: AuthorizeStep = ({ params, request }) => {
  const isPublic = isPublicClient(request.client!);
  request.codeChallenge = checkChallenge(params.optional('code_challenge'), params.optional('code_challenge_method'), isPublic);
  // RFC 9449 §10: a key binding of the code, checked with the same care as the PKCE challenge it sits beside.
  const jkt = params.optional('dpop_jkt');
  if (jkt !== undefined && !/^[A-Za-z0-9_-]{43}$/.test(jkt)) {
    throw new InvalidRequest('dpop_jkt must be the base64url SHA-256 JWK thumbprint of the DPoP key (43 characters)');
  }
  request.dpopJkt = jkt ?? null;
};
