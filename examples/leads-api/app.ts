// The platform's own API from the story: GET /api/leads needs read:leads, POST /api/leads needs write:leads.
// Tokens are checked with the resource-server SDK (gatehouse-oauth/resource): signature, expiry, issuer, audience, scope.
import Fastify, { type FastifyInstance } from 'fastify';
import { createFastifyAuth, createTokenVerifier, type Principal, type TokenVerifierOptions } from '../../src/resource/index.js';
import type { LeadStore } from './leads-store.js';

export interface LeadsApiOptions {
  issuer: string;
  /** The `aud` access tokens must carry for this API. */
  audience: string;
  /** This API's own URL: its RFC 9728 resource identifier. */
  resource: string;
  leads: LeadStore;
  introspection?: TokenVerifierOptions['introspection'];
  /** Ask the issuer about every token, so revocation takes effect within the cache time (see docs/resource-sdk.md). */
  introspectJwts?: boolean;
  introspectionCacheSeconds?: number;
  logLevel?: string;
  /** The time in epoch milliseconds for expiry and cache decisions (default Date.now). */
  now?: () => number;
}

const FIELD = { type: 'string', minLength: 1, maxLength: 200 } as const;

/** Whose leads: the user the token acts for (a client_credentials token acts for the client itself). */
function owner(principal: Principal): string {
  return principal.subject ?? `client:${principal.clientId}`;
}

export async function buildLeadsApi(options: LeadsApiOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: { level: options.logLevel ?? 'warn' } });
  const verifier = createTokenVerifier({
    issuer: options.issuer,
    audience: [options.audience],
    resource: options.resource,
    resourceName: 'Leads API',
    scopesSupported: ['read:leads', 'write:leads'],
    introspection: options.introspection,
    introspectJwts: options.introspectJwts,
    introspectionCacheSeconds: options.introspectionCacheSeconds,
    logger: app.log,
    now: options.now,
  });
  const auth = createFastifyAuth(verifier);
  await app.register(auth.plugin);

  // onRequest: the token is checked before the body is read, so no token means 401, never a 400 about the body.
  app.get('/api/leads', { onRequest: auth.requireScopes('read:leads') }, async (request) => ({
    leads: options.leads.list(owner(request.principal!)),
  }));

  app.post<{ Body: { name: string; company: string; email: string } }>('/api/leads', {
    onRequest: auth.requireScopes('write:leads'),
    schema: { body: { type: 'object', required: ['name', 'company', 'email'], additionalProperties: false, properties: { name: FIELD, company: FIELD, email: FIELD } } },
  }, async (request, reply) => reply.code(201).send(options.leads.add(owner(request.principal!), request.body)));

  return app;
}
