// The session and CSRF cookies: HttpOnly, SameSite=Lax (so a sign-in link from another site keeps the session), Secure on https.
// On https the CSRF cookie is named with the __Host- prefix: a browser then accepts it only from this host, over
// https, for the whole site, so a sibling subdomain cannot plant a token of its choosing (cookie tossing).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual, randomToken } from '../domain/crypto.js';

export const SESSION_COOKIE = 'gatehouse_session';
export const CSRF_COOKIE = 'gatehouse_csrf';

export function csrfCookieName(secure: boolean): string {
  return secure ? `__Host-${CSRF_COOKIE}` : CSRF_COOKIE;
}

function options(secure: boolean, maxAge?: number) {
  return { httpOnly: true, sameSite: 'lax' as const, secure, path: '/', ...(maxAge !== undefined ? { maxAge } : {}) };
}

export const BROWSER_COOKIE = 'gatehouse_browser';

/**
 * The browser-binding cookie (delegated sign-in): a random value whose hash a login or consent challenge keeps, so
 * a verifier only completes in the browser that started the request. One per browser, kept for the browser session.
 */
export function browserBinding(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const name = secure ? `__Host-${BROWSER_COOKIE}` : BROWSER_COOKIE;
  const existing = request.cookies[name];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const value = randomToken();
  reply.setCookie(name, value, options(secure));
  request.cookies[name] = value;
  return value;
}

/** The browser-binding cookie the browser sent, if any (never a new one: coming back, a new value would match nothing). */
export function sentBrowserBinding(request: FastifyRequest, secure: boolean): string | undefined {
  const value = request.cookies[secure ? `__Host-${BROWSER_COOKIE}` : BROWSER_COOKIE];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

export function sessionCookie(request: FastifyRequest): string | undefined {
  return request.cookies[SESSION_COOKIE];
}

export function setSessionCookie(reply: FastifyReply, value: string, secure: boolean, maxAge: number): void {
  reply.setCookie(SESSION_COOKIE, value, options(secure, maxAge));
}

export function clearSessionCookie(reply: FastifyReply, secure: boolean): void {
  reply.clearCookie(SESSION_COOKIE, options(secure));
}

/** The CSRF token for forms on this page: the one in the browser's cookie, or a new one set now (double submit). */
export function csrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const existing = request.cookies[csrfCookieName(secure)];
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  return rotateCsrfToken(request, reply, secure);
}

/** A new CSRF token, replacing the browser's: at sign-in, so a token learnt before it is worth nothing after. */
export function rotateCsrfToken(request: FastifyRequest, reply: FastifyReply, secure: boolean): string {
  const token = randomToken();
  reply.setCookie(csrfCookieName(secure), token, options(secure));
  request.cookies[csrfCookieName(secure)] = token;
  return token;
}

export function csrfValid(request: FastifyRequest, submitted: unknown, secure: boolean): boolean {
  const cookie = request.cookies[csrfCookieName(secure)];
  return typeof submitted === 'string' && typeof cookie === 'string' && cookie.length > 0 && constantTimeEqual(cookie, submitted);
}
