// GET/POST /oauth2/authorize: run the validation pipeline, then show the sign-in or consent page, or redirect with a code.
// POST with `decision` is the consent form coming back.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { AccessDenied } from '../../oauth/errors.js';
import { validateAuthorizationRequest, type AuthorizationRequest } from '../../oauth/authorize/index.js';
import { hintNamesAnotherUser } from '../../oauth/authorize/check-id-token-hint.js';
import { decideInteraction, returnToAfterLogin } from '../../oauth/authorize/interaction.js';
import { errorRedirect, issueCode } from '../../oauth/authorize/respond.js';
import { OAuthError } from '../../oauth/errors.js';
import { describeScope } from '../../oauth/scopes.js';
import type { RawParams } from '../../oauth/params.js';
import { csrfToken, csrfValid, sessionCookie } from '../cookies.js';
import { renderConsentPage } from '../pages/consent.js';
import { renderErrorPage } from '../pages/error.js';
import { renderLoginPage } from '../pages/login.js';
import { sameOriginPath, UnsafeReturnTo } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { sendUnsafeReturnTo } from './session.js';

const FORM_ONLY_FIELDS = ['csrf', 'decision'];

export async function authorizeRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { config } = services;
  const secure = config.secureCookies;

  function fail(reply: FastifyReply, error: unknown): FastifyReply {
    if (!(error instanceof OAuthError)) throw error;
    if (error.redirect) return reply.redirect(errorRedirect(config.issuer, error.redirect.uri, error, error.redirect.state), 303);
    return sendPage(reply, 400, renderErrorPage({ title: 'This sign-in link is not valid', message: error.message }));
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

  function showConsent(request: FastifyRequest, reply: FastifyReply, authorization: AuthorizationRequest, username: string): FastifyReply {
    return sendPage(reply, 200, renderConsentPage({
      csrfToken: csrfToken(request, reply, secure),
      clientName: authorization.client.name,
      clientId: authorization.client.clientId,
      username,
      scopes: authorization.scopes.map((scope) => ({ scope, description: describeScope(scope, config.scopeDescriptions) })),
      redirectHost: new URL(authorization.redirectUri).host || authorization.redirectUri,
      hiddenFields: authorization.params,
    }));
  }

  async function authorize(request: FastifyRequest, reply: FastifyReply, raw: RawParams): Promise<FastifyReply> {
    let authorization: AuthorizationRequest;
    try {
      authorization = await validate(raw);
    } catch (error) {
      return fail(reply, error);
    }
    const signedIn = await services.accounts.resolveSession(sessionCookie(request));
    const now = services.now();
    const covers = signedIn ? await services.consent.covers(signedIn.user.id, authorization.client.clientId, authorization.scopes) : false;
    let next;
    try {
      next = decideInteraction(authorization, signedIn?.session, covers, now);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      return reply.redirect(errorRedirect(config.issuer, authorization.redirectUri, error, authorization.state), 303);
    }
    if (next === 'login') return showLogin(request, reply, authorization);
    if (next === 'consent') return showConsent(request, reply, authorization, signedIn!.user.username);
    return reply.redirect(await issueCode(services, authorization, signedIn!.user, signedIn!.session), 303);
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
    if (decision === 'deny') {
      const denied = new AccessDenied('the user denied the request');
      return reply.redirect(errorRedirect(config.issuer, authorization.redirectUri, denied, authorization.state), 303);
    }
    if (decision !== 'allow') {
      return sendPage(reply, 400, renderErrorPage({ title: 'Unexpected answer', message: 'decision must be "allow" or "deny".' }));
    }
    await services.consent.remember(signedIn.user.id, authorization.client.clientId, authorization.scopes);
    return reply.redirect(await issueCode(services, authorization, signedIn.user, signedIn.session), 303);
  }

  app.get('/oauth2/authorize', async (request, reply) => authorize(request, reply, request.query as RawParams));
  app.post('/oauth2/authorize', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    return 'decision' in body ? decide(request, reply, body) : authorize(request, reply, body);
  });
}
