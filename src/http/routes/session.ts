// Sign-in and sign-out: GET/POST /login, POST /logout.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { clearSessionCookie, csrfToken, csrfValid, sessionCookie, setSessionCookie } from '../cookies.js';
import { renderLoginPage } from '../pages/login.js';
import { renderMessagePage } from '../pages/message.js';
import { renderErrorPage } from '../pages/error.js';
import { sendPage } from '../send-page.js';
import { PasswordChecksBusyError } from '../../domain/password-check-limit.js';

const DEFAULT_RETURN = '/account/apps';

/** Only a path on this server: never another origin (open redirect) and never a scheme-relative "//host". */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\') || value.length > 8192) {
    return DEFAULT_RETURN;
  }
  return value;
}

function field(request: FastifyRequest, name: string): string {
  const value = (request.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export async function sessionRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const { config } = services;
  const secure = config.secureCookies;

  app.get('/login', async (request, reply) => {
    const returnTo = safeReturnTo((request.query as Record<string, unknown>).return_to);
    if (await services.accounts.resolveSession(sessionCookie(request))) return reply.redirect(returnTo, 303);
    return sendPage(reply, 200, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo }));
  });

  app.post('/login', {
    config: { rateLimit: { max: 20, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const returnTo = safeReturnTo(field(request, 'return_to'));
    const username = field(request, 'username');
    const render = (status: number, error: string) =>
      sendPage(reply, status, renderLoginPage({ csrfToken: csrfToken(request, reply, secure), returnTo, error, username }));
    if (!csrfValid(request, field(request, 'csrf'))) {
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
      request.log.info('sign-in failed');
      return render(401, 'Wrong username or password.');
    }
    const { cookieValue } = await services.accounts.startSession(user.id, config.sessionTtlSeconds);
    setSessionCookie(reply, cookieValue, secure, config.sessionTtlSeconds);
    return reply.redirect(returnTo, 303);
  });

  app.post('/logout', async (request, reply) => {
    if (!csrfValid(request, field(request, 'csrf'))) {
      return sendPage(reply, 403, renderErrorPage({ title: 'This form has expired', message: 'Reload the page and sign out again.' }));
    }
    await services.accounts.endSession(sessionCookie(request));
    clearSessionCookie(reply, secure);
    return sendPage(reply, 200, renderMessagePage({ title: 'You are signed out', message: 'You have been signed out of Gatehouse.' }));
  });
}
