// A platform that keeps its own users and sign-in page and lets Gatehouse do OAuth: Gatehouse sends the browser to
// /oauth/login and /oauth/consent with a challenge; this app reads it from Gatehouse's admin API, signs the user in
// with the platform's own account (and session cookie), asks consent on its own page, and answers through the API.
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import { timingSafeEqual } from 'node:crypto';
import { AdminApiError, AdminClient } from './admin-client.js';
import type { PlatformDb, PlatformSession, PlatformUser } from './platform-db.js';
import { consentPage, describeScope, errorPage, loginPage } from './pages.js';

export interface PlatformAppOptions {
  /** Gatehouse's admin API, e.g. http://127.0.0.1:4445 (PLATFORM_ADMIN_URL). */
  adminUrl: string;
  /** Only when Gatehouse has GATEHOUSE_ADMIN_TOKEN and this app is not listed in GATEHOUSE_LOGIN_APP_ADDRESSES. */
  adminToken?: string;
  db: PlatformDb;
  /** Shown on the pages: "Sign in to Acme to continue to LeadSync". */
  platformName?: string;
  /** The cookie is Secure when the platform is served over https. */
  secureCookie?: boolean;
}

const COOKIE = 'platform_session';
const SESSION_TTL_SECONDS = 8 * 3600;
const MAX_CHALLENGE_LENGTH = 512;

/** A page to show instead of going on: a status and a message for a person. */
class PageError extends Error {
  constructor(readonly status: number, readonly title: string, message: string) {
    super(message);
  }
}

function challengeFrom(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'string' || value === '') {
    throw new PageError(400, 'This page needs a sign-in request', `The address has no ${name}. This page is reached from an app's "Connect" button, not directly.`);
  }
  if (value.length > MAX_CHALLENGE_LENGTH) throw new PageError(400, 'This sign-in request is not valid', `The ${name} is too long.`);
  return value;
}

