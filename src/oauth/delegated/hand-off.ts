// Handing an authorization request to the platform's own page (Hydra's login and consent provider): a random
// challenge goes to the page in the URL; the store keeps only its hash, bound to the browser that started the
// request (the hash of its binding cookie), the request itself and, for consent, what the login step decided.
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { ChallengeKind, LoginDecision } from '../../store/types.js';
import { randomToken, sha256Hex } from '../../domain/crypto.js';
import type { AuthorizationRequest } from '../authorize/request.js';

export const CHALLENGE_PARAMS: Record<ChallengeKind, string> = { login: 'login_challenge', consent: 'consent_challenge' };
export const VERIFIER_PARAMS: Record<ChallengeKind, string> = { login: 'login_verifier', consent: 'consent_verifier' };

export interface HandOff {
  kind: ChallengeKind;
  request: AuthorizationRequest;
  /** The browser-binding cookie's value (http/browser-binding.ts). */
  browser: string;
  /** Login: the subject already signed in here (skip); consent: the subject the login step accepted. */
  subject: string | null;
  /** Login: a live session covers the request; consent: a remembered consent does. The page must not ask again. */
  skip: boolean;
  loginSessionId: string | null;
  login: LoginDecision | null;
}

/** Stores the challenge and returns the platform page's URL that carries it. */
export async function handOff(services: ServicesWith<InteractionStore, 'config' | 'now'>, handOff: HandOff): Promise<string> {
  const page = handOff.kind === 'login' ? services.config.delegation.loginUrl : services.config.delegation.consentUrl;
  if (page === undefined) throw new Error(`no ${handOff.kind} page is configured to hand the request to`);
  const challenge = randomToken();
  const now = services.now();
  await services.store.createChallenge({
    challengeHash: sha256Hex(challenge),
    kind: handOff.kind,
    clientId: handOff.request.client.clientId,
    request: handOff.request.params,
    browserHash: sha256Hex(handOff.browser),
    subject: handOff.subject,
    skip: handOff.skip,
    loginSessionId: handOff.loginSessionId,
    login: handOff.login,
    outcome: null,
    verifierHash: null,
    createdAt: now,
    expiresAt: now + services.config.delegation.challengeTtlSeconds,
    handledAt: null,
    usedAt: null,
  });
  const url = new URL(page);
  url.searchParams.set(CHALLENGE_PARAMS[handOff.kind], challenge);
  return url.href;
}
