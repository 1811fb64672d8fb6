// GET/POST /oauth2/authorize (and Hydra's /oauth2/auth): run the validation pipeline, then sign the user in, ask
// for consent, or redirect with a code. Sign-in and consent happen on Gatehouse's own pages, or, when
// GATEHOUSE_LOGIN_URL / GATEHOUSE_CONSENT_URL are set, on the platform's (a challenge handed over, a verifier
// brought back: oauth/delegated). POST with `decision` is the built-in consent form coming back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { AccessDenied } from '../../oauth/errors.js';
import { validateAuthorizationRequest, type AuthorizationRequest } from '../../oauth/authorize/index.js';
import { hintNamesAnotherUser } from '../../oauth/authorize/check-id-token-hint.js';
import { decideConsent, decideInteraction, returnToAfterLogin } from '../../oauth/authorize/interaction.js';
import { errorRedirect, issueCode, type CodeGrant } from '../../oauth/authorize/respond.js';
import { OAuthError } from '../../oauth/errors.js';
import { describeScope } from '../../oauth/scopes.js';
import type { RawParams } from '../../oauth/params.js';
import { handOff, VERIFIER_PARAMS } from '../../oauth/delegated/hand-off.js';
import { redeemVerifier, VerifierRefused } from '../../oauth/delegated/redeem.js';
import { consentCovers } from '../../domain/consent.js';
import { unverifiedHost } from '../../domain/clients.js';
import type { ChallengeKind, ChallengeRecord, GrantedSession, LoginDecision } from '../../store/types.js';
import { browserBinding, csrfToken, csrfValid, sentBrowserBinding, sessionCookie } from '../cookies.js';
import { renderConsentPage } from '../pages/consent.js';
import { clientLinks } from '../client-links.js';
import { pageCsp, setPageCsp } from '../security-headers.js';
import { renderErrorPage } from '../pages/error.js';
import { renderLoginPage } from '../pages/login.js';
import { sameOriginPath, UnsafeReturnTo } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { sendRequestErrorPage } from '../error-response.js';
import { sendUnsafeReturnTo } from './session.js';
import { acceptedSignIn, type SignedIn } from '../delegated-sign-in.js';
import { finishDeviceChallenge, isDeviceChallenge } from './device-delegation.js';

const FORM_ONLY_FIELDS = ['csrf', 'decision'];
/** Hydra's path for the authorization endpoint, so clients and login apps written for Hydra find it. */
export const HYDRA_AUTHORIZE_PATH = '/oauth2/auth';

