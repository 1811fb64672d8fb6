// Step 5: PKCE — S256 only, and mandatory for public clients.
import { checkChallenge } from '../pkce.js';
import { isPublicClient } from '../../domain/clients.js';
import type { AuthorizeStep } from './request.js';

export const checkPkce: AuthorizeStep = ({ params, request }) => {
  const isPublic = isPublicClient(request.client!);
  request.codeChallenge = checkChallenge(params.optional('code_challenge'), params.optional('code_challenge_method'), isPublic);
};
