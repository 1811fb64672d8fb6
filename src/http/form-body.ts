// The public port's one form parser (application/x-www-form-urlencoded): the direct OAuth endpoints read bodies
// with it straight from node:http, and it is Fastify's parser for the same media type, so every route that
// takes a form (authorize, login, logout, consent, userinfo, connected apps) decodes and limits forms alike.
import type { IncomingMessage } from 'node:http';
import { unescape } from 'node:querystring';
import type { FastifyInstance } from 'fastify';
import { BodyTooLarge, InvalidRequest, UnsupportedMediaType } from '../oauth/errors.js';
import type { RawParams } from '../oauth/params.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** The largest body the public port reads, on both edges. */
export const PUBLIC_BODY_LIMIT = 64 * 1024;

function mediaTypeOf(header: string): string {
  const semicolon = header.indexOf(';');
  return (semicolon < 0 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

function decodeComponent(text: string): string {
  // '+' is a space in forms; a malformed %-escape is kept as written rather than refused (querystring.unescape).
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  return spaced.includes('%') ? unescape(spaced) : spaced;
}

/**
 * Parses a form body. A repeated name becomes an array, so Params can refuse it by name; empty names are
 * skipped. The object has no prototype: a parameter named __proto__ is just a parameter.
 */
export function parseForm(body: string): RawParams {
  const params: Record<string, string | string[]> = Object.create(null) as Record<string, string | string[]>;
  if (body === '') return params;
  for (const pair of body.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const name = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    if (name === '') continue;
    const value = equals < 0 ? '' : decodeComponent(pair.slice(equals + 1));
    const existing = params[name];
    if (existing === undefined) params[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else params[name] = [existing, value];
  }
  return params;
}

/**
 * Reads and parses the body. Refuses a body of another media type (415), one larger than `limit` bytes (413,
 * before reading it when Content-Length says so) and a missing body (400).
 */
export function readFormBody(request: IncomingMessage, limit: number): Promise<RawParams> {
  const contentType = request.headers['content-type'];
  const declaredLength = request.headers['content-length'];
  const hasBody = request.headers['transfer-encoding'] !== undefined || (declaredLength !== undefined && declaredLength !== '0');
  if (contentType === undefined && !hasBody) {
    return Promise.reject(new InvalidRequest('the request needs an application/x-www-form-urlencoded body'));
  }
  if (contentType === undefined || mediaTypeOf(contentType) !== FORM_TYPE) {
    return Promise.reject(new UnsupportedMediaType());
  }
  if (declaredLength !== undefined && Number(declaredLength) > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    request.on('data', (chunk: Buffer) => {
      if (settled) return;
      received += chunk.length;
      if (received > limit) {
        settled = true;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      if (settled) return;
      settled = true;
      const body = chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8');
      resolve(parseForm(body));
    });
    const fail = (error: Error): void => {
      if (settled) return;
      settled = true;
      reject(error);
    };
    request.on('error', fail);
    // A client that disconnects mid-body: settle instead of waiting for an end that never comes.
    request.on('close', () => {
      if (!request.complete) fail(new Error('the client closed the connection before sending the whole body'));
    });
  });
}

/**
 * Installs parseForm as the app's only body parser. Fastify reads the body (within the same PUBLIC_BODY_LIMIT; its
 * 413/415 become BodyTooLarge/UnsupportedMediaType in ../error-response.ts); decoding and duplicates are parseForm's.
 */
export function useFormParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(FORM_TYPE, { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseForm(body as string));
  });
}
