// Sign-in: GET/POST /login (signing out is routes/logout.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { csrfToken, csrfValid, rotateCsrfToken, sessionCookie, setSessionCookie } from '../cookies.js';
import { renderLoginPage } from '../pages/login.js';
import { renderErrorPage } from '../pages/error.js';
import { sameOriginPath, UnsafeReturnTo } from '../same-origin-path.js';
import { sendPage } from '../send-page.js';
import { PasswordChecksBusyError } from '../../domain/password-check-limit.js';
import { RateLimited, rateLimitHeaders, type RateLimits } from '../rate-limits/index.js';

const DEFAULT_RETURN = '/account/apps';

/** Where to go after signing in: the default when none is given, else a proven same-origin path (or UnsafeReturnTo). */
function returnToFrom(value: unknown, issuer: string): string {
  if (value === undefined || value === '') return DEFAULT_RETURN;
  return sameOriginPath(value, issuer);
}

/** A 400 page naming what is wrong with return_to: never a redirect to it, and never a silent substitute. */
export function sendUnsafeReturnTo(reply: FastifyReply, error: UnsafeReturnTo): FastifyReply {
  return sendPage(reply, 400, renderErrorPage({ title: 'This sign-in link is not valid', message: `${error.message}.` }));
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
    return sendPage(reply, 200, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo }));
  });

  app.post('/login', {
    // Counted before the body is read, as the general limit is; the headers tell a client its budget.
    onRequest: async (request, reply) => {
      try {
        rateLimitHeaders(reply, rateLimits.signIn.take(request.ip));
      } catch (error) {
        if (error instanceof RateLimited) rateLimitHeaders(reply, error.state);
        throw error;
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
    const render = (status: number, error: string) =>
      sendPage(reply, status, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo, error, username }));
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
      return render(503, 'Gatehouse is busy right now. Please wait a moment and sign in again.');
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
