// RP-Initiated Logout 1.0: the end-session endpoint, GET and POST at /oauth2/logout and at Hydra's path
// /oauth2/sessions/logout; and the sign-out button's POST /logout. Every way out ends the session the same way
// (services.logout.endSession: the session deleted, its clients told by back channel), clears the cookie, and shows
// the signed-out page with the clients' front-channel frames, or redirects to a registered post_logout_redirect_uri.
// With GATEHOUSE_LOGOUT_URL, a client's logout request is first handed to the platform's page (logout_challenge),
// which accepts or rejects it through the admin API; the browser comes back with a logout_verifier.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { postLogoutRedirect, provesSignedInUser, validateLogoutRequest, type LogoutRequest } from '../../oauth/logout/index.js';
import { OAuthError } from '../../oauth/errors.js';
import { singleValues, type RawParams } from '../../oauth/params.js';
import { browserBinding, clearSessionCookie, csrfToken, csrfValid, sentBrowserBinding, sessionCookie } from '../cookies.js';
import { handOff, VERIFIER_PARAMS } from '../../oauth/delegated/hand-off.js';
import { redeemVerifier, VerifierRefused } from '../../oauth/delegated/redeem.js';
import { renderErrorPage } from '../pages/error.js';
import { renderMessagePage } from '../pages/message.js';
import { renderLogoutConfirmPage, renderSignedOutPage } from '../pages/logout.js';
import { cspWithFrames, setPageCsp } from '../security-headers.js';
import { sendPage } from '../send-page.js';
import { sendRequestErrorPage } from '../error-response.js';
import { requestPath } from '../cors.js';
import { clientLinks } from '../client-links.js';
import type { ClientRecord } from '../../store/types.js';

