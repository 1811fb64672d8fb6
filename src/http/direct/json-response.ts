// Writing a successful JSON answer straight to node:http: the security headers every public response carries, no
// caching (RFC 6749 §5.1), one writeHead and one end. Errors are written by ../error-response.ts.
import type { ServerResponse } from 'node:http';
import { JSON_HEADERS } from '../security-headers.js';
import { CORS_RESPONSE_HEADERS } from '../cors.js';

// writeHead takes a flat [name, value, name, value…] list: built once here, so an answer copies a short array
// instead of spreading header objects (measured: the spreads were ~2 µs of the token endpoint's CPU per request).
function flat(headers: Readonly<Record<string, string>>, withBody: boolean): readonly string[] {
  return Object.entries(headers).filter(([name]) => withBody || name !== 'content-type').flat();
}
const HEADERS = {
  body: flat(JSON_HEADERS, true),
  bodyCors: flat({ ...JSON_HEADERS, ...CORS_RESPONSE_HEADERS }, true),
  empty: flat(JSON_HEADERS, false),
  emptyCors: flat({ ...JSON_HEADERS, ...CORS_RESPONSE_HEADERS }, false),
};

/** A 200 with `body` as JSON, or an empty one when it is undefined; `cors`: any origin may read it (../cors.ts). */
export function sendJson(response: ServerResponse, status: number, body: unknown, cors: boolean, extra?: Readonly<Record<string, string>>): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers = (body === undefined ? (cors ? HEADERS.emptyCors : HEADERS.empty) : cors ? HEADERS.bodyCors : HEADERS.body).slice();
  if (extra) headers.push(...Object.entries(extra).flat());
  headers.push('content-length', String(Buffer.byteLength(text)));
  response.writeHead(status, headers);
  response.end(text);
}
