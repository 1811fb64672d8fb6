// Fastify adapter: a plugin that serves the RFC 9728 metadata and declares `request.principal`, and a
// preHandler factory per route. All checking is the core's; this file only moves values in and out.
//
//   const auth = createFastifyAuth(verifier);
//   await app.register(auth.plugin);
//   app.get('/api/leads', { preHandler: auth.requireScopes('read:leads') }, async (request) => request.principal);
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { ResourceAuthError } from '../errors.js';
import type { Principal } from '../types.js';
import type { TokenVerifier } from '../verifier.js';
import { METADATA_HEADERS, normalizeScopes } from './shared.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a Gatehouse `requireScopes` preHandler once the bearer token checked out; null before. */
    principal: Principal | null;
  }
}

export interface FastifyAuth {
  /** Serves the metadata at its well-known path(s) and decorates requests with `principal`. Not encapsulated. */
  plugin: FastifyPluginAsync;
  /** A preHandler that lets the request through only with a valid token granting every scope named. */
  requireScopes(...scopes: Array<string | readonly string[]>): preHandlerAsyncHookHandler;
}

export function createFastifyAuth(verifier: TokenVerifier): FastifyAuth {
  const plugin: FastifyPluginAsync = async (app) => {
    if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
    for (const url of verifier.metadataPaths) {
      app.get(url, async (_request, reply) => reply.headers(METADATA_HEADERS).send(JSON.stringify(verifier.metadata)));
    }
  };
  // What fastify-plugin does: register into the parent context, so the decorator is visible to sibling routes.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'gatehouse-resource' });

  return {
    plugin,
    requireScopes(...scopes) {
      const requiredScopes = normalizeScopes(scopes);
      return async function requireGatehouseScopes(request: FastifyRequest, reply: FastifyReply) {
        try {
          request.principal = await verifier.verifyRequest(
            // headersDistinct keeps every Authorization line; headers.authorization only the first.
            { authorization: request.raw.headersDistinct?.authorization ?? request.headers.authorization, url: request.url },
            { requiredScopes },
          );
        } catch (error) {
          if (!(error instanceof ResourceAuthError)) throw error;
          const rendered = verifier.challenge(error);
          return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
        }
        return undefined;
      };
    },
  };
}