export async function authorizeRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { config } = services;
  const { delegation } = config;
  const secure = config.secureCookies;

  function fail(reply: FastifyReply, error: unknown): FastifyReply {
    if (!(error instanceof OAuthError)) throw error;
    if (error.redirect) return reply.redirect(errorRedirect(config.issuer, error.redirect.uri, error, error.redirect.state), 303);
    return sendRequestErrorPage(reply, 400, { title: 'This sign-in link is not valid', detail: error.message });
  }

  function redirectError(reply: FastifyReply, authorization: AuthorizationRequest, error: unknown): FastifyReply {
    if (!(error instanceof OAuthError)) throw error;
    return reply.redirect(errorRedirect(config.issuer, authorization.redirectUri, error, authorization.state), 303);
  }

  async function validate(raw: RawParams): Promise<AuthorizationRequest> {
    return validateAuthorizationRequest(services, raw);
  }

  function showLogin(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest): FastifyReply {
    let returnTo: string;
    try {
      // Built from the request's parameters, so it passes the same check /login applies when it comes back.
      returnTo = sameOriginPath(returnToAfterLogin(authorization), config.issuer);
    } catch (error) {
      if (error instanceof UnsafeReturnTo) return sendUnsafeReturnTo(reply, error);
      throw error;
    }
    return sendPage(reply, 200, renderLoginPage({
      csrfToken: csrfToken(request, reply, secure),
      returnTo,
      clientName: authorization.client.name,
    }));
  }

  async function showConsent(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest, username: string): Promise<FastifyReply> {
    const links = clientLinks(authorization.client);
    // The app's logo comes from its own site: the page's policy lets exactly that origin's images in.
    if (links.logoUri) setPageCsp(reply, pageCsp({ images: [links.logoUri] }));
    return sendPage(reply, 200, renderConsentPage({
      ...links,
      resources: await resourceNames(services, authorization.resources),
      csrfToken: csrfToken(request, reply, secure),
      clientName: authorization.client.name,
      clientId: authorization.client.clientId,
      username,
      scopes: authorization.scopes.map((scope) => ({ scope, description: describeScope(scope, config.scopeDescriptions) })),
      redirectHost: new URL(authorization.redirectUri).host || authorization.redirectUri,
      hiddenFields: authorization.params,
      // A client that described itself (metadata document, dynamic registration): its name is its own claim, its host is not.
      unverifiedHost: unverifiedHost(authorization.client, authorization.redirectUri),
    }));
  }

  async function handOffTo(request: FastifyRequest, reply: FastifyReply, kind: ChallengeKind, authorization: AuthorizationRequest, fields: {
    subject: string | null; skip: boolean; loginSessionId: string | null; login: LoginDecision | null;
  }): Promise<FastifyReply> {
    const url = await handOff(services, {
      kind, clientId: authorization.client.clientId, params: authorization.params, browser: browserBinding(request, reply, secure), ...fields,
    });
    return reply.redirect(url, 302);
  }

  async function issue(reply: FastifyReply, authorization: AuthorizationRequest, grant: CodeGrant): Promise<FastifyReply> {
    return reply.redirect(await issueCode(services, authorization, grant), 303);
  }

  /** The user is known: issue at once (remembered consent, first-party client), or ask on the built-in or the platform's page. */
  async function consentStep(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest, signedIn: SignedIn): Promise<FastifyReply> {
    const { client } = authorization;
    const consent = await services.consent.current(signedIn.user.id, client.clientId);
    const remembered = consentCovers(consent, authorization.scopes, authorization.resources);
    let next;
    try {
      next = decideConsent(authorization, remembered || client.skipConsent);
    } catch (error) {
      return redirectError(reply, authorization, error);
    }
    const loginGranted = grantedAtLogin(signedIn.login);
    if (next === 'issue' && (client.skipConsent || delegation.consentUrl === undefined)) {
      // The code's audience is the request's resources, whatever a remembered consent covers beyond them.
      const granted = withAudience(client.skipConsent ? loginGranted : withLogin(consent?.granted ?? null, signedIn.login), authorization.resources);
      return issue(reply, authorization, { userId: signedIn.user.id, authTime: signedIn.login.authTime, scopes: authorization.scopes, granted, sessionId: signedIn.sid });
    }
    if (delegation.consentUrl !== undefined) {
      // As Hydra: a remembered consent still goes to the platform's page, marked skip, which accepts without asking.
      return handOffTo(request, reply, 'consent', authorization, {
        subject: signedIn.user.id, skip: next === 'issue', loginSessionId: signedIn.sid, login: signedIn.login,
      });
    }
    return await showConsent(request, reply, authorization, signedIn.user.username);
  }

  async function authorize(request: FastifyRequest, reply: FastifyReply, raw: RawParams): Promise<FastifyReply> {
    for (const kind of ['login', 'consent'] as const) {
      const verifier = raw[VERIFIER_PARAMS[kind]];
      if (verifier !== undefined) return comeBack(request, reply, kind, verifier);
    }
    let authorization: AuthorizationRequest;
    try {
      authorization = await validate(raw);
    } catch (error) {
      return fail(reply, error);
    }
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    const now = services.now();
    let next;
    try {
      // Consent is decided once the user is known (consentStep); here only whether they must sign in.
      next = decideInteraction(authorization, signedIn?.session, true, now);
    } catch (error) {
      return redirectError(reply, authorization, error);
    }
    if (delegation.loginUrl !== undefined) {
      // As Hydra: the platform's login page is always asked; with a live session it is told to skip (and must accept).
      const skip = next !== 'login' && signedIn !== undefined;
      return handOffTo(request, reply, 'login', authorization, {
        subject: skip ? signedIn!.user.id : null,
        skip,
        loginSessionId: skip ? signedIn!.session.sid : null,
        login: null,
      });
    }
    if (next === 'login') return showLogin(request, reply, authorization);
    return consentStep(request, reply, authorization, {
      user: signedIn!.user, login: { authTime: signedIn!.session.authTime }, sid: signedIn!.session.sid,
    });
  }

  /** Back from the platform's page with a verifier: the answer it gave, applied to the request it was given. */
  async function comeBack(request: FastifyRequest, reply: FastifyReply, kind: ChallengeKind, verifier: unknown): Promise<FastifyReply> {
    if (typeof verifier !== 'string' || verifier.length === 0 || verifier.length > 100) {
      return sendRequestErrorPage(reply, 400, { title: 'This sign-in link is not valid', detail: `${VERIFIER_PARAMS[kind]} must be sent once, as the value the ${kind} page was given.` });
    }
    let challenge: ChallengeRecord;
    try {
      challenge = await redeemVerifier(services, kind, verifier, sentBrowserBinding(request, secure));
    } catch (error) {
      if (!(error instanceof VerifierRefused)) throw error;
      return sendRequestErrorPage(reply, 400, { title: 'This sign-in cannot be completed', message: 'This sign-in link has expired or was already used. Go back to the app and start again.', detail: error.message });
    }
    // A device's request (RFC 8628) signed in through the platform's pages: it ends in the device's approval.
    if (isDeviceChallenge(challenge)) return finishDeviceChallenge(services, request, reply, kind, challenge);
    const outcome = challenge.outcome!;
    let authorization: AuthorizationRequest;
    try {
      // The request as it was handed over (the client or its redirect URIs may have changed since: checked again).
      authorization = await validate(challenge.request);
    } catch (error) {
      // The client can no longer be told (deleted, its redirect URI gone): a rejection is shown here, with the
      // status the platform's page asked for (Hydra's status_code).
      if (!outcome.accepted && error instanceof OAuthError && !error.redirect) {
        return sendPage(reply, outcome.statusCode, renderErrorPage({ title: 'Access was not granted', message: outcome.errorDescription }));
      }
      return fail(reply, error);
    }
    if (!outcome.accepted) {
      const error = new OAuthError(outcome.error, outcome.errorDescription, outcome.statusCode);
      return redirectError(reply, authorization, error);
    }
    if (kind === 'login') return loggedIn(reply, request, authorization, challenge);
    const consent = outcome.consent!;
    const login = challenge.login!;
    if (consent.remember) {
      await services.consent.remember(challenge.subject!, authorization.client.clientId, consent.grantScope, { granted: consent.granted, rememberFor: consent.rememberFor });
    }
    return issue(reply, authorization, { userId: challenge.subject!, authTime: login.authTime, scopes: consent.grantScope, granted: consent.granted, sessionId: challenge.loginSessionId });
  }

  /** The platform's login page accepted a subject: remember the sign-in if asked, then the consent step. */
  async function loggedIn(reply: FastifyReply, request: FastifyRequest, authorization: AuthorizationRequest, challenge: ChallengeRecord): Promise<FastifyReply> {
    return consentStep(request, reply, authorization, await acceptedSignIn(services, request, reply, challenge));
  }

  /** The consent form's answer: Allow records consent and issues a code; Deny sends access_denied to the client. */
  async function decide(request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>): Promise<FastifyReply> {
    const raw: RawParams = Object.fromEntries(Object.entries(body).filter(([name]) => !FORM_ONLY_FIELDS.includes(name)));
    let authorization: AuthorizationRequest;
    try {
      authorization = await validate(raw);
    } catch (error) {
      return fail(reply, error);
    }
    if (!csrfValid(request, body.csrf, secure)) {
      return sendPage(reply, 403, renderErrorPage({
        title: 'This form has expired',
        message: 'The consent form could not be verified (its security token is missing or out of date). Go back to the app and connect again.',
      }));
    }
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    // Someone else signed in since the consent page was shown: the client asked for the user its hint names.
    if (!signedIn || hintNamesAnotherUser(authorization, signedIn.user.id)) return showLogin(request, reply, authorization);
    const decision = body.decision;
    if (decision === 'deny') return redirectError(reply, authorization, new AccessDenied('the user denied the request'));
    if (decision !== 'allow') {
      return sendPage(reply, 400, renderErrorPage({ title: 'Unexpected answer', message: 'decision must be "allow" or "deny".' }));
    }
    await services.consent.remember(signedIn.user.id, authorization.client.clientId, authorization.scopes, { resources: authorization.resources });
    return issue(reply, authorization, { userId: signedIn.user.id, authTime: signedIn.session.authTime, scopes: authorization.scopes, granted: null, sessionId: signedIn.session.sid });
  }

  for (const path of ['/oauth2/authorize', HYDRA_AUTHORIZE_PATH]) {
    app.get(path, async (request, reply) => authorize(request, reply, request.query as RawParams));
    app.post(path, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return 'decision' in body ? decide(request, reply, body) : authorize(request, reply, body);
    });
  }
}