function field(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

/** Gatehouse's answers, in words for the person in front of the page. */
function adminFailure(error: unknown): never {
  if (error instanceof AdminApiError) {
    if (error.status === 404 || error.status === 409 || error.status === 410) {
      throw new PageError(400, 'This sign-in request has expired', 'It was already used, has timed out, or is not one we know.');
    }
    if (error.status === 400) throw new PageError(400, 'This sign-in request is not valid', error.description);
  }
  throw new PageError(502, 'Sign-in is unavailable', 'We could not reach the sign-in service. Try again in a moment.');
}

const sameToken = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function buildPlatformApp(options: PlatformAppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 });
  await app.register(cookie);
  await app.register(formbody);
  const admin = new AdminClient(options.adminUrl, options.adminToken);
  const { db } = options;
  const platformName = options.platformName ?? 'Acme';

  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    // No framing (the consent page must not be clickjacked); no scripts; form-action is left open because the
    // answers redirect to Gatehouse and the app.
    reply.header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'");
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('Referrer-Policy', 'no-referrer');
  });

  const page = (reply: FastifyReply, status: number, body: string) => reply.code(status).type('text/html; charset=utf-8').send(body);

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof PageError) return page(reply, error.status, errorPage(platformName, error.title, error.message));
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) return page(reply, status, errorPage(platformName, 'That request was not understood', 'Go back and try again.'));
    return page(reply, 500, errorPage(platformName, 'Something went wrong', 'Try again in a moment.'));
  });
  app.setNotFoundHandler((_request, reply) => page(reply, 404, errorPage(platformName, 'Page not found', 'There is no page at this address.')));

  function startSession(reply: FastifyReply, subject: string | null): PlatformSession {
    const made = db.createSession(subject, SESSION_TTL_SECONDS);
    reply.setCookie(COOKIE, made.id, { httpOnly: true, sameSite: 'lax', path: '/', secure: options.secureCookie ?? false, maxAge: SESSION_TTL_SECONDS });
    return made.session;
  }

  /** The browser's session; a new anonymous one (it carries the CSRF token for the sign-in form) when there is none. */
  function browserSession(request: FastifyRequest, reply: FastifyReply): PlatformSession {
    return db.session(request.cookies[COOKIE]) ?? startSession(reply, null);
  }

  /** A form post must carry the CSRF token of the session that was shown the form. */
  function checkedSession(request: FastifyRequest): PlatformSession {
    const session = db.session(request.cookies[COOKIE]);
    if (!session || !sameToken(field(request.body, 'csrf'), session.csrf)) {
      throw new PageError(403, 'This form has expired', 'The form was open too long or did not come from this site.');
    }
    return session;
  }

  const signedInUser = (session: PlatformSession): PlatformUser | undefined => (session.subject ? db.userBySubject(session.subject) : undefined);
  const clientName = (client: { client_id: string; client_name?: string }) => client.client_name || client.client_id;
  const idTokenClaims = (user: PlatformUser | undefined) => (user ? { name: user.name, email: user.email } : {});

  app.get('/oauth/login', async (request, reply) => {
    const challenge = challengeFrom(request.query, 'login_challenge');
    const login = await admin.getLoginRequest(challenge).catch(adminFailure);
    // Gatehouse still remembers this browser's sign-in: accept for that subject without asking.
    if (login.skip) {
      const { redirect_to } = await admin.acceptLogin(challenge, { subject: login.subject }).catch(adminFailure);
      return reply.redirect(redirect_to, 303);
    }
    const session = browserSession(request, reply);
    const user = signedInUser(session);
    if (user) {
      const { redirect_to } = await admin.acceptLogin(challenge, { subject: user.subject, remember: true }).catch(adminFailure);
      return reply.redirect(redirect_to, 303);
    }
    return page(reply, 200, loginPage({ platformName, clientName: clientName(login.client), challenge, csrf: session.csrf }));
  });

  app.post('/oauth/login', async (request, reply) => {
    const challenge = challengeFrom(request.body, 'login_challenge');
    const session = checkedSession(request);
    const login = await admin.getLoginRequest(challenge).catch(adminFailure);
    const username = field(request.body, 'username').slice(0, 200);
    const user = await db.checkPassword(username, field(request.body, 'password').slice(0, 1024));
    if (!user) {
      return page(reply, 200, loginPage({ platformName, clientName: clientName(login.client), challenge, csrf: session.csrf, username, error: 'That username and password do not match. Try again.' }));
    }
    // A fresh session id on sign-in, so an id planted before it is worth nothing.
    db.endSession(request.cookies[COOKIE]);
    startSession(reply, user.subject);
    const { redirect_to } = await admin.acceptLogin(challenge, { subject: user.subject, remember: true }).catch(adminFailure);
    return reply.redirect(redirect_to, 303);
  });

  app.get('/oauth/consent', async (request, reply) => {
    const challenge = challengeFrom(request.query, 'consent_challenge');
    const consent = await admin.getConsentRequest(challenge).catch(adminFailure);
    const user = db.userBySubject(consent.subject);
    // Already allowed and remembered: grant what is asked again, with the same claims about the user.
    if (consent.skip) {
      const { redirect_to } = await admin.acceptConsent(challenge, {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
        session: { id_token: idTokenClaims(user) },
      }).catch(adminFailure);
      return reply.redirect(redirect_to, 303);
    }
    const session = browserSession(request, reply);
    return page(reply, 200, consentPage({
      platformName,
      clientName: clientName(consent.client),
      userName: user?.name ?? consent.subject,
      challenge,
      csrf: session.csrf,
      scopes: consent.requested_scope.map((scope) => ({ scope, description: describeScope(scope) })),
    }));
  });

  app.post('/oauth/consent', async (request, reply) => {
    const challenge = challengeFrom(request.body, 'consent_challenge');
    checkedSession(request);
    const decision = field(request.body, 'decision');
    if (decision !== 'allow' && decision !== 'deny') throw new PageError(400, 'Choose Allow or Deny', 'The form was sent without a choice.');
    const consent = await admin.getConsentRequest(challenge).catch(adminFailure);
    const answer = decision === 'allow'
      ? admin.acceptConsent(challenge, {
        grant_scope: consent.requested_scope,
        grant_access_token_audience: consent.requested_access_token_audience,
        remember: true,
        session: { id_token: idTokenClaims(db.userBySubject(consent.subject)) },
      })
      : admin.rejectConsent(challenge, { error: 'access_denied', error_description: 'The user did not allow access' });
    const { redirect_to } = await answer.catch(adminFailure);
    return reply.redirect(redirect_to, 303);
  });

  return app;
}
