// Step 2: redirect_uri matches one of the client's registered URIs exactly, character for character.
import type { ClientRecord } from '../../store/types.js';
import { InvalidRequest } from '../errors.js';
import type { Params } from '../params.js';

export function checkRedirectUri(client: ClientRecord, params: Params): string {
  // Every error here is not redirectable: the redirect_uri is not trusted yet.
  const redirectUri = params.optional('redirect_uri');
  const registered = client.redirectUris.map((uri) => `"${uri}"`).join(', ') || 'none';
  if (redirectUri === undefined) {
    throw new InvalidRequest(`redirect_uri is missing; client "${client.clientId}" has registered: ${registered}`);
  }
  if (!client.redirectUris.includes(redirectUri)) {
    throw new InvalidRequest(
      `redirect_uri "${redirectUri.slice(0, 300)}" is not registered for client "${client.clientId}" (registered: ${registered}); it must match exactly`,
    );
  }
  return redirectUri;
}
