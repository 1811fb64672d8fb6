// Finding the bearer token in a request (RFC 6750 §2). This resource takes the Authorization header only
// (`bearer_methods_supported: ["header"]`): a token in the URL leaks into access logs and browser history.
// Messages and hints go to the log; they never repeat the credentials.
import { InvalidRequestError, TokenMalformedError, TokenMissingError } from './errors.js';
import type { BearerRequest } from './types.js';

/** RFC 6750 §2.1 b64token. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
/** A plausible auth-scheme name, safe to repeat in a log line. */
const SCHEME_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,19}$/;
const SEND_BEARER = 'send `Authorization: Bearer <token>`';

/** An access token with the scheme it came with: Bearer (RFC 6750) or DPoP (RFC 9449 §7.1). */
export interface PresentedToken {
  token: string;
  scheme: 'Bearer' | 'DPoP';
}

/** The token from a request's Authorization header, or the error that explains why there is none. */
export function extractBearerToken(request: BearerRequest): string {
  const presented = extractAccessToken(request);
  if (presented.scheme !== 'Bearer') throw new TokenMissingError('the Authorization header uses the DPoP scheme, not Bearer', { hint: SEND_BEARER });
  return presented.token;
}

/** The token from a request's Authorization header, Bearer or DPoP, or the error that explains why there is none. */
export function extractAccessToken(request: BearerRequest): PresentedToken {
  const header = singleHeader(request.authorization);
  const inQuery = queryTokenCount(request.url) > 0;

  if (header === undefined) {
    if (inQuery) {
      throw new TokenMissingError('the token was sent in the access_token query parameter, which this resource does not accept', {
        hint: `${SEND_BEARER} instead; tokens in URLs end up in logs`,
      });
    }
    throw new TokenMissingError('no Authorization header');
  }
  if (inQuery) {
    throw new InvalidRequestError('the token was sent both in the Authorization header and in the access_token query parameter', {
      hint: 'send it only in the Authorization header (RFC 6750 §2: one method per request)',
    });
  }
  return parseCredentials(header);
}

/** Parses an Authorization header value: `Bearer <b64token>`. */
export function parseAuthorization(value: string): string {
  const presented = parseCredentials(value);
  if (presented.scheme !== 'Bearer') throw new TokenMissingError('the Authorization header uses the DPoP scheme, not Bearer', { hint: SEND_BEARER });
  return presented.token;
}

/** Parses an Authorization header value: `Bearer <b64token>` or `DPoP <b64token>`. */
export function parseCredentials(value: string): PresentedToken {
  const trimmed = value.trim();
  if (trimmed === '') throw new TokenMissingError('the Authorization header is empty', { hint: SEND_BEARER });

  const match = /^(\S+)(?:\s+([\s\S]*))?$/.exec(trimmed);
  const scheme = match?.[1] ?? '';
  const credentials = match?.[2] ?? '';

  const lower = scheme.toLowerCase();
  if (lower !== 'bearer' && lower !== 'dpop') {
    if (credentials === '') {
      throw new TokenMissingError('the Authorization header has no Bearer scheme (a bare token?)', { hint: SEND_BEARER });
    }
    const named = SCHEME_NAME.test(scheme) ? `the ${scheme} scheme` : 'an unknown scheme';
    throw new TokenMissingError(`the Authorization header uses ${named}, not Bearer`, { hint: SEND_BEARER });
  }
  if (credentials === '') {
    throw new InvalidRequestError('the Authorization header says Bearer but carries no token', { hint: SEND_BEARER });
  }
  if (/\s/.test(credentials)) {
    const hint = /^bearer\s/i.test(credentials) ? 'the word Bearer appears twice; ' + SEND_BEARER : SEND_BEARER;
    throw new InvalidRequestError('the Bearer credentials contain whitespace (more than one token?)', { hint });
  }
  if (!B64TOKEN.test(credentials)) {
    throw new InvalidRequestError('the Bearer token has characters RFC 6750 does not allow (quotes, brackets, commas…)', {
      hint: 'send the access token exactly as the token endpoint returned it',
    });
  }
  return { token: credentials, scheme: lower === 'dpop' ? 'DPoP' : 'Bearer' };
}

/**
 * For `verify(value)`: a value with whitespace is an Authorization header (`Bearer …`); a value without is
 * the token itself.
 */
export function tokenFromHeaderOrToken(value: string | null | undefined): string {
  if (value === null || value === undefined || value.trim() === '') throw new TokenMissingError('no token was given');
  const trimmed = value.trim();
  if (/\s/.test(trimmed) || /^bearer$/i.test(trimmed)) return parseAuthorization(trimmed);
  if (!B64TOKEN.test(trimmed)) throw new TokenMalformedError('the token has characters RFC 6750 does not allow');
  return trimmed;
}

function singleHeader(value: BearerRequest['authorization']): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (value.length > 1) {
    throw new InvalidRequestError('the request has more than one Authorization header', { hint: 'send exactly one' });
  }
  return value[0];
}

function queryTokenCount(url: string | undefined): number {
  if (url === undefined || !url.includes('access_token')) return 0;
  try {
    return new URL(url, 'http://resource.invalid').searchParams.getAll('access_token').length;
  } catch {
    return 0;
  }
}
