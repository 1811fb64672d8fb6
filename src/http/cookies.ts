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
