// The end-session endpoint's validation (OpenID Connect RP-Initiated Logout 1.0), in the order it runs. Every
// failure is an InvalidRequest shown as a 400 page: until the client and its URI are trusted nothing is redirected,
// and a logout request has nothing useful to redirect an error to.
import { controlCharacterIn } from '../../util/text.js';
import { InvalidRequest } from '../errors.js';
import { Params, singleValues, type RawParams } from '../params.js';
import { checkClient } from './check-client.js';
import { checkIdTokenHint } from './check-id-token-hint.js';
import { checkPostLogoutRedirectUri } from './check-post-logout-redirect-uri.js';
import type { LogoutRequest, LogoutServices, LogoutStep } from './request.js';

const STEPS: LogoutStep[] = [
  ({ params }) => params.checkAll(),
  // Every parameter is optional here, so a garbled body (a name with a control character, bytes that are not UTF-8)
  // would otherwise pass as a request with nothing in it; it is refused instead.
  ({ params }) => {
    for (const name of Object.keys(params.toRecord())) {
      const bad = controlCharacterIn(name) ?? (name.includes('\uFFFD') ? 'U+FFFD, bytes that are not UTF-8' : undefined);
      if (bad) throw new InvalidRequest(`a parameter name contains ${bad}; send a valid form`);
    }
  },
  checkIdTokenHint,
  checkClient,
  checkPostLogoutRedirectUri,
  ({ params, request }) => {
    request.logoutHint = params.optional('logout_hint');
  },
];

/** Form fields of the confirmation page that are not logout parameters. */
const FORM_ONLY_FIELDS = new Set(['csrf', 'decision']);

export async function validateLogoutRequest(services: LogoutServices, raw: RawParams): Promise<LogoutRequest> {
  const params = new Params(Object.fromEntries(Object.entries(raw).filter(([name]) => !FORM_ONLY_FIELDS.has(name))));
  const request: Partial<LogoutRequest> = { client: undefined, hint: undefined, postLogoutRedirectUri: undefined, state: undefined, logoutHint: undefined };
  for (const step of STEPS) await step({ params, request, services });
  request.params = singleValues(params.toRecord());
  return request as LogoutRequest;
}

/**
 * Whether the request proves the signed-in user asked for it, so it needs no confirmation: an id_token_hint for that
 * user (and, when it names a session, this one), and no logout_hint naming someone else.
 */
export function provesSignedInUser(request: LogoutRequest, user: { id: string; username: string }, sid: string | null): boolean {
  if (!request.hint || request.hint.subject !== user.id) return false;
  if (request.hint.sid !== undefined && sid !== null && request.hint.sid !== sid) return false;
  if (request.logoutHint !== undefined && request.logoutHint !== user.username && request.logoutHint !== sid) return false;
  return true;
}

/** Where the browser goes after signing out: the registered URI with state (and nothing else added). */
export function postLogoutRedirect(request: LogoutRequest): string | undefined {
  if (request.postLogoutRedirectUri === undefined) return undefined;
  const url = new URL(request.postLogoutRedirectUri);
  if (request.state !== undefined) url.searchParams.set('state', request.state);
  return url.href;
}

export type { LogoutRequest, LogoutServices } from './request.js';