/** The parameters of RP-Initiated Logout §2 (others are ignored, and not carried when a POST becomes a GET). */
const LOGOUT_PARAMETERS: ReadonlySet<string> = new Set(['id_token_hint', 'logout_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'ui_locales']);

/** The end-session endpoint's paths: Gatehouse's, and Hydra's (fixed in DESIGN.md). */
export const END_SESSION_PATHS = ['/oauth2/logout', '/oauth2/sessions/logout'] as const;

export async function logoutRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const secure = services.config.secureCookies;

  /**
   * Ends the browser's session (if it has one) and answers: straight to `next` when no front-channel frame needs to
   * load first, else the signed-out page, which loads them and then goes on to `next`.
   */
  async function signOut(request: FastifyRequest, reply: FastifyReply, next: string | undefined, client?: ClientRecord): Promise<FastifyReply> {
    const ended = await services.logout.endSession({ cookieValue: sessionCookie(request) });
    clearSessionCookie(reply, secure);
    const frames = ended?.frontChannelUris ?? [];
    if (frames.length === 0 && next !== undefined) return reply.redirect(next, 303);
    if (frames.length > 0) setPageCsp(reply, cspWithFrames(frames));
    const back = client && { name: client.name, clientUri: clientLinks(client).clientUri };
    return sendPage(reply, 200, renderSignedOutPage({ frames, next, productName: services.config.branding.name, client: back }));
  }

  function invalid(reply: FastifyReply, error: unknown): FastifyReply {
    if (!(error instanceof OAuthError)) throw error;
    return sendRequestErrorPage(reply, 400, { title: 'This sign-out link is not valid', message: 'The app that sent you here asked to sign you out in a way that cannot be done. Nothing was changed.', detail: error.message });
  }

  /** Back from the platform's logout page: its answer applied to the logout request it was handed. */
  async function comeBack(request: FastifyRequest, reply: FastifyReply, verifier: unknown): Promise<FastifyReply> {
    if (typeof verifier !== 'string' || verifier.length === 0 || verifier.length > 100) {
      return sendRequestErrorPage(reply, 400, { title: 'This sign-out link is not valid', message: 'Nothing was changed.', detail: `${VERIFIER_PARAMS.logout} must be sent once, as the value the sign-out page was given.` });
    }
    let params: Record<string, string>;
    try {
      const challenge = await redeemVerifier(services, 'logout', verifier, sentBrowserBinding(request, secure));
      // A rejected logout never sends the browser back (the admin API answers it with 204); if it comes anyway, it stays signed in.
      if (!challenge.outcome?.accepted) return sendPage(reply, 200, renderMessagePage({ title: 'You are still signed in', message: 'Nothing was changed. You can close this page.' }));
      params = singleValues(challenge.request);
    } catch (error) {
      if (!(error instanceof VerifierRefused)) throw error;
      return sendRequestErrorPage(reply, 400, { title: 'This sign-out cannot be completed', message: 'This sign-out link has expired or was already used. Nothing was changed.', detail: error.message });
    }
    let logout: LogoutRequest;
    try {
      logout = await validateLogoutRequest(services, params);
    } catch (error) {
      return invalid(reply, error);
    }
    return signOut(request, reply, postLogoutRedirect(logout), logout.client);
  }

  /** A logout request from a client (GET, or POST without a decision). */
  async function endSession(request: FastifyRequest, reply: FastifyReply, raw: RawParams): Promise<FastifyReply> {
    if (raw[VERIFIER_PARAMS.logout] !== undefined) return comeBack(request, reply, raw[VERIFIER_PARAMS.logout]);
    let logout: LogoutRequest;
    try {
      logout = await validateLogoutRequest(services, raw);
    } catch (error) {
      return invalid(reply, error);
    }
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    // Nobody is signed in here: nothing to end, so nothing a third party could abuse; go on as asked.
    if (!signedIn) return signOut(request, reply, postLogoutRedirect(logout), logout.client);
    if (services.config.delegation.logoutUrl !== undefined) {
      // As Hydra: the platform's page is asked whenever someone is signed in (it may sign the user out of its own
      // session too, or keep them signed in).
      return reply.redirect(await handOff(services, {
        kind: 'logout', clientId: logout.client?.clientId ?? null, params: logout.params, browser: browserBinding(request, reply, secure),
        subject: signedIn.user.id, skip: false, loginSessionId: signedIn.session.sid, login: null,
      }), 302);
    }
    if (provesSignedInUser(logout, signedIn.user, signedIn.session.sid)) return signOut(request, reply, postLogoutRedirect(logout), logout.client);
    // Without proof that the signed-in user asked (any page can link here), the user decides.
    return sendPage(reply, 200, renderLogoutConfirmPage({
      csrfToken: csrfToken(request, reply, secure),
      action: requestPath(request.url),
      username: signedIn.user.username,
      client: logout.client && { name: logout.client.name, clientId: logout.client.clientId },
      hiddenFields: logout.params,
      productName: services.config.branding.name,
    }));
  }

  /** The confirmation form coming back. */
  async function decide(request: FastifyRequest, reply: FastifyReply, body: Record<string, unknown>): Promise<FastifyReply> {
    let logout: LogoutRequest;
    try {
      logout = await validateLogoutRequest(services, body);
    } catch (error) {
      return invalid(reply, error);
    }
    if (!csrfValid(request, body.csrf, secure)) {
      return sendPage(reply, 403, renderErrorPage({ title: 'This form has expired', message: 'The sign-out form could not be verified (its security token is missing or out of date). Reload the page and sign out again.' }));
    }
    if (body.decision === 'stay') return sendPage(reply, 200, renderMessagePage({ title: 'You are still signed in', message: 'Nothing was changed. You can close this page.' }));
    if (body.decision !== 'logout') return sendPage(reply, 400, renderErrorPage({ title: 'Unexpected answer', message: 'decision must be "logout" or "stay".' }));
    return signOut(request, reply, postLogoutRedirect(logout), logout.client);
  }

  for (const path of END_SESSION_PATHS) {
    app.get(path, async (request, reply) => endSession(request, reply, request.query as RawParams));
    app.post(path, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      if ('decision' in body) return decide(request, reply, body);
      // A client's form POST comes from its own site, so the browser leaves out the SameSite=Lax session cookie:
      // the session would look absent and survive. The same request as a top-level GET carries it.
      if (sessionCookie(request) === undefined) {
        let logout: LogoutRequest;
        try {
          logout = await validateLogoutRequest(services, body);
        } catch (error) {
          return invalid(reply, error);
        }
        const query = new URLSearchParams(Object.entries(logout.params).filter(([name]) => LOGOUT_PARAMETERS.has(name))).toString();
        return reply.redirect(query ? `${path}?${query}` : path, 303);
      }
      return endSession(request, reply, body);
    });
  }

  // The sign-out button of Gatehouse's own pages (accountBar): CSRF-protected, so no confirmation.
  app.post('/logout', async (request, reply) => {
    const csrf = (request.body as Record<string, unknown> | undefined)?.csrf;
    if (!csrfValid(request, csrf, secure)) {
      return sendPage(reply, 403, renderErrorPage({ title: 'This form has expired', message: 'Reload the page and sign out again.' }));
    }
    return signOut(request, reply, undefined);
  });
}
