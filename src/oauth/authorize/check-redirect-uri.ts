// Step 2: redirect_uri matches one of the client's registered URIs exactly, character for character.
import type { ClientRecord } from '../../store/types.js';
import { UntrustedRedirectError } from '../errors.js';
import type { Params } from '../params.js';

export function checkRedirectUri(client: ClientRecord, params: Params): string {
  let redirectUri: string | undefined;
  try {
    redirectUri = params.optional('redirect_uri');
  } catch (error) {
    throw new UntrustedRedirectError((error as Error).message);
  }
  const registered = client.redirectUris.map((uri) => `"${uri}"`).join(', ') || 'none';
  if (redirectUri === undefined) {
    throw new UntrustedRedirectError(`redirect_uri is missing; client "${client.clientId}" has registered: ${registered}`);
  }
  if (!client.redirectUris.includes(redirectUri)) {
    throw new UntrustedRedirectError(
      `redirect_uri "${redirectUri.slice(0, 300)}" is not registered for client "${client.clientId}" (registered: ${registered}); it must match exactly`,
    );
  }
  return redirectUri;
}
