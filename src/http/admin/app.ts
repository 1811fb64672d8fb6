// The admin app (GATEHOUSE_ADMIN_PORT, never the public port): JSON routes under /admin for clients, users,
// keys, grants and token inspection, plus /healthz and /metrics. server.ts listens; this only builds.
import Fastify, { type FastifyInstance } from 'fastify';
import type { Services } from '../../services.js';
import type { HttpLimits } from '../../config.js';
import { createLimitedServer } from '../http-limits.js';
import { loggerOptions } from '../logger.js';
import { adminActor, loginAppExemption, requireAdminToken } from './auth.js';
import { observeLatency } from '../latency.js';
import { runAs } from '../../domain/audit.js';
import { AdminError, adminErrorHandler } from './errors.js';
import { guardAdminRequests, requireJsonForChanges } from './guards.js';
import { auditRoutes } from './routes/audit.js';
import { clientRoutes } from './routes/clients.js';
import { grantRoutes } from './routes/grants.js';
import { hydraRoutes, HYDRA_ROUTES_PREFIX } from './routes/hydra.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { tokenRoutes } from './routes/tokens.js';
import { userRoutes } from './routes/users.js';
import { resourceRoutes } from './routes/resources.js';
import { registrationTokenRoutes } from './routes/registration-tokens.js';

export const ADMIN_BODY_LIMIT = 64 * 1024;

export interface AdminAppOptions {
  /** Tests shorten these; the server uses the configured GATEHOUSE_HTTP_* limits, as the public port does. */
  limits?: Partial<HttpLimits>;
}

export function buildAdminApp(services: Services, options: AdminAppOptions = {}): FastifyInstance {
  const limits = { ...services.config.http, ...options.limits };
  const app = Fastify({
    logger: loggerOptions(services.config.logLevel),
    bodyLimit: ADMIN_BODY_LIMIT,
    // Slow or idle clients are cut off as on the public port (a stalled body used to hold a connection for minutes).
    serverFactory: (handler) => createLimitedServer(limits, handler),
    // Unknown properties are refused (a misspelt "redirect_uri" must not be silently dropped), and JSON types
    // are taken as sent: 5 is not a client name, "true" is not a boolean.
    ajv: { customOptions: { removeAdditional: false, allErrors: false, coerceTypes: false } },
    // A malformed URL ("/admin/clients/%ZZ") fails in the router, before any hook: answer it as every other error,
    // not with the framework's own JSON naming its internal error code.
    frameworkErrors: (error, request, reply) => adminErrorHandler(new AdminError(400, 'invalid_request', `the URL is malformed: ${request.url.split('?')[0]?.slice(0, 200)} is not a valid path`), request, reply),
  });
  app.setErrorHandler(adminErrorHandler);
  app.setNotFoundHandler((request) => {
    throw new AdminError(404, 'not_found', `no admin route ${request.method} ${request.url.split('?')[0]}`);
  });
  guardAdminRequests(app, services.config.adminHostnames);
  const exemption = loginAppExemption(services.config.delegation.appAddresses);
  requireAdminToken(app, services.config.adminToken, exemption);
  // Each request runs as its admin identity: the audit events it causes name it (callback style, so that the rest of
  // the request runs inside the context).
  app.addHook('onRequest', (request, _reply, done) => runAs(adminActor(request, services.config.adminToken !== undefined, exemption), done));
  observeLatency(app);
  requireJsonForChanges(app);
  // Admin answers can hold a client secret just made; nothing here may be cached.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
  });

  app.register(healthRoutes, { services });
  app.register(clientRoutes, { services, prefix: '/admin/clients' });
  app.register(userRoutes, { services, prefix: '/admin/users' });
  app.register(resourceRoutes, { services, prefix: '/admin/resources' });
  app.register(registrationTokenRoutes, { services, prefix: '/admin/registration-tokens' });
  app.register(keyRoutes, { services, prefix: '/admin/keys' });
  app.register(grantRoutes, { services, prefix: '/admin/grants' });
  app.register(tokenRoutes, { services, prefix: '/admin/tokens' });
  app.register(auditRoutes, { services, prefix: '/admin/audit-events' });
  app.register(hydraRoutes, { services, prefix: HYDRA_ROUTES_PREFIX });
  return app;
}
