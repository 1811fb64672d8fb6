// The admin app (GATEHOUSE_ADMIN_PORT, never the public port): JSON routes under /admin for clients, users,
// keys, grants and token inspection, plus /healthz and /metrics. server.ts listens; this only builds.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import { loggerOptions } from '../logger.js';
import { requireAdminToken } from './auth.js';
import { AdminError, adminErrorHandler } from './errors.js';
import { guardAdminRequests, requireJsonForChanges } from './guards.js';
import { clientRoutes } from './routes/clients.js';
import { grantRoutes } from './routes/grants.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';

export const ADMIN_BODY_LIMIT = 64 * 1024;

/**
 * How long the admin server waits for a slow client, and how many it holds at once. Node's defaults let a client
 * that sends headers and then stalls mid-body hold a connection for five minutes, and take any number of them.
 * Admin requests are small and come from a few programs, so the limits are tight and fixed.
 */
export interface AdminServerLimits {
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs: number;
  /** The headers must arrive within this (at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle kept-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** A connection on which nothing moves for this long is closed (a stalled answer, a silent client). */
  idleTimeoutMs: number;
  /** Connections beyond this are closed as soon as they open. */
  maxConnections: number;
  /** How often Node checks the request and header timeouts (its default, 30 s, would double them). */
  timeoutCheckIntervalMs: number;
}

export const ADMIN_SERVER_LIMITS: Readonly<AdminServerLimits> = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 256,
  timeoutCheckIntervalMs: 1_000,
};

export interface AdminAppOptions {
  /** Tests shorten these; the server uses ADMIN_SERVER_LIMITS. */
  limits?: Partial<AdminServerLimits>;
}

export function buildAdminApp(services: Services, options: AdminAppOptions = {}): FastifyInstance {
  const limits = { ...ADMIN_SERVER_LIMITS, ...options.limits };
  const app = Fastify({
    logger: loggerOptions(services.config.logLevel),
    bodyLimit: ADMIN_BODY_LIMIT,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: limits.timeoutCheckIntervalMs },
    // Unknown properties are refused (a misspelt "redirect_uri" must not be silently dropped), and JSON types
    // are taken as sent: 5 is not a client name, "true" is not a boolean.
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: false } },
  });
  app.server.maxConnections = limits.maxConnections;
  app.setErrorHandler(adminErrorHandler);
  app.setNotFoundHandler((request) => {
    throw new AdminError(404, 'not_found', `no admin route ${request.method} ${request.url.split('?')[0]}`);
  });
  guardAdminRequests(app, services.config.adminHostnames);
  requireAdminToken(app, services.config.adminToken);
  requireJsonForChanges(app);
  // Admin answers can hold a client secret just made; nothing here may be cached.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  app.register(healthRoutes, { services });
  app.register(clientRoutes, { services, prefix: '/admin/clients' });
  app.register(userRoutes, { services, prefix: '/admin/users' });
  app.register(keyRoutes, { services, prefix: '/admin/keys' });
  app.register(grantRoutes, { services, prefix: '/admin/grants' });
  app.register(tokenRoutes, { services, prefix: '/admin/tokens' });
  return app;
}
