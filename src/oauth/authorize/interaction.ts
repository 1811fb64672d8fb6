// What the user must do before a code can be issued: sign in, consent, or nothing (prompt and max_age decide).
import { ConsentRequired, LoginRequired } from '../errors.js';
import { hintNamesAnotherUser } from './check-id-token-hint.js';
import { toSearchParams } from '../params.js';
import type { AuthorizationRequest } from './request.js';

export type Interaction = 'login' | 'consent' | 'issue';

export function decideInteraction(
  request: AuthorizationRequest,
  signedIn: { authTime: number; userId: string } | undefined,
  consentCovers: boolean,
  now: number,
): Interaction {
  const silent = request.prompt.includes('none');
  const tooOld = signedIn !== undefined && request.maxAge !== undefined && now - signedIn.authTime > request.maxAge;
  const someoneElse = signedIn !== undefined && hintNamesAnotherUser(request, signedIn.userId);
  if (!signedIn || tooOld || someoneElse || request.prompt.includes('login')) {
    if (silent) {
      throw new LoginRequired(
        !signedIn ? 'the user is not signed in and prompt=none forbids showing the sign-in page'
          : someoneElse ? 'the signed-in user is not the one id_token_hint names, and prompt=none forbids asking to sign in'
            : 'the sign-in is older than max_age and prompt=none forbids asking again',
      );
    }
    return 'login';
  }
  return decideConsent(request, consentCovers);
}

/**
 * Once the user is known: ask for consent, or issue at once. `consentCovers`: a remembered consent covers the
 * scopes, or the client is first-party (skip_consent). prompt=consent asks anyway; prompt=none never asks.
 */
export function decideConsent(request: AuthorizationRequest, consentCovers: boolean): 'consent' | 'issue' {
  if (!consentCovers || request.prompt.includes('consent')) {
    if (request.prompt.includes('none')) throw new ConsentRequired('the user has not allowed these scopes for this client and prompt=none forbids asking');
    return 'consent';
  }
  return 'issue';
}

/** The authorize URL to come back to after signing in: the same request, minus prompt=login so it is not asked again. */
export function returnToAfterLogin(request: AuthorizationRequest): string {
  const params = toSearchParams(request.params);
  const prompt = request.prompt.filter((value) => value !== 'login');
  if (prompt.length) params.set('prompt', prompt.join(' '));
  else params.delete('prompt');
  return `/oauth2/authorize?${params.toString()}`;
}

