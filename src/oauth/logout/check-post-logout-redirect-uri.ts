// post_logout_redirect_uri (RP-Initiated Logout §2, §3.1): only a URI registered for the client, compared exactly.
// Anything else is a 400 page: never a redirect to a URI nobody registered (an open redirector).
import { InvalidRequest } from '../errors.js';
import type { LogoutStep } from './request.js';

export const checkPostLogoutRedirectUri: LogoutStep = ({ params, request }) => {
  request.state = params.optional('state');
  const uri = params.optional('post_logout_redirect_uri');
  if (uri === undefined) return;
  const client = request.client;
  if (!client) throw new InvalidRequest('post_logout_redirect_uri needs client_id or id_token_hint, to know whose registered URIs to compare it with');
  if (!client.postLogoutRedirectUris.includes(uri)) {
    throw new InvalidRequest(`post_logout_redirect_uri is not registered for client "${client.clientId}" (it must match a registered URI exactly)`);
  }
  request.postLogoutRedirectUri = uri;
};
