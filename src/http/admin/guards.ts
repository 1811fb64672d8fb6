// What keeps web pages out of the admin API. Without an admin token (the loopback default) a browser on the same
// machine could otherwise drive it: a cross-site no-cors POST with a text/plain body (or none) needs no preflight,
// and DNS rebinding makes a hostile page same-origin with the admin port. So:
//   - the Host header must be one of the admin host names (a rebound page sends its own name);
//   - a request that a browser marks as coming from a page (any Origin; Sec-Fetch-Site cross-site or same-site)
//     is refused: admin clients are programs, which send neither;
//   - a request that changes something must say Content-Type: application/json, which no page can send
//     cross-site without a CORS preflight (that the admin API never answers).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { normalizeHostname } from '../../config.js';
import { AdminError } from './errors.js';

/** Probes (load balancers, orchestrators) reach these by address, whatever name the port has; they change nothing. */
export const PROBE_PATHS = new Set(['/healthz', '/readyz']);

const CHANGING_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

const pathOf = (request: FastifyRequest): string => request.url.split('?')[0] ?? '';

/** A header value safe to quote in an error: bounded, and JSON-escaped so control characters show as escapes. */
const quote = (value: string): string => JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);

/** The host name of a Host header (port dropped), normalised as the configuration is; undefined when malformed. */
export function hostnameOf(host: string): string | undefined {
  const match = /^(\[[^\]]*\]|[^:[\]]*)(?::\d{1,5})?$/.exec(host);
  return match ? normalizeHostname(match[1]!) : undefined;
}

export function guardAdminRequests(app: FastifyInstance, hostnames: readonly string[]): void {
  const allowed = new Set(hostnames);

  // 421 rather than 403: the request reached a server that is not configured to answer for that name, which is
  // what Misdirected Request says (RFC 9110 §15.5.20), and it tells an operator the fix is a setting.
  app.addHook('onRequest', async (request) => {
    if (PROBE_PATHS.has(pathOf(request))) return;
    const host = request.headers.host;
    if (host === undefined) throw new AdminError(421, 'misdirected_request', 'the admin API needs a Host header');
    const name = hostnameOf(host);
    if (name === undefined || !allowed.has(name)) {
      throw new AdminError(
        421,
        'misdirected_request',
        `the admin API does not answer for host ${quote(host)}; it answers for ${[...allowed].join(', ')} (add names with GATEHOUSE_ADMIN_HOSTNAMES)`,
      );
    }
  });

  app.addHook('onRequest', async (request) => {
    const origin = request.headers.origin;
    if (origin !== undefined) {
      throw new AdminError(403, 'forbidden', `the admin API does not answer requests from web pages (Origin ${quote(origin)})`);
    }
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') {
      throw new AdminError(403, 'forbidden', `the admin API does not answer requests from web pages (Sec-Fetch-Site: ${site})`);
    }
  });
}

/**
 * Every request that changes something must be JSON, even without a body (rotate-secret, keys rotate, DELETE):
 * a browser can send text/plain, a form or no body at all cross-site without asking, but never application/json.
 * Added after the token check, so a caller without the token hears 401 first. One exception: a bare DELETE or PUT
 * on the Hydra-compatible routes, which Hydra's SDK sends without any Content-Type (ending sessions, answering a
 * logout); no page can send a DELETE or PUT cross-site without a CORS preflight, which the admin API never answers.
 */
export function requireJsonForChanges(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!CHANGING_METHODS.has(request.method)) return;
    const bare = request.headers['content-type'] === undefined && request.headers['transfer-encoding'] === undefined
      && (request.headers['content-length'] === undefined || request.headers['content-length'] === '0');
    if ((request.method === 'DELETE' || request.method === 'PUT') && bare && (request.routeOptions.url ?? '').startsWith('/admin/oauth2/auth/')) return;
    const contentType = request.headers['content-type'];
    const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
    if (mediaType !== 'application/json') {
      throw new AdminError(
        415,
        'invalid_request',
        `admin requests that change something must be sent with "Content-Type: application/json" (an empty body is fine where none is needed); got ${
          contentType === undefined ? 'no Content-Type' : quote(contentType)
        }`,
      );
    }
  });

  // Only JSON is parsed (Fastify would also take text/plain), and an empty JSON body is no body rather than an error,
  // so that bodiless POSTs and DELETEs can carry the Content-Type above.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    if (body === '') {
      done(null, undefined);
      return;
    }
    parseJson(request, body, done);
  });
}
