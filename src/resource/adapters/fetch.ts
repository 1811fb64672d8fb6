// Fetch-API adapter (Hono, Next.js route handlers, Bun, Deno, Cloudflare Workers, or node:http through a
// bridge): Request in, Principal or Response out.
//
//   const auth = createFetchAuth(verifier);
//   const result = await auth.authenticate(request, 'read:leads');
//   if (result instanceof Response) return result;             // 401/403/400, WWW-Authenticate set
//
//   const listLeads = auth.withAuth(async (request, principal) => Response.json(await leadsOf(principal.subject)), { scopes: 'read:leads' });
//   app.get('/api/leads', (c) => listLeads(c.req.raw));          // Hono
import { ResourceAuthError } from '../errors.js';
import type { Principal } from '../types.js';
import type { TokenVerifier } from '../verifier.js';
import { METADATA_HEADERS, isMetadataRequest, normalizeScopes } from './shared.js';

type Scopes = string | readonly string[];

export type AuthenticatedHandler<Rest extends unknown[]> = (request: Request, principal: Principal, ...rest: Rest) => Response | Promise<Response>;

export interface FetchAuth {
  /** The principal when the request's token checks out and grants every scope named; otherwise the answer to send. */
  authenticate(request: Request, scopes?: Scopes): Promise<Principal | Response>;
  /** Wraps a handler so it runs only for an authenticated request, receiving the principal after the request. */
  withAuth<Rest extends unknown[]>(handler: AuthenticatedHandler<Rest>, options?: { scopes?: Scopes }): (request: Request, ...rest: Rest) => Promise<Response>;
  /** The RFC 9728 metadata answer when the request is for one of its paths, else null. */
  metadataResponse(request: Request): Response | null;
}

export function createFetchAuth(verifier: TokenVerifier): FetchAuth {
  async function authenticate(request: Request, scopes?: Scopes): Promise<Principal | Response> {
    try {
      return await verifier.verifyRequest(
        { authorization: request.headers.get('authorization'), url: request.url, method: request.method, dpop: request.headers.get('dpop') },
        { requiredScopes: normalizeScopes(scopes) },
      );
    } catch (error) {
      if (!(error instanceof ResourceAuthError)) throw error;
      const rendered = verifier.challenge(error);
      return new Response(rendered.body, { status: rendered.status, headers: rendered.headers });
    }
  }

  return {
    authenticate,
    withAuth(handler, options = {}) {
      return async (request, ...rest) => {
        const result = await authenticate(request, options.scopes);
        return result instanceof Response ? result : handler(request, result, ...rest);
      };
    },
    metadataResponse(request) {
      const url = new URL(request.url);
      if (!isMetadataRequest(verifier, request.method, url.pathname)) return null;
      return new Response(request.method === 'HEAD' ? null : JSON.stringify(verifier.metadata), { status: 200, headers: METADATA_HEADERS });
    },
  };
}
