// The authorization endpoint's validation, in the order it runs. Client and redirect_uri come first: until both
// are trusted, an error is shown as a page; after that every error is marked redirectable (sent to the client).
// A request_uri (RFC 9126) is resolved right after the client: the pushed parameters are the request from then on.
// The PAR endpoint runs the same validation on what a client pushes (`atPushEndpoint`).
import type { RawParams } from '../params.js';
import { Params } from '../params.js';
import { checkClient } from './check-client.js';
import { checkPkce } from './check-pkce.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkResponseType } from './check-response-type.js';
import { checkScope } from './check-scope.js';
import { checkResource } from './check-resource.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkPushed } from './check-pushed.js';
import { PUSHED_SEAL_PARAM, resolvePushedRequest, sealPushedRequest } from './pushed-request.js';
import type { AuthorizationRequest, AuthorizeServices, AuthorizeStep } from './request.js';
import { OAuthError } from '../errors.js';

const STEPS: AuthorizeStep[] = [
  ({ params }) => params.checkAll(),
  checkPushed,
  checkResponseType,
  checkScope,
  checkResource,
  checkPkce,
  checkPrompt,
  checkIdTokenHint,
];

export interface ValidateOptions {
  /** Validating at the PAR endpoint what a client pushes: it is the pushed request, and a request_uri has no place in it. */
  atPushEndpoint?: boolean;
}

export async function validateAuthorizationRequest(services: AuthorizeServices, raw: RawParams, options: ValidateOptions = {}): Promise<AuthorizationRequest> {
  let params = new Params(raw);
  const client = await checkClient(services, params);
  const pushed = options.atPushEndpoint ? undefined : await resolvePushedRequest(services, client, params);
  if (pushed !== undefined) params = new Params(pushed);
  const redirectUri = checkRedirectUri(client, params);
  const request: Partial<AuthorizationRequest> = { client, redirectUri, pushed: pushed !== undefined || options.atPushEndpoint === true };
  try {
    for (const step of STEPS) await step({ params, request, services });
  } catch (error) {
    if (!(error instanceof OAuthError)) throw error;
    let state: string | undefined;
    try {
      state = params.optional('state');
    } catch {
      state = undefined;
    }
    throw error.redirectTo(redirectUri, state);
  }
  request.params = params.toRecord();
  // Fresh from a request_uri: sealed, so that the hops of the interaction carry the pushed request, not the used request_uri.
  if (pushed !== undefined) request.params[PUSHED_SEAL_PARAM] = sealPushedRequest(services, request.params);
  return request as AuthorizationRequest;
}

export type { AuthorizationRequest, AuthorizeServices } from './request.js';
