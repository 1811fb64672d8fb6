// A real API protected by the resource SDK, on a loopback port, for tests against a running Gatehouse.
// The same two routes on each framework: GET /api/leads needs read:leads, POST /api/leads needs write:leads;
// both answer with the principal. The verifier's fetch is wrapped so a test can count what the SDK asked
// Gatehouse (discovery, JWKS, introspection), and its logger keeps every line so a test can read the reason
// a request was refused.
import { createServer, type Server } from 'node:http';
import express from 'express';
import Fastify, { type FastifyRequest } from 'fastify';
import {
  createExpressAuth,
  createFastifyAuth,
  createFetchAuth,
  createTokenVerifier,
  type ExpressLikeRequest,
  type FetchLike,
  type Principal,
  type TokenVerifier,
  type TokenVerifierOptions,
} from '../../../src/resource/index.js';
import { freePort } from '../../helpers/server.js';
import { CapturingLogger } from './logger.js';
import { toRequest } from './fetch-bridge.js';

export type AdapterKind = 'fastify' | 'express' | 'fetch';

/** What the SDK asked the issuer for, by path. */
export interface IssuerRequestCounts {
  discovery: number;
  jwks: number;
  introspection: number;
  other: number;
}

export interface ProtectedApi {
  kind: AdapterKind;
  baseUrl: string;
  /** The RFC 9728 resource identifier: `${baseUrl}/api`. */
  resource: string;
  /** Where WWW-Authenticate's resource_metadata must point: the path-suffixed well-known URL. */
  resourceMetadataUrl: string;
  verifier: TokenVerifier;
  logger: CapturingLogger;
  issuerRequests: IssuerRequestCounts;
  call(path: string, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

export type ApiVerifierOptions = Omit<TokenVerifierOptions, 'resource' | 'fetch' | 'logger'>;

export interface PrincipalSummary {
  subject: string | null;
  clientId: string | null;
  scopes: string[];
  tokenType: 'jwt' | 'opaque';
}

export const summary = (principal: Principal): PrincipalSummary => ({
  subject: principal.subject,
  clientId: principal.clientId,
  scopes: principal.scopes,
  tokenType: principal.tokenType,
});

export async function startProtectedApi(kind: AdapterKind, options: ApiVerifierOptions): Promise<ProtectedApi> {
  // The resource identifier names the port, so the port is chosen before the verifier is made.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const resource = `${baseUrl}/api`;
  const logger = new CapturingLogger();
  const issuerRequests: IssuerRequestCounts = { discovery: 0, jwks: 0, introspection: 0, other: 0 };
  const countingFetch: FetchLike = (input, init) => {
    const path = new URL(input instanceof URL ? input.href : input).pathname;
    if (path.startsWith('/.well-known/oauth-authorization-server') || path.endsWith('/.well-known/openid-configuration')) issuerRequests.discovery += 1;
    else if (path === '/.well-known/jwks.json') issuerRequests.jwks += 1;
    else if (path === '/oauth2/introspect') issuerRequests.introspection += 1;
    else issuerRequests.other += 1;
    return globalThis.fetch(input, init);
  };
  const verifier = createTokenVerifier({
    scopesSupported: ['read:leads', 'write:leads'],
    ...options,
    resource,
    fetch: countingFetch,
    logger,
  });

  const close = await listen(kind, verifier, port);
  return {
    kind,
    baseUrl,
    resource,
    resourceMetadataUrl: `${baseUrl}/.well-known/oauth-protected-resource/api`,
    verifier,
    logger,
    issuerRequests,
    call: (path, init = {}) => fetch(`${baseUrl}${path}`, init),
    close,
  };
}

async function listen(kind: AdapterKind, verifier: TokenVerifier, port: number): Promise<() => Promise<void>> {
  switch (kind) {
    case 'fastify': {
      const app = Fastify();
      const auth = createFastifyAuth(verifier);
      await app.register(auth.plugin);
      const answer = async (request: FastifyRequest) => summary(request.principal!);
      app.get('/api/leads', { onRequest: auth.requireScopes('read:leads') }, answer);
      app.post('/api/leads', { onRequest: auth.requireScopes('write:leads') }, answer);
      await app.listen({ port, host: '127.0.0.1' });
      return () => app.close();
    }
    case 'express': {
      const app = express();
      const auth = createExpressAuth(verifier);
      app.use(auth.metadata);
      const answer = (req: express.Request & ExpressLikeRequest, res: express.Response) => {
        res.json(summary(req.principal!));
      };
      app.get('/api/leads', auth.requireScopes('read:leads'), answer);
      app.post('/api/leads', auth.requireScopes('write:leads'), answer);
      const server = await new Promise<Server>((resolve, reject) => {
        const listening = app.listen(port, '127.0.0.1', (error?: Error) => (error ? reject(error) : resolve(listening)));
      });
      return () => closeServer(server);
    }
    case 'fetch': {
      const auth = createFetchAuth(verifier);
      const listLeads = auth.withAuth(async (_request, principal) => Response.json(summary(principal)), { scopes: 'read:leads' });
      const addLead = auth.withAuth(async (_request, principal) => Response.json(summary(principal)), { scopes: 'write:leads' });
      const handler = async (request: Request): Promise<Response> => {
        const metadata = auth.metadataResponse(request);
        if (metadata) return metadata;
        if (new URL(request.url).pathname !== '/api/leads') return new Response('not found', { status: 404 });
        return request.method === 'POST' ? addLead(request) : listLeads(request);
      };
      // node:http ⇄ Request/Response, the way Hono's node server bridges them.
      const server = createServer((req, res) => {
        toRequest(req)
          .then(handler)
          .then(async (response) => {
            response.headers.forEach((value, name) => res.setHeader(name, value));
            res.writeHead(response.status);
            res.end(Buffer.from(await response.arrayBuffer()));
          })
          .catch((error: unknown) => res.writeHead(500).end(String(error)));
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', resolve);
      });
      return () => closeServer(server);
    }
  }
}

function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