/** How the pages name resources: their registered name, else their URI (an unregistered one, when allowed). */
export async function resourceNames(services: Pick<Services, 'resources'>, uris: readonly string[]): Promise<string[]> {
  return Promise.all(uris.map(async (uri) => (await services.resources.get(uri))?.name ?? uri));
}

/** What is granted, for exactly these resources (RFC 8707): issueCode fills an empty audience from the request. */
function withAudience(granted: GrantedSession | null, resources: readonly string[]): GrantedSession | null {
  return granted === null ? null : { ...granted, audience: [...resources] };
}

/** acr and amr from the login step, for the ID token, when nothing else was granted (first-party clients). */
function grantedAtLogin(login: LoginDecision): GrantedSession | null {
  if (login.acr === undefined && login.amr === undefined) return null;
  return withLogin(null, login);
}

/** What a remembered consent granted, with this sign-in's acr and amr (they describe the sign-in, not the consent). */
function withLogin(granted: GrantedSession | null, login: LoginDecision): GrantedSession | null {
  if (login.acr === undefined && login.amr === undefined) return granted;
  const base: GrantedSession = granted ?? { audience: [], idToken: {}, accessToken: {} };
  return { ...base, ...(login.acr !== undefined ? { acr: login.acr } : {}), ...(login.amr !== undefined ? { amr: login.amr } : {}) };
}
