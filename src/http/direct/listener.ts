// The public port's request listener. POSTs to the OAuth JSON endpoints (token, introspection, revocation) are
// served here on node:http directly: they are the hot path, and what a framework adds per request (routing,
// hooks, reply objects) cost as much as the token's own signature. Everything else goes to Fastify.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import proxyAddr from 'proxy-addr';
import type { Services } from '../../services.js';
import { OAUTH_ENDPOINTS, serveOAuthEndpoint, type EndpointHandler } from './oauth-endpoints.js';

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

function endpointFor(request: IncomingMessage): EndpointHandler | undefined {
  if (request.method !== 'POST') return undefined;
  const url = request.url!;
  const query = url.indexOf('?');
  let path = query < 0 ? url : url.slice(0, query);
  // As on the rest of the port: /oauth2/token/ is /oauth2/token.
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  return OAUTH_ENDPOINTS.get(path);
}

/** Which addresses the configured proxy setting trusts, for the client address (throttling, request log). */
function trustFunction(trustProxy: boolean | number | string): (address: string, hop: number) => boolean {
  if (trustProxy === false) return () => false;
  if (trustProxy === true) return () => true;
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
}

export function createDirectListener(options: DirectListenerOptions): RequestListener {
  const { services, bodyLimit, fallback, logger } = options;
  const trust = trustFunction(services.config.trustProxy);
  let requestCount = 0;

  return (request: IncomingMessage, response: ServerResponse) => {
    const handler = endpointFor(request);
    if (!handler) {
      fallback(request, response);
      return;
    }
    const log = logger();
    const id = `req-d${(requestCount++).toString(36)}`;
    const started = LOGS_REQUESTS.has(log.level) ? performance.now() : 0;
    const ip = proxyAddr(request, trust);
    void serveOAuthEndpoint(services, handler, request, response, bodyLimit, {
      error: (details, message) => log.error({ reqId: id, ...details }, message),
    }, ip).then(() => {
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
