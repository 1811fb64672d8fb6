// The pushed authorization request endpoint (RFC 9126 §2): a client authenticates as at the token endpoint (a public
// client sends its client_id), posts the parameters of an authorization request, and gets a one-time request_uri
// for /oauth2/authorize. The request is validated by the authorization endpoint's own pipeline, so one rule holds at
// both; every error is JSON here, never a redirect. Request objects (`request`, JAR) are not supported.
import { randomToken, sha256Hex } from '../domain/crypto.js';
import type { Services } from '../services.js';
import { validateAuthorizationRequest } from './authorize/index.js';
import { PUSHED_REQUEST_TTL_SECONDS, PUSHED_SEAL_PARAM, REQUEST_URI_PREFIX } from './authorize/pushed-request.js';
import { authenticateClient } from './client-auth.js';
import { InvalidRequest, OAuthError } from './errors.js';
import { InvalidDpopProof } from './dpop.js';
import type { TokenRequestHeaders } from './token.js';
import { Params, type RawParams } from './params.js';

export const PAR_PATH = '/oauth2/par';

export interface PushedAuthorizationResponse {
  request_uri: string;
  expires_in: number;
}

/** Not part of the authorization request: the client's secret, and the seal only the authorization endpoint may set. */
const NOT_PUSHED = new Set(['client_secret', PUSHED_SEAL_PARAM]);

export async function handlePushedAuthorizationRequest(
  services: Pick<Services, 'clientCache' | 'store' | 'tokens' | 'config' | 'now' | 'resources' | 'clientKeys' | 'clientMetadata' | 'dpop'>,
  authorization: string | undefined,
  body: RawParams,
  headers: TokenRequestHeaders = {},
): Promise<PushedAuthorizationResponse> {
  const params = new Params(body);
  params.checkAll();
  const { client } = await authenticateClient(services, authorization, params);
  // RFC 9126 §2.1: a request_uri is not pushed; a request object would be (RFC 9126 §3) but is not supported.
  if (params.optional('request_uri') !== undefined) throw new InvalidRequest('request_uri must not be sent to the pushed authorization request endpoint');
  if (params.optional('request') !== undefined) {
    throw new OAuthError('request_not_supported', 'request is not supported (request objects); push the authorization parameters themselves');
  }
  const raw: RawParams = Object.fromEntries(Object.entries(body).filter(([name]) => !NOT_PUSHED.has(name)));
  // With HTTP Basic, client_id may be absent from the body: the request names the client that authenticated.
  raw.client_id = client.clientId;
  // RFC 9449 §10.1: a DPoP proof here binds the code to its key, as dpop_jkt would; both must name the same key.
  const proof = await services.dpop.verify(headers.dpop, { method: 'POST', path: PAR_PATH });
  if (proof) {
    if (raw.dpop_jkt !== undefined && raw.dpop_jkt !== proof.jkt) throw new InvalidDpopProof('dpop_jkt does not match the key of the DPoP proof');
    raw.dpop_jkt = proof.jkt;
  }
  const request = await validateAuthorizationRequest(services, raw, { atPushEndpoint: true });
  const secret = randomToken();
  const now = services.now();
  await services.store.savePushedRequest({
    requestHash: sha256Hex(secret),
    clientId: client.clientId,
    params: request.params,
    createdAt: now,
    expiresAt: now + PUSHED_REQUEST_TTL_SECONDS,
    usedAt: null,
  });
  return { request_uri: `${REQUEST_URI_PREFIX}${secret}`, expires_in: PUSHED_REQUEST_TTL_SECONDS };
}
