// Pushed Authorization Requests (RFC 9126): a request carried on from a pushed one must still be the one pushed (its
// seal, see pushed-request.ts); a client registered with require_pushed_authorization_requests, or every client when
// GATEHOUSE_REQUIRE_PAR is on, may only send pushed requests (§5).
import { InvalidRequest } from '../errors.js';
import { PUSHED_SEAL_PARAM, verifyPushedSeal } from './pushed-request.js';
import type { AuthorizeStep } from './request.js';

export const checkPushed: AuthorizeStep = ({ params, request, services }) => {
  if (request.pushed) return;
  const seal = params.optional(PUSHED_SEAL_PARAM);
  if (seal !== undefined) {
    verifyPushedSeal(services, params.toRecord(), seal);
    request.pushed = true;
    return;
  }
  const client = request.client!;
  if (client.requirePushedAuthorizationRequests || services.config.requirePushedAuthorizationRequests) {
    const who = client.requirePushedAuthorizationRequests ? `client "${client.clientId}" must` : 'clients of this server must';
    throw new InvalidRequest(`${who} push authorization requests to the pushed authorization request endpoint first (RFC 9126) and send its request_uri here`);
  }
  request.pushed = false;
};
