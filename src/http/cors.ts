// CORS for browser-based public clients (RFC 8252-style SPAs): discovery, JWKS, token, revocation and userinfo
// may be called from any origin. Never with credentials: a cross-site page gets nothing a cookie would unlock,
// and the token endpoint authenticates clients by what the request carries, not by who sends it.
// Introspection (for resource servers) and the pages (authorize, login, consent, account) get no CORS.

/** Paths that answer cross-origin requests, with the methods each allows. */
export const CORS_METHODS: ReadonlyMap<string, readonly string[]> = new Map([
  ['/.well-known/openid-configuration', ['GET', 'HEAD']],
  ['/.well-known/oauth-authorization-server', ['GET', 'HEAD']],
  ['/.well-known/jwks.json', ['GET', 'HEAD']],
  ['/oauth2/token', ['POST']],
  // Browser-based public clients (MCP Inspector, SPAs) push their authorization requests too (RFC 9126).
  ['/oauth2/par', ['POST']],
  ['/oauth2/revoke', ['POST']],
  // Browser-based MCP clients (MCP Inspector) register themselves (RFC 7591); /oauth2/register/{id}: routes/registration.ts.
  ['/oauth2/register', ['POST']],
  ['/userinfo', ['GET', 'HEAD', 'POST']],
]);

/** On every answer from a CORS path: any origin may read it, including the error challenge and when to retry. */
export const CORS_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'WWW-Authenticate, Retry-After, DPoP-Nonce',
};

/** The answer to a preflight (OPTIONS) on a CORS path. */
export function preflightHeaders(methods: readonly string[]): Record<string, string> {
  return {
    'access-control-allow-origin': '*',
    'access-control-allow-methods': methods.join(', '),
    'access-control-allow-headers': 'Authorization, Content-Type, DPoP',
    'access-control-max-age': '600',
  };
}

/** The request's path without query or trailing slash, as routes see it. */
export function requestPath(url: string): string {
  const query = url.indexOf('?');
  const path = query < 0 ? url : url.slice(0, query);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/** The Allow header of a path: its methods, and OPTIONS where CORS answers preflights. */
export function allowHeader(path: string, methods: Iterable<string>): string {
  const all = new Set(methods);
  if (all.has('GET')) all.add('HEAD');
  if (CORS_METHODS.has(path)) all.add('OPTIONS');
  return [...all].sort().join(', ');
}
