// The one place where an error becomes an HTTP answer on the public port, for both edges (the direct node:http
// endpoints and the Fastify app). First any failure becomes an OAuthError (toOAuthError); then the error's own
// properties decide the answer: status, RFC 6749 §5.2 body, WWW-Authenticate (Basic after a failed HTTP Basic
// client authentication, Bearer at userinfo per RFC 6750 §3), Retry-After, Allow, and the CORS and security
// headers. Pages (sign-in, consent, connected apps) render the same error object as HTML (sendErrorPage).
import type { ServerResponse } from 'node:http';
import type { FastifyError, FastifyReply } from 'fastify';
import { BodyTooLarge, MethodNotAllowed, NotFound, OAuthError, ServerError, UnsupportedMediaType } from '../oauth/errors.js';
import { CORS_RESPONSE_HEADERS } from './cors.js';
import { DPOP_ALGORITHMS } from '../jwt/dpop.js';
import { renderErrorPage } from './pages/error.js';
import { JSON_HEADERS } from './security-headers.js';
import { sendPage } from './send-page.js';
import { StorageUnavailable, storageUnavailable } from './unavailable.js';

/** Fastify's own refusals as the errors the direct edge throws for the same problems. */
function frameworkError(error: FastifyError, status: number): OAuthError {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new BodyTooLarge();
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new UnsupportedMediaType();
  return new OAuthError('invalid_request', describeFrameworkError(error), status);
}

/** A malformed URL or body, in words a client can act on. */
function describeFrameworkError(error: FastifyError): string {
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return 'the address is not a valid URL (a "%" must be followed by two hexadecimal digits)';
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return 'the request body is malformed';
    default:
      return error.message.replace(/^FST_\w+: /, '');
  }
}

export interface ErrorLog {
  error(details: object, message: string): void;
}

/** Every failure as an OAuthError; storage failures and bugs are logged here, once. */
export function toOAuthError(error: unknown, log: ErrorLog): OAuthError {
  if (error instanceof OAuthError) return error;
  const unavailable = storageUnavailable(error);
  if (unavailable) {
    log.error({ err: error }, 'the database is unavailable; answered 503');
    return unavailable;
  }
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  // Fastify's own refusals (media type, body size, malformed URL or body) are the client's to fix.
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return frameworkError(error as FastifyError, status);
  }
  log.error({ err: error }, 'unexpected error');
  return new ServerError();
}

export interface ErrorAnswerOptions {
  /** A Bearer-protected resource (userinfo): errors carry a Bearer challenge (a DPoP one when the request used DPoP). */
  bearer?: boolean;
  /** A CORS path: any origin may read the answer. */
  cors?: boolean;
}

export interface ErrorAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const BASIC_CHALLENGE = 'Basic realm="gatehouse", charset="UTF-8"';

/** RFC 6750 §3: no error details when the request carried no token at all (§3.1). */
function bearerChallenge(error: OAuthError): string {
  if (error.error === 'invalid_request' && error.status === 401) return 'Bearer realm="gatehouse"';
  const description = error.message.replace(/["\\]/g, "'");
  return `Bearer realm="gatehouse", error="${error.error}", error_description="${description}"`;
}

/** RFC 9449 §7.1: the DPoP scheme's challenge, naming the algorithms proofs may use. */
function dpopChallenge(error: OAuthError): string {
  const algs = `algs="${DPOP_ALGORITHMS.join(' ')}"`;
  if (error.error === 'invalid_request' && error.status === 401) return `DPoP ${algs}`;
  const description = error.message.replace(/["\\]/g, "'");
  return `DPoP error="${error.error}", error_description="${description}", ${algs}`;
}

/** The JSON answer for an error. */
export function errorAnswer(error: OAuthError, options: ErrorAnswerOptions = {}): ErrorAnswer {
  const headers: Record<string, string> = options.cors ? { ...JSON_HEADERS, ...CORS_RESPONSE_HEADERS } : { ...JSON_HEADERS };
  // A server-side failure says nothing about the token: no challenge then.
  if (options.bearer && error.status < 500) headers['www-authenticate'] = error.dpopChallenge ? dpopChallenge(error) : bearerChallenge(error);
  else if (error.basicChallenge) headers['www-authenticate'] = BASIC_CHALLENGE;
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  if (error.dpopNonce !== undefined) headers['dpop-nonce'] = error.dpopNonce;
  if (error instanceof MethodNotAllowed) headers.allow = error.allow;
  // The rest of an oversized body is not read: close the connection instead of draining it.
  if (error instanceof BodyTooLarge) headers.connection = 'close';
  return { status: error.status, headers, body: JSON.stringify(error.toJSON()) };
}

/** Writes an error answer straight to node:http (the direct endpoints). */
export function writeErrorAnswer(response: ServerResponse, answer: ErrorAnswer): void {
  response.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

/** Sends an error answer through Fastify. */
export function sendErrorAnswer(reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  return reply.code(answer.status).headers(answer.headers).send(answer.body);
}

/**
 * A request's problem as one short line for the app's developer: the message without the lists of registered
 * redirect URIs some messages carry (those are the client's configuration, not for whoever holds the link).
 */
export function developerLine(detail: string): string {
  return detail
    .replace(/\s*\(registered: [^)]*\)/g, '')
    .replace(/; client ("[^"]*") has registered: .*$/s, ' for client $1')
    .slice(0, 300);
}

/** The words a person reads when an app's request cannot be handled; the developer's line says why. */
export const APP_REQUEST_PROBLEM = 'The app that sent you here asked for something that cannot be done, so you cannot continue to it from this page.';

/**
 * An error page for a request a person was sent with: plain words for them, one line for the app's developer, and
 * the full detail in the log (found by the page's reference, the request id).
 */
export function sendRequestErrorPage(reply: FastifyReply, status: number, input: { title: string; detail: string; message?: string }): FastifyReply {
  const { request } = reply;
  request.log.info({ detail: input.detail }, 'request refused with an error page');
  return sendPage(reply, status, renderErrorPage({
    title: input.title,
    message: input.message ?? APP_REQUEST_PROBLEM,
    developerNote: developerLine(input.detail),
    reference: String(request.id),
  }));
}

/** The page for an error: its status and message, in words for a person where the error is not theirs to fix. */
function pageText(error: OAuthError): { title: string; message: string; developerNote?: string } {
  if (error instanceof StorageUnavailable) {
    return { title: 'This service is temporarily unavailable', message: 'It cannot reach its database right now. Please try again in a few seconds.' };
  }
  if (error instanceof ServerError) {
    return { title: 'Something went wrong', message: 'The server hit an unexpected error. It has been logged; please try again.' };
  }
  if (error instanceof NotFound) return { title: 'Page not found', message: `There is nothing at ${error.path}. Check the address, or start again from the app you came from.` };
  if (error instanceof MethodNotAllowed) return { title: 'This page cannot be used that way', message: 'Go back and try again.', developerNote: error.message };
  if (error.status === 429) {
    return { title: 'Too many requests', message: `Too many requests came from your network in a short time. Wait ${error.retryAfterSeconds ?? 10} seconds, then try again.` };
  }
  return { title: 'This request could not be handled', message: 'Something about this request was not right. Go back and try again.', developerNote: developerLine(error.message) };
}

/** Sends an error as an HTML page (security headers come from the app's onSend hook). */
export function sendErrorPage(reply: FastifyReply, error: OAuthError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header('Retry-After', String(error.retryAfterSeconds));
  if (error instanceof MethodNotAllowed) reply.header('Allow', error.allow);
  return sendPage(reply, error.status, renderErrorPage(pageText(error)));
}
