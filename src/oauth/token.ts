// The token endpoint (RFC 6749 §3.2): authenticate the client, pick the grant handler, let it answer.
import type { Services } from '../services.js';
import type { GrantType } from '../store/types.js';
import { authenticateClient } from './client-auth.js';
import { UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import { GRANTS, type TokenResponse } from './grants/index.js';
import { Params, type RawParams } from './params.js';

export async function handleTokenRequest(services: Services, authorization: string | undefined, body: RawParams): Promise<TokenResponse> {
  const params = new Params(body);
  params.checkAll();
  const grantType = params.required('grant_type', `one of ${Object.keys(GRANTS).join(', ')}`);
  if (!Object.hasOwn(GRANTS, grantType)) {
    throw new UnsupportedGrantType(`grant_type "${grantType}" is not supported; use one of ${Object.keys(GRANTS).join(', ')}`);
  }
  const { client } = await authenticateClient(services, authorization, params);
  // The one place a client's grant types are enforced; registration already refuses client_credentials to
  // public clients and refresh_token without authorization_code, so the handlers need not check again.
  if (!client.grantTypes.includes(grantType as GrantType)) {
    throw new UnauthorizedClient(`client "${client.clientId}" is not allowed the ${grantType} grant (allowed: ${client.grantTypes.join(', ')})`);
  }
  const { store, tokens, resources, config, audit } = services;
  const response = await GRANTS[grantType as GrantType]({ store, deviceFlows: store, tokens, resources, config, client, params, now: services.now(), audit });
  audit.tokenIssued(client.clientId, grantType, null);
  return response;
}
