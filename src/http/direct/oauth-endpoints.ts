// POST /oauth2/token, /oauth2/introspect, /oauth2/revoke (and /oauth2/device/auth and /oauth2/par, which authenticate clients alike): the endpoints every API call of a client or resource
// server depends on, served on node:http directly (see listener.ts). Each reads the form, hands it to the
// protocol module and answers JSON; errors are RFC 6749 §5.2 bodies, never a 5xx for bad input.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../../services.js';
import { handleDeviceAuthorization } from '../../oauth/device-authorization.js';
import { handleIntrospection } from '../../oauth/introspect.js';
import { handlePushedAuthorizationRequest, PAR_PATH } from '../../oauth/par.js';
import { handleRevocation } from '../../oauth/revoke.js';
import { handleTokenRequest, TOKEN_PATH, type TokenRequestHeaders } from '../../oauth/token.js';
import { InvalidClient, InvalidRequest } from '../../oauth/errors.js';
import { ClientAuthenticationFailed, presentedClientId } from '../../oauth/client-auth.js';
import type { RawParams } from '../../oauth/params.js';
import { readFormBody } from '../form-body.js';
import { sendJson } from './json-response.js';
import { errorAnswer, toOAuthError, writeErrorAnswer, type ErrorLog } from '../error-response.js';
import type { RateLimits } from '../rate-limits/index.js';
import { tokenErrors } from '../../domain/oauth-metrics.js';

/** headers: what an endpoint reads of the request's headers besides Authorization (the token endpoint's DPoP proof). */
export type EndpointHandler = (services: Services, authorization: string | undefined, form: RawParams, headers: TokenRequestHeaders) => Promise<unknown>;

/** A handler's answer that is 201 Created rather than 200. */
class Created {
  constructor(readonly body: unknown) {}
}

/** One endpoint: its handler, and what it takes part in beyond client authentication. */
export interface OAuthEndpoint {
  handle: EndpointHandler;
  /** Takes DPoP proofs (RFC 9449 §5, §10.1): with nonces on, every answer hands out the current nonce. */
  takesDpop: boolean;
  /** Its errors are counted by error code (gatehouse_token_errors_total). */
  countsErrors: boolean;
}

/** The endpoints by path; the body each handler returns is the 200 answer (undefined: an empty one; Created: a 201). */
export const OAUTH_ENDPOINTS: ReadonlyMap<string, OAuthEndpoint> = new Map<string, OAuthEndpoint>([
  [TOKEN_PATH, { handle: handleTokenRequest, takesDpop: true, countsErrors: true }],
  // RFC 8628's device authorization endpoint: client authentication, its throttle and the answers as at the token endpoint.
  ['/oauth2/device/auth', { handle: handleDeviceAuthorization, takesDpop: false, countsErrors: false }],
  // RFC 9126: pushed authorization requests, 201 with the request_uri.
  [PAR_PATH, {
    handle: async (services, authorization, form, headers) => new Created(await handlePushedAuthorizationRequest(services, authorization, form, headers)),
    takesDpop: true,
    countsErrors: false,
  }],
  ['/oauth2/introspect', { handle: handleIntrospection, takesDpop: false, countsErrors: false }],
  ['/oauth2/revoke', {
    handle: async (services, authorization, form) => {
      await handleRevocation(services, authorization, form);
      return undefined;
    },
    takesDpop: false,
    countsErrors: false,
  }],
]);

/** Serves one request; resolves once the answer is written. Never rejects: every failure becomes an answer. */
export async function serveOAuthEndpoint(
  services: Services,
  rateLimits: RateLimits,
  endpoint: OAuthEndpoint,
  request: IncomingMessage,
  response: ServerResponse,
  bodyLimit: number,
  log: ErrorLog,
  /** The client's address, through the configured proxy trust. */
  clientAddress: string,
  /** A CORS path: every answer may be read by any origin. */
  cors: boolean,
): Promise<void> {
  try {
    rateLimits.requests.take(clientAddress);
    // Credentials in a URL end up in logs and histories; RFC 6749 §3.2 says parameters go in the body.
    if (request.url!.includes('?')) throw new InvalidRequest('send parameters in the form body, not in the URL query');
    const form = await readFormBody(request, bodyLimit);
    const { authorization } = request.headers;
    rateLimits.clientAuth.check(clientAddress, () => presentedClientId(authorization, form));
    let body: unknown;
    try {
      body = await endpoint.handle(services, authorization, form, { dpop: request.headers.dpop });
    } catch (error) {
      if (error instanceof InvalidClient) {
        rateLimits.clientAuth.recordFailure(clientAddress, error instanceof ClientAuthenticationFailed ? error.clientId : undefined);
      }
      throw error;
    }
    // RFC 9449 §8: with nonces on, every answer of an endpoint that takes proofs hands out the current one.
    const nonce = endpoint.takesDpop ? services.dpop.nonce() : undefined;
    const extra = nonce === undefined ? undefined : { 'dpop-nonce': nonce };
    if (body instanceof Created) sendJson(response, 201, body.body, cors, extra);
    else sendJson(response, 200, body, cors, extra);
  } catch (error) {
    // A client that went away mid-request has nobody to answer.
    if (response.headersSent || response.destroyed) return;
    const oauthError = toOAuthError(error, log);
    if (endpoint.takesDpop) oauthError.dpopNonce ??= services.dpop.nonce();
    if (endpoint.countsErrors) tokenErrors.inc({ error: oauthError.error });
    writeErrorAnswer(response, errorAnswer(oauthError, { cors }));
  }
}
