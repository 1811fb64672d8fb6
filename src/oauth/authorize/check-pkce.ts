// Step 5: PKCE — S256 only, and mandatory for public clients.
import { checkChallenge } from '../pkce.js';
import type { AuthorizeStep } from './request.js';

export const checkPkce: AuthorizeStep = ({ params, request }) => {
  const isPublic = request.client!.secretHash === null;
  request.codeChallenge = checkChallenge(params.optional('code_challenge'), params.optional('code_challenge_method'), isPublic);
};
