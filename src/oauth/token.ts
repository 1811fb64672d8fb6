// The token endpoint (RFC 6749 §3.2): authenticate the client, pick the grant handler, let it answer.
import type { Services } from '../services.js';
import type { GrantType } from '../store/types.js';
import { authenticateClient } from './client-auth.js';
import { InvalidRequest, UnauthorizedClient, UnsupportedGrantType } from './errors.js';
import { GRANTS, type TokenResponse } from './grants/index.js';
import { Params, type RawParams } from './params.js';

export const TOKEN_PATH = '/oauth2/token';

/** What the token endpoint reads of the request beyond its form and Authorization header. */
export interface TokenRequestHeaders {
  /** The DPoP header (RFC 9449 §4.1), as received. */
  dpop?: string | string[] | undefined;
}

export async function handleTokenRequest(services: Services, authorization: string | undefined, body: RawParams, headers: TokenRequestHeaders = {}): Promise<TokenResponse> {
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
  // After client authentication, so a proof's jti is spent only by a request that could be answered.
  const proof = await services.dpop.verify(headers.dpop, { method: 'POST', path: TOKEN_PATH });
  if (!proof && client.dpopBoundAccessTokens) {
    throw new InvalidRequest(`client "${client.clientId}" must send a DPoP proof with every token request (dpop_bound_access_tokens)`);
  }
  const { store, tokens, resources, config, audit } = services;
  const response = await GRANTS[grantType as GrantType]({ store, deviceFlows: store, tokens, resources, config, client, params, dpopJkt: proof?.jkt ?? null, now: services.now(), audit });
  audit.tokenIssued(client.clientId, grantType, null);
  // A dynamically registered client's first token: housekeeping keeps it from now on (one write, only while unmarked).
  if (await services.registration.markUsed(client)) services.clientCache.forget(client.clientId);
  return response;
}
