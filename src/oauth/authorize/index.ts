// The authorization endpoint's validation, in the order it runs. Client and redirect_uri come first: until both
// are trusted, an error is shown as a page; after that every error is marked redirectable (sent to the client).
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
import type { AuthorizationRequest, AuthorizeServices, AuthorizeStep } from './request.js';
import { OAuthError } from '../errors.js';

const STEPS: AuthorizeStep[] = [
  ({ params }) => params.checkAll(),
  checkResponseType,
  checkScope,
  checkResource,
  checkPkce,
  checkPrompt,
  checkIdTokenHint,
];

export async function validateAuthorizationRequest(services: AuthorizeServices, raw: RawParams): Promise<AuthorizationRequest> {
  const params = new Params(raw);
  const client = await checkClient(services.store, params);
  const redirectUri = checkRedirectUri(client, params);
  const request: Partial<AuthorizationRequest> = { client, redirectUri };
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
  return request as AuthorizationRequest;
}

export type { AuthorizationRequest, AuthorizeServices } from './request.js';
