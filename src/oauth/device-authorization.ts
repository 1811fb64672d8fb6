// The device authorization endpoint (RFC 8628 §3.1-3.2): a device's client authenticates as at the token endpoint,
// must be allowed the device_code grant, and asks for scopes within its registration. The answer names the codes,
// where the user goes to enter the user code, and how often the device may poll.
import type { ServicesWith } from '../services.js';
import type { ClientAssertionWrites } from '../store/client-assertions.js';
import { DEVICE_CODE_GRANT } from '../store/types.js';
import { authenticateClient } from './client-auth.js';
import { InvalidTarget, UnauthorizedClient } from './errors.js';
import { Params, type RawParams } from './params.js';
import { parseScope, requireWithin } from './scopes.js';

/** Where the user enters the code, on the issuer (the built-in page). */
export const VERIFICATION_PATH = '/oauth2/device/verify';

export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

export async function handleDeviceAuthorization(
  services: ServicesWith<ClientAssertionWrites, 'clientCache' | 'devices' | 'config' | 'now' | 'clientKeys' | 'clientMetadata'>,
  authorization: string | undefined,
  body: RawParams,
): Promise<DeviceAuthorizationResponse> {
  const params = new Params(body);
  params.checkAll();
  const { client } = await authenticateClient(services, authorization, params);
  if (!client.grantTypes.includes(DEVICE_CODE_GRANT)) {
    throw new UnauthorizedClient(`client "${client.clientId}" is not allowed the ${DEVICE_CODE_GRANT} grant (allowed: ${client.grantTypes.join(', ')})`);
  }
  const scopes = parseScope(params.optional('scope'));
  requireWithin(scopes, client.scopes, `client "${client.clientId}"`);
  // Resource indicators (RFC 8707) are not carried through the device flow yet: refused, rather than ignored so
  // that the device would get a token for the default audience instead of the API it named.
  if (params.list('resource').length > 0) {
    throw new InvalidTarget('resource is not supported at the device authorization endpoint yet; device tokens are for the default audience');
  }
  const started = await services.devices.start(client.clientId, scopes);
  const verificationUri = `${services.config.issuer}${VERIFICATION_PATH}`;
  return {
    device_code: started.deviceCode,
    user_code: started.userCode,
    verification_uri: verificationUri,
    verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(started.userCode)}`,
    expires_in: started.expiresIn,
    interval: started.interval,
  };
}
