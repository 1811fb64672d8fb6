// The authorization endpoint's validation, in the order it runs. Client and redirect_uri come first: until both
// are trusted, an error is shown as a page; after that every error is redirected to the client.
import type { RawParams } from '../params.js';
import { Params } from '../params.js';
import { checkClient } from './check-client.js';
import { checkPkce } from './check-pkce.js';
import { checkPrompt } from './check-prompt.js';
import { checkRedirectUri } from './check-redirect-uri.js';
import { checkResponseType } from './check-response-type.js';
import { checkScope } from './check-scope.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import type { AuthorizationRequest, AuthorizeServices, AuthorizeStep } from './request.js';
import { OAuthError } from '../errors.js';

const STEPS: AuthorizeStep[] = [
  ({ params }) => params.checkAll(),
  checkResponseType,
  checkScope,
  checkPkce,
  checkPrompt,
  checkIdTokenHint,
];

/** Thrown once the client and redirect_uri are trusted: the route redirects this error to the client. */
export class RedirectableError extends Error {
  constructor(
    readonly oauthError: OAuthError,
    readonly redirectUri: string,
    readonly state: string | undefined,
  ) {
    super(oauthError.message);
    this.name = 'RedirectableError';
  }
}

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
    throw new RedirectableError(error, redirectUri, state);
  }
  request.params = params.toRecord();
  return request as AuthorizationRequest;
}

export type { AuthorizationRequest, AuthorizeServices } from './request.js';
