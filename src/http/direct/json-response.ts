// Writing a successful JSON answer straight to node:http: the security headers every public response carries, no
// caching (RFC 6749 §5.1), one writeHead and one end. Errors are written by ../error-response.ts.
import type { ServerResponse } from 'node:http';
import { JSON_HEADERS } from '../security-headers.js';

export function sendJson(response: ServerResponse, status: number, body: unknown, extra?: Record<string, string>): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  const headers: Record<string, string | number> = extra ? { ...JSON_HEADERS, ...extra } : { ...JSON_HEADERS };
  headers['content-length'] = Buffer.byteLength(text);
  if (body === undefined) delete headers['content-type'];
  response.writeHead(status, headers);
  response.end(text);
}
