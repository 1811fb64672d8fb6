// The public port's request listener. POSTs to the OAuth JSON endpoints (token, introspection, revocation) are
// served here on node:http directly: they are the hot path, and what a framework adds per request (routing,
// hooks, reply objects) cost as much as the token's own signature. Other methods on these paths (CORS preflights,
// 405) are answered here too; every other path goes to Fastify.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import proxyAddr from 'proxy-addr';
import { proxyTrust } from '../proxy-trust.js';
import type { Services } from '../../services.js';
import { OAUTH_ENDPOINTS, serveOAuthEndpoint } from './oauth-endpoints.js';
import { sendJson } from './json-response.js';
import { SECURITY_HEADERS } from '../security-headers.js';
import { CORS_METHODS, CORS_RESPONSE_HEADERS, allowHeader, preflightHeaders, requestPath } from '../cors.js';

export interface DirectListenerOptions {
  services: Services;
  bodyLimit: number;
  /** Fastify's own listener, for every request not served here. */
  fallback: RequestListener;
  /** The app's logger; read at request time (Fastify creates it after the server). */
  logger: () => FastifyBaseLogger;
}

/** Levels at which Fastify logs every request, and so do we. */
const LOGS_REQUESTS = new Set(['info', 'debug', 'trace']);

/** The direct endpoint's path the request is for, whatever its method. */
function endpointPath(request: IncomingMessage): string | undefined {
  // As on the rest of the port: /oauth2/token/ is /oauth2/token.
  const path = requestPath(request.url!);
  return OAUTH_ENDPOINTS.has(path) ? path : undefined;
}

/** Anything but POST at a direct endpoint: a CORS preflight, or 405 naming the methods that work. */
function answerOtherMethod(request: IncomingMessage, response: ServerResponse, path: string): void {
  const corsMethods = CORS_METHODS.get(path);
  if (request.method === 'OPTIONS' && corsMethods) {
    response.writeHead(204, { ...SECURITY_HEADERS, ...preflightHeaders(corsMethods) });
    response.end();
    return;
  }
  const allow = allowHeader(path, ['POST']);
  sendJson(response, 405, { error: 'invalid_request', error_description: `${request.method} is not allowed on ${path}; use POST` }, {
    allow,
    ...(corsMethods ? CORS_RESPONSE_HEADERS : {}),
  });
}

export function createDirectListener(options: DirectListenerOptions): RequestListener {
  const { services, bodyLimit, fallback, logger } = options;
  const trust = proxyTrust(services.config.trustProxy);
  let requestCount = 0;

  return (request: IncomingMessage, response: ServerResponse) => {
    const path = endpointPath(request);
    if (path === undefined) {
      fallback(request, response);
      return;
    }
    if (request.method !== 'POST') {
      answerOtherMethod(request, response, path);
      return;
    }
    const handler = OAUTH_ENDPOINTS.get(path)!;
    const log = logger();
    const id = `req-d${(requestCount++).toString(36)}`;
    const started = LOGS_REQUESTS.has(log.level) ? performance.now() : 0;
    const ip = proxyAddr(request, trust);
    void serveOAuthEndpoint(services, handler, request, response, bodyLimit, {
      error: (details, message) => log.error({ reqId: id, ...details }, message),
    }, ip, CORS_METHODS.has(path) ? CORS_RESPONSE_HEADERS : undefined).then(() => {
      if (started === 0) return;
      // Like Fastify's request log; the logger's `req` serializer keeps the path only (a query could hold a secret).
      log.info({
        reqId: id,
        req: { method: request.method, url: request.url, id, ip },
        res: { statusCode: response.statusCode },
        responseTime: performance.now() - started,
      }, 'request completed');
    });
  };
}
