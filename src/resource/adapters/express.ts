// Express (and Connect) adapter. Typed structurally, against what Express's request and response share
// with node:http, so the SDK never loads express: an Express 4/5 app, or a bare node:http server, fits.
//
//   const auth = createExpressAuth(verifier);
//   app.use(auth.metadata);
//   app.get('/api/leads', auth.requireScopes('read:leads'), (req, res) => res.json(req.principal));
import { ResourceAuthError } from '../errors.js';
import type { Principal } from '../types.js';
import type { TokenVerifier } from '../verifier.js';
import { METADATA_HEADERS, isMetadataRequest, normalizeScopes } from './shared.js';

export interface ExpressLikeRequest {
  headers: { authorization?: string | string[] | undefined; dpop?: string | string[] | undefined; host?: string | undefined };
  /** Node's every-line view of the headers (IncomingMessage.headersDistinct). */
  headersDistinct?: { authorization?: string[] | undefined; dpop?: string[] | undefined };
  /** Express's `req.protocol` (honours its trust proxy setting); absent on bare node:http. */
  protocol?: string | undefined;
  method?: string | undefined;
  url?: string | undefined;
  /** Express keeps the full target here when a router is mounted under a prefix. */
  originalUrl?: string | undefined;
  /** Set once the bearer token checked out. */
  principal?: Principal | undefined;
}

export interface ExpressLikeResponse {
  statusCode: number;
  setHeader(name: string, value: string): unknown;
  end(body?: string): unknown;
  locals?: Record<string, unknown>;
}

export type ExpressLikeNext = (error?: unknown) => void;

export type ExpressLikeMiddleware = (request: ExpressLikeRequest, response: ExpressLikeResponse, next: ExpressLikeNext) => Promise<void>;

export interface ExpressAuth {
  /** Answers GET/HEAD at the metadata path(s); passes every other request on. Mount at the app's root. */
  metadata: ExpressLikeMiddleware;
  /** Lets the request through only with a valid token granting every scope named; sets `req.principal` and `res.locals.principal`. */
  requireScopes(...scopes: Array<string | readonly string[]>): ExpressLikeMiddleware;
  /**
   * Like requireScopes, with the scopes computed from the request: mount it after the body parser (`express.json()`)
   * for scopes that depend on the body, such as the MCP tool a JSON-RPC request calls.
   */
  requireScopesFrom(select: (request: ExpressLikeRequest & { body?: unknown }) => string | readonly string[] | undefined): ExpressLikeMiddleware;
}

export function createExpressAuth(verifier: TokenVerifier): ExpressAuth {
  /** The one middleware both forms build: the scopes are fixed (requireScopes) or read from the request. */
  function middleware(scopesOf: (request: ExpressLikeRequest) => string[]): ExpressLikeMiddleware {
    return async (request, response, next) => {
      let principal: Principal;
      try {
        principal = await verifier.verifyRequest(
          {
            authorization: request.headersDistinct?.authorization ?? request.headers.authorization,
            url: request.originalUrl ?? request.url,
            method: request.method,
            dpop: request.headersDistinct?.dpop ?? request.headers.dpop,
            host: request.headers.host,
            protocol: request.protocol,
          },
          { requiredScopes: scopesOf(request) },
        );
      } catch (error) {
        if (!(error instanceof ResourceAuthError)) return next(error);
        const rendered = verifier.challenge(error);
        return send(response, rendered.status, rendered.headers, rendered.body);
      }
      request.principal = principal;
      if (response.locals) response.locals.principal = principal;
      next();
    };
  }

  return {
    async metadata(request, response, next) {
      if (!isMetadataRequest(verifier, request.method, request.originalUrl ?? request.url ?? '')) return next();
      send(response, 200, METADATA_HEADERS, request.method === 'HEAD' ? undefined : JSON.stringify(verifier.metadata));
    },
    requireScopes(...scopes) {
      const requiredScopes = normalizeScopes(scopes);
      return middleware(() => requiredScopes);
    },
    requireScopesFrom(select) {
      return middleware((request) => {
        const selected = select(request);
        return normalizeScopes(typeof selected === 'string' ? selected : selected === undefined ? undefined : [selected]);
      });
    },
  };
}

function send(response: ExpressLikeResponse, status: number, headers: Readonly<Record<string, string>>, body: string | undefined): void {
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.end(body);
}
