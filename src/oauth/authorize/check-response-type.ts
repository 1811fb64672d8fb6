// Step 3: response_type=code is the only flow (OAuth 2.1 drops the implicit flow), and the client must be allowed it.
import { InvalidRequest, OAuthError, UnauthorizedClient, UnsupportedResponseType } from '../errors.js';
import type { AuthorizeStep } from './request.js';

export const checkResponseType: AuthorizeStep = ({ params, request }) => {
  const responseType = params.optional('response_type');
  if (responseType === undefined) throw new InvalidRequest('response_type is required and must be "code"');
  if (responseType !== 'code') {
    throw new UnsupportedResponseType(`response_type "${responseType}" is not supported; only "code" is`);
  }
  if (!request.client!.grantTypes.includes('authorization_code')) {
    throw new UnauthorizedClient(`client "${request.client!.clientId}" is not allowed the authorization_code grant`);
  }
  if (params.optional('response_mode') !== undefined && params.optional('response_mode') !== 'query') {
    throw new InvalidRequest('response_mode must be "query" (the only mode supported)');
  }
  // Request objects (JAR) are not supported; a request_uri (RFC 9126, pushed) was resolved before the steps ran.
  if (params.optional('request') !== undefined) {
    throw new OAuthError('request_not_supported', 'request is not supported (request objects); send the parameters directly, or push them to the pushed authorization request endpoint');
  }
  if (params.optional('request_uri') !== undefined) throw new InvalidRequest('request_uri has no place in a pushed authorization request');
};
