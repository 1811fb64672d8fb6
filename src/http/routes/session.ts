// Sign-in: GET/POST /login (signing out is routes/logout.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { csrfToken, csrfValid, rotateCsrfToken, sessionCookie, setSessionCookie } from '../cookies.js';
import { renderLoginPage } from '../pages/login.js';
import { formatLifetime } from '../pages/format.js';
import { renderErrorPage } from '../pages/error.js';
import { sameOriginPath, UnsafeReturnTo } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { sendRequestErrorPage } from '../error-response.js';
import { PasswordChecksBusyError } from '../../domain/password-check-limit.js';
import { HYDRA_AUTHORIZE_PATH } from './authorize.js';
import { RateLimited, rateLimitHeaders, type RateLimits } from '../rate-limits/index.js';

const DEFAULT_RETURN = '/account/apps';

/** Where to go after signing in: the default when none is given, else a proven same-origin path (or UnsafeReturnTo). */
function returnToFrom(value: unknown, issuer: string): string {
  if (value === undefined || value === '') return DEFAULT_RETURN;
  return sameOriginPath(value, issuer);
}

/** A 400 page naming what is wrong with return_to: never a redirect to it, and never a silent substitute. */
export function sendUnsafeReturnTo(reply: FastifyReply, error: UnsafeReturnTo): FastifyReply {
  return sendRequestErrorPage(reply, 400, { title: 'This sign-in link is not valid', message: 'The link that brought you here points somewhere this sign-in cannot send you. Go back to the app and start again.', detail: `${error.message}.` });
}

/** Sign-in attempts over the address limit: the refusal, for the handler to show (a request is in it at most once). */
const limitedSignIns = new WeakMap<FastifyRequest, RateLimited>();

/** The name of the registered app a return_to continues an authorization request of, if it is one. */
async function clientNameFor(services: Services, returnTo: string): Promise<string | undefined> {
  const url = new URL(returnTo, 'http://return-to.invalid');
  if (url.pathname !== '/oauth2/authorize' && url.pathname !== HYDRA_AUTHORIZE_PATH) return undefined;
  const clientId = url.searchParams.get('client_id');
  if (!clientId) return undefined;
  return (await services.clientCache.get(clientId))?.name;
}

function field(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export async function sessionRoutes(app: FastifyInstance, { services, rateLimits }: { services: Services; rateLimits: RateLimits }): Promise<void> {
  const { config } = services;
  const secure = config.secureCookies;

  app.get('/login', async (request, reply) => {
    let returnTo: string;
    try {
      returnTo = returnToFrom((request.query as Record<string, unknown>).return_to, config.issuer);
    } catch (error) {
      if (error instanceof UnsafeReturnTo) return sendUnsafeReturnTo(reply, error);
      throw error;
    }
    if (await services.accounts.resolveSession(sessionCookie(request))) return reply.redirect(returnTo, 303);
    return sendPage(reply, 200, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo, clientName: await clientNameFor(services, returnTo) }));
  });

  app.post('/login', {
    // Counted before the body is read, as the general limit is; the headers tell a client its budget.
    onRequest: async (request, reply) => {
      try {
        rateLimitHeaders(reply, rateLimits.signIn.take(request.ip));
      } catch (error) {
        if (!(error instanceof RateLimited)) throw error;
        rateLimitHeaders(reply, error.state);
        // Answered by the handler as the sign-in page itself (what happened, and the form again), not an error page.
        limitedSignIns.set(request, error);
      }
    },
  }, async (request, reply) => {
    let returnTo: string;
    try {
      // Checked before the password, so a bad link never signs anyone in.
      returnTo = returnToFrom((request.body as Record<string, unknown> | undefined)?.return_to, config.issuer);
    } catch (error) {
      if (error instanceof UnsafeReturnTo) return sendUnsafeReturnTo(reply, error);
      throw error;
    }
    const username = field(request, 'username');
    // A failed attempt still says which app the sign-in is for ("to continue to Zapier").
    const clientName = await clientNameFor(services, returnTo);
    const render = (status: number, error: string) =>
      sendPage(reply, status, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo, error, username, clientName }));
    const limited = limitedSignIns.get(request);
    if (limited) {
      reply.header('Retry-After', String(limited.state.resetSeconds));
      return render(429, `Too many sign-in attempts were made from your network, so signing in is paused for a moment. Wait ${formatLifetime(limited.state.resetSeconds)}, then try again.`);
    }
    if (!csrfValid(request, field(request, 'csrf'), secure)) {
      return render(403, 'The sign-in form expired. Please try again.');
    }
    if (!username || !field(request, 'password')) return render(400, 'Enter your username and password.');
    let user;
    try {
      user = await services.accounts.checkPassword(username, field(request, 'password'));
    } catch (error) {
      if (!(error instanceof PasswordChecksBusyError)) throw error;
      // Refused at once rather than queued without end: the page answers now and says when to retry.
      reply.header('Retry-After', String(error.retryAfterSeconds));
      return render(503, 'Signing in is busy right now. Please wait a moment and sign in again.');
    }
    if (!user) {
      // The username as typed (never the password): who was tried, from where.
      await services.audit.record({ event: 'signin.failed', actor: { type: 'user', id: null, address: request.ip }, subject: username, outcome: 'failed' });
      return render(401, 'Wrong username or password.');
    }
    // A session already in this browser (perhaps another user's) ends here, its clients told: one browser, one signed-in user.
    await services.audit.record({ event: 'signin.succeeded', actor: { type: 'user', id: user.id, address: request.ip }, subject: user.username, outcome: 'succeeded' });
    await services.logout.endSession({ cookieValue: sessionCookie(request) });
    const { cookieValue } = await services.accounts.startSession(user.id, config.sessionTtlSeconds);
    setSessionCookie(reply, cookieValue, secure, config.sessionTtlSeconds);
    rotateCsrfToken(request, reply, secure);
    return reply.redirect(returnTo, 303);
  });
}
