// Headers every response carries: no framing (clickjacking on the consent page), no sniffing, no referrer leak.
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { PAGE_SCRIPT_CSP_SOURCE } from './pages/layout.js';

// The pages' one script (times in the viewer's zone) is allowed by its hash: no other script can run.
const CSP = `default-src 'none'; script-src ${PAGE_SCRIPT_CSP_SOURCE}; style-src 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'`;

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

// An origin as a CSP source: scheme, host and port only. The URL parser lets a few characters through in a host
// (";", ",") that would end the directive; such an origin gets no say in the policy.
function origins(uris: readonly string[]): string[] {
  const out = new Set<string>();
  for (const uri of uris) {
    let origin: string;
    try {
      origin = new URL(uri).origin;
    } catch {
      continue;
    }
    if (/^https?:\/\/[A-Za-z0-9.\-[\]:]+$/.test(origin)) out.add(origin);
  }
  return [...out];
}

/**
 * The policy of a page that loads other sites in frames (the signed-out page's front-channel logout iframes): the
 * usual one, plus `frame-src` naming exactly the origins of those URIs. Framing the page itself stays forbidden.
 */
export function cspWithFrames(uris: readonly string[]): string {
  return pageCsp({ frames: uris });
}

/**
 * The usual policy, widened for one page: images from the origins of `images` (an app's logo on the consent page)
 * and frames from those of `frames`.
 */
export function pageCsp(extra: { frames?: readonly string[]; images?: readonly string[] }): string {
  const images = origins(extra.images ?? []);
  const frames = origins(extra.frames ?? []);
  let policy = images.length === 0 ? CSP : CSP.replace("img-src 'self' data:", `img-src 'self' data: ${images.join(' ')}`);
  if (frames.length > 0) policy += `; frame-src ${frames.join(' ')}`;
  return policy;
}

// The policies set by setPageCsp, by answer: only they survive the onSend hook, any other is replaced.
const pagePolicies = new WeakMap<FastifyReply, string>();

/** A page's own policy, made by pageCsp or cspWithFrames; every other answer gets CSP. */
export function setPageCsp(reply: FastifyReply, policy: string): void {
  pagePolicies.set(reply, policy);
  reply.header('content-security-policy', policy);
}

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const own = pagePolicies.get(reply);
    reply.headers(SECURITY_HEADERS);
    if (own !== undefined) reply.header('content-security-policy', own);
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
