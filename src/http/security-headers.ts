// Headers every response carries: no framing (clickjacking on the consent page), no sniffing, no referrer leak.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CSP,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** Every JSON answer of the OAuth endpoints, on both edges: never cached (RFC 6749 §5.1). */
export const JSON_HEADERS: Readonly<Record<string, string>> = {
  ...SECURITY_HEADERS,
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
};

/**
 * The policy of a page that loads other sites in frames (the signed-out page's front-channel logout iframes): the
 * usual one, plus `frame-src` naming exactly the origins of those URIs. Framing the page itself stays forbidden.
 */
export function cspWithFrames(uris: readonly string[]): string {
  // An origin as a CSP source: scheme, host and port only. The URL parser lets a few characters through in a host
  // (";", ",") that would end the directive; such an origin gets no frame, rather than a say in the policy.
  const origins = [...new Set(uris.map((uri) => new URL(uri).origin))].filter((origin) => /^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin));
  return origins.length === 0 ? CSP : `${CSP}; frame-src ${origins.join(' ')}`;
}

/** A page's own policy, set by its route with cspWithFrames; every other answer gets CSP. */
export function setPageCsp(reply: FastifyReply, policy: string): void {
  reply.header('content-security-policy', policy);
}

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    // Only a policy made by cspWithFrames (which starts from CSP) survives; anything else is replaced.
    const own = reply.getHeader('content-security-policy');
    reply.headers(SECURITY_HEADERS);
    if (typeof own === 'string' && own.startsWith(`${CSP}; frame-src `)) reply.header('content-security-policy', own);
    return payload;
  });
}

/**
 * For a request Node cannot parse (malformed HTTP, headers too large, too slow): it never reaches the app or its
 * hooks, so this writes the answer itself — like Fastify's default, but with the headers above and an error in
 * the shape the OAuth endpoints use.
 */
export function clientErrorWithSecurityHeaders(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, description] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
    ? [408, 'Request Timeout', 'the request took too long to arrive']
    : error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'the request headers are too large']
      : [400, 'Bad Request', 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: 'invalid_request', error_description: description });
  const headers = Object.entries(SECURITY_HEADERS).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`);
  }
  socket.destroy(error);
}
