// Step 4: the scopes asked for are all ones the client registered.
import { parseScope, requireWithin } from '../scopes.js';
import type { AuthorizeStep } from './request.js';

export const checkScope: AuthorizeStep = ({ params, request }) => {
  const scopes = parseScope(params.optional('scope'));
  requireWithin(scopes, request.client!.scopes, `client "${request.client!.clientId}"`);
  request.scopes = scopes;
};
