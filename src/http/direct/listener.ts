// The public port's request listener. POSTs to the OAuth JSON endpoints (token, introspection, revocation, and
// device authorization, which authenticates clients as the token endpoint does) are
// served here on node:http directly: they are the hot path, and what a framework adds per request (routing,
// hooks, reply objects) cost as much as the token's own signature. Other methods on these paths (CORS preflights,
// 405) are answered here too; every other path goes to Fastify. What both edges share is not written twice here:
// the form parser (../form-body.ts), error answers (../error-response.ts), the request line (../logger.ts), proxy
// trust (../proxy-trust.ts), rate limits (../rate-limits/) and 405s (../route-methods.ts).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { clientAddressReader } from '../proxy-trust.js';
import type { Services } from '../../services.js';
import { OAUTH_ENDPOINTS, serveOAuthEndpoint } from './oauth-endpoints.js';
import { SECURITY_HEADERS } from '../security-headers.js';
import { CORS_METHODS, preflightHeaders, requestPath } from '../cors.js';
import { errorAnswer, writeErrorAnswer } from '../error-response.js';
import { logRequestCompleted, logsRequests } from '../logger.js';
import { methodNotAllowed } from '../route-methods.js';
import type { RateLimits } from '../rate-limits/index.js';
import { observeRequest } from '../../domain/oauth-metrics.js';

export interface DirectListenerOptions {
  services: Services;
  bodyLimit: number;
  /** Fastify's own listener, for every request not served here. */
  fallback: RequestListener;
  /** The port's rate-limit policy, shared with the Fastify routes. */
  rateLimits: RateLimits;
  /** The app's logger; read at request time (Fastify creates it after the server). */
  logger: () => FastifyBaseLogger;
}

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
  writeErrorAnswer(response, errorAnswer(methodNotAllowed(request.method!, path, ['POST']), { cors: corsMethods !== undefined }));
}

export function createDirectListener(options: DirectListenerOptions): RequestListener {
  const { services, bodyLimit, fallback, logger, rateLimits } = options;
  const clientAddress = clientAddressReader(services.config.trustProxy);
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
    const endpoint = OAUTH_ENDPOINTS.get(path)!;
    const log = logger();
    const id = `req-d${(requestCount++).toString(36)}`;
    const started = performance.now();
    const ip = clientAddress(request);
    void serveOAuthEndpoint(services, rateLimits, endpoint, request, response, bodyLimit, {
      error: (details, message) => log.error({ reqId: id, ...details }, message),
    }, ip, CORS_METHODS.has(path)).then(() => {
      const elapsed = performance.now() - started;
      // The path is one of OAUTH_ENDPOINTS' keys: a route pattern, bounded.
      observeRequest(path, 'POST', response.statusCode, elapsed / 1000);
      if (!logsRequests(log)) return;
      logRequestCompleted(log, { id, method: request.method!, url: request.url!, ip, statusCode: response.statusCode, responseTime: elapsed });
    });
  };
}
