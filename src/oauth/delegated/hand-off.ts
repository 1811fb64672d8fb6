// Handing a request to the platform's own page (Hydra's login, consent and logout provider): a random challenge goes
// to the page in the URL; the store keeps only its hash, bound to the browser that started the request (the hash of
// its binding cookie), the request's parameters and, for consent, what the login step decided.
import type { ServicesWith } from '../../services.js';
import type { InteractionStore } from '../../store/interactions.js';
import type { ChallengeKind, LoginDecision, RequestParams } from '../../store/types.js';
import { randomToken, sha256Hex } from '../../domain/crypto.js';

export const CHALLENGE_PARAMS: Record<ChallengeKind, string> = { login: 'login_challenge', consent: 'consent_challenge', logout: 'logout_challenge', device: 'device_challenge' };
export const VERIFIER_PARAMS: Record<ChallengeKind, string> = { login: 'login_verifier', consent: 'consent_verifier', logout: 'logout_verifier', device: 'device_verifier' };
/** Where the browser brings a verifier back: the endpoint that handed the request over. */
export const RETURN_PATHS: Record<ChallengeKind, string> = { login: '/oauth2/authorize', consent: '/oauth2/authorize', logout: '/oauth2/sessions/logout', device: '/oauth2/device/verify' };

/**
 * A login or consent challenge for a device's request (RFC 8628) rather than an authorization request: its parameters
 * carry the user code under this name, besides client_id and scope.
 */
export const DEVICE_USER_CODE_PARAM = 'device_user_code';

export interface HandOff {
  kind: ChallengeKind;
  /** The client asking (always for login and consent; a logout may name none). */
  clientId: string | null;
  /** The request's validated parameters, replayed when the browser comes back. */
  params: RequestParams;
  /** The browser-binding cookie's value (http/cookies.ts browserBinding). */
  browser: string;
  /** Login: the subject already signed in here (skip); consent: the subject the login step accepted; logout: who signs out. */
  subject: string | null;
  /** Login: a live session covers the request; consent: a remembered consent does. The page must not ask again. */
  skip: boolean;
  loginSessionId: string | null;
  login: LoginDecision | null;
}

function pageFor(services: ServicesWith<unknown, 'config'>, kind: ChallengeKind): string | undefined {
  const { delegation } = services.config;
  switch (kind) {
    case 'login': return delegation.loginUrl;
    case 'consent': return delegation.consentUrl;
    case 'logout': return delegation.logoutUrl;
    case 'device': return delegation.deviceVerificationUrl;
  }
}

/** Stores the challenge and returns the platform page's URL that carries it. */
export async function handOff(services: ServicesWith<InteractionStore, 'config' | 'now'>, handOff: HandOff): Promise<string> {
  const page = pageFor(services, handOff.kind);
  if (page === undefined) throw new Error(`no ${handOff.kind} page is configured to hand the request to`);
  const challenge = randomToken();
  const now = services.now();
  await services.store.createChallenge({
    challengeHash: sha256Hex(challenge),
    kind: handOff.kind,
    clientId: handOff.clientId,
    request: handOff.params,
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
