// Fastify adapter: a plugin that serves the RFC 9728 metadata and declares `request.principal`, and a
// hook factory per route. All checking is the core's; this file only moves values in and out.
//
//   const auth = createFastifyAuth(verifier);
//   await app.register(auth.plugin);
//   app.get('/api/leads', { onRequest: auth.requireScopes('read:leads') }, async (request) => request.principal);
//
// The check runs in `onRequest`, before the body is read and validated: an anonymous request with a bad body
// gets 401, never a 400 that tells a caller without a token what the route accepts.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, onRequestAsyncHookHandler, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { ResourceAuthError } from '../errors.js';
import type { Principal } from '../types.js';
import type { TokenVerifier } from '../verifier.js';
import { METADATA_HEADERS, normalizeScopes } from './shared.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a Gatehouse `requireScopes` hook once the bearer token checked out; null before. */
    principal: Principal | null;
  }
}

export interface FastifyAuth {
  /**
   * Serves the metadata at its well-known path(s) and decorates requests with `principal`. Not encapsulated.
   * Routes registered after it that pass a `requireScopes` hook as `preHandler` get it moved to `onRequest`.
   */
  plugin: FastifyPluginAsync;
  /**
   * A hook that lets the request through only with a valid token granting every scope named. Give it as the
   * route's `onRequest` (as `preHandler` it is moved there, when the plugin is registered first).
   */
  requireScopes(...scopes: Array<string | readonly string[]>): onRequestAsyncHookHandler;
  /**
   * A `preHandler` hook for scopes that depend on the parsed request, such as the MCP tool a JSON-RPC body calls
   * (`requireScopesFrom((request) => toolScopes(request.body))`). Give the route a `requireScopes` `onRequest`
   * hook too, so a request without a valid token is answered 401 before its body is read.
   */
  requireScopesFrom(select: (request: FastifyRequest) => string | readonly string[] | undefined): preHandlerAsyncHookHandler;
}

const REQUIRE_SCOPES = Symbol('gatehouse.requireScopes');

type Hook = NonNullable<RouteOptions['preHandler']>;

/** A route's preHandler `requireScopes` hooks, moved to the front of its onRequest hooks. */
function authenticateOnRequest(route: RouteOptions): void {
  const preHandlers: unknown[] = route.preHandler === undefined ? [] : ([] as unknown[]).concat(route.preHandler);
  const ours = preHandlers.filter((hook) => typeof hook === 'function' && (hook as { [REQUIRE_SCOPES]?: true })[REQUIRE_SCOPES] === true);
  if (ours.length === 0) return;
  const onRequest: unknown[] = route.onRequest === undefined ? [] : ([] as unknown[]).concat(route.onRequest);
  route.onRequest = [...ours, ...onRequest] as NonNullable<RouteOptions['onRequest']>;
  const rest = preHandlers.filter((hook) => !ours.includes(hook));
  route.preHandler = rest.length > 0 ? (rest as Hook) : undefined;
}

export function createFastifyAuth(verifier: TokenVerifier): FastifyAuth {
  const plugin: FastifyPluginAsync = async (app) => {
    if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
    // Code written for the earlier preHandler form still authenticates before body validation.
    app.addHook('onRoute', authenticateOnRequest);
    for (const url of verifier.metadataPaths) {
      app.get(url, async (_request, reply) => reply.headers(METADATA_HEADERS).send(JSON.stringify(verifier.metadata)));
    }
  };
  // What fastify-plugin does: register into the parent context, so the decorator is visible to sibling routes.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'gatehouse-resource' });

  async function authenticate(request: FastifyRequest, reply: FastifyReply, requiredScopes: string[]) {
    try {
      request.principal = await verifier.verifyRequest(
        // headersDistinct keeps every Authorization line; headers.authorization only the first.
        {
          authorization: request.raw.headersDistinct?.authorization ?? request.headers.authorization,
          url: request.url,
          method: request.method,
          dpop: request.raw.headersDistinct?.dpop ?? request.headers.dpop,
          host: request.headers.host,
          protocol: request.protocol,
        },
        { requiredScopes },
      );
    } catch (error) {
      if (!(error instanceof ResourceAuthError)) throw error;
      const rendered = verifier.challenge(error);
      return reply.code(rendered.status).headers(rendered.headers).send(rendered.body);
    }
    return undefined;
  }

  return {
    plugin,
    requireScopes(...scopes) {
      const requiredScopes = normalizeScopes(scopes);
      const hook = async function requireGatehouseScopes(request: FastifyRequest, reply: FastifyReply) {
        return authenticate(request, reply, requiredScopes);
      };
      return Object.assign(hook, { [REQUIRE_SCOPES]: true });
    },
    requireScopesFrom(select) {
      return async function requireGatehouseScopesFrom(request: FastifyRequest, reply: FastifyReply) {
        const selected = select(request);
        return authenticate(request, reply, normalizeScopes(typeof selected === 'string' ? selected : selected === undefined ? undefined : [selected]));
      };
    },
  };
}
