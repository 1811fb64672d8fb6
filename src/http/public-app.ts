// The public app (GATEHOUSE_PORT): the OAuth/OIDC endpoints, sign-in, consent and connected apps.
import { validateHeaderValue } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import type { Services } from '../services.js';
import { RequestLines, loggerOptions } from './logger.js';
import { observeLatency } from './latency.js';
import { addSecurityHeaders, clientErrorWithSecurityHeaders, SECURITY_HEADERS } from './security-headers.js';
import { createDirectListener } from './direct/listener.js';
import { createLimitedServer } from './http-limits.js';
import { proxyTrust } from './proxy-trust.js';
import { userinfoRoutes } from './routes/userinfo.js';
import { discoveryRoutes } from './routes/discovery.js';
import { authorizeRoutes, HYDRA_AUTHORIZE_PATH } from './routes/authorize.js';
import { sessionRoutes } from './routes/session.js';
import { END_SESSION_PATHS, logoutRoutes } from './routes/logout.js';
import { accountAppsRoutes } from './routes/account-apps.js';
import { deviceRoutes } from './routes/device.js';
import { registrationRoutes } from './routes/registration.js';
import { renderMessagePage } from './pages/message.js';
import { renderLandingPage } from './pages/landing.js';
import { sendPage, usePageBranding } from './send-page.js';
import { RouteMethods, methodNotAllowed } from './route-methods.js';
import { errorAnswer, sendErrorAnswer, sendErrorPage, toOAuthError } from './error-response.js';
import { NotFound, type OAuthError } from '../oauth/errors.js';
import { PUBLIC_BODY_LIMIT, useFormParser } from './form-body.js';
import { createRateLimits } from './rate-limits/index.js';
import { CORS_METHODS, CORS_RESPONSE_HEADERS, preflightHeaders, requestPath } from './cors.js';

/**
 * A Location Node cannot send (a character outside Latin-1, a control character) would make Node throw while
 * writing the head, after every hook has run, and Fastify would answer with its own bare 500. Caught here, it
 * goes through the error handler like any other error: a page with the security headers.
 */
function refuseUnsendableLocation(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    const location = reply.getHeader('location');
    if (location === undefined) return payload;
    try {
      validateHeaderValue('location', location as string);
    } catch {
      reply.removeHeader('location');
      throw new Error('a redirect target could not be sent as a Location header');
    }
    return payload;
  });
}

/** Pages a browser is sent to under /oauth2/: their errors are pages too. */
const BROWSER_PATHS: ReadonlySet<string> = new Set(['/oauth2/authorize', HYDRA_AUTHORIZE_PATH, '/oauth2/device/verify', ...END_SESSION_PATHS]);

/** Paths whose errors are JSON: the OAuth endpoints but the pages a browser sees, discovery, userinfo. */
function answersJson(path: string): boolean {
  return path === '/userinfo' || path.startsWith('/.well-known/') || (path.startsWith('/oauth2/') && !BROWSER_PATHS.has(path));
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: OAuthError): FastifyReply {
  const path = requestPath(request.url);
  if (!answersJson(path)) return sendErrorPage(reply, error);
  return sendErrorAnswer(reply, errorAnswer(error, { bearer: path === '/userinfo', cors: CORS_METHODS.has(path) }));
}

export async function buildPublicApp(services: Services, logStream?: NodeJS.WritableStream): Promise<FastifyInstance> {
  const rateLimits = createRateLimits(services);
  const app: FastifyInstance = Fastify({
    logger: loggerOptions(services.config.logLevel, logStream),
    trustProxy: proxyTrust(services.config.trustProxy),
    bodyLimit: PUBLIC_BODY_LIMIT,
    // Some clients send a trailing slash; treat /oauth2/token/ as /oauth2/token.
    routerOptions: { ignoreTrailingSlash: true },
    // Malformed HTTP never reaches the app: answered with the security headers all the same.
    clientErrorHandler: clientErrorWithSecurityHeaders,
    // A malformed URL ("/login%") is found by the router before any hook runs; without this Fastify answers with
    // its own JSON naming its internal error code, and without the security headers.
    frameworkErrors: (error, request, reply) => {
      reply.headers(SECURITY_HEADERS);
      return sendErrorPage(reply, toOAuthError(error, request.log));
    },
    // One request line per request, in the format of the direct endpoints.
    logController: new RequestLines(),
    // The token, introspection and revocation endpoints are served before Fastify sees the request.
    serverFactory: (fastifyListener) => createLimitedServer(services.config.http, createDirectListener({
      services,
      bodyLimit: PUBLIC_BODY_LIMIT,
      fallback: fastifyListener,
      rateLimits,
      logger: () => app.log,
    })),
  });
  // Only forms are accepted on the public port: OAuth requests are application/x-www-form-urlencoded.
  useFormParser(app);
  usePageBranding(app, services.config.branding);
  await app.register(cookie);
  addSecurityHeaders(app);
  // The port's general per-address limit, as on the direct endpoints; thrown errors reach the error handler.
  app.addHook('onRequest', async (request) => {
    rateLimits.requests.take(request.ip);
  });
  const routeMethods = new RouteMethods(app);
  app.addHook('onSend', async (request, reply, payload) => {
    if (CORS_METHODS.has(requestPath(request.url))) reply.headers(CORS_RESPONSE_HEADERS);
    return payload;
  });
  refuseUnsendableLocation(app);
  observeLatency(app);

  // One error handler for every route: JSON for the OAuth endpoints, discovery and userinfo, a page elsewhere.
  app.setErrorHandler((error, request, reply) => sendError(request, reply, toOAuthError(error, request.log)));
  app.setNotFoundHandler((request, reply) => {
    const path = requestPath(request.url);
    const methods = routeMethods.methodsFor(path);
    const corsMethods = CORS_METHODS.get(path);
    if (methods && request.method === 'OPTIONS' && corsMethods) return reply.code(204).headers(preflightHeaders(corsMethods)).send();
    const error = methods ? methodNotAllowed(request.method, path, methods) : new NotFound(`no endpoint at ${request.method} ${path}`, path);
    // A wrong method or path under /oauth2/ is a client's bug, answered in JSON even next to the authorization page.
    if (path.startsWith('/oauth2/') || answersJson(path)) return sendErrorAnswer(reply, errorAnswer(error));
    return sendErrorPage(reply, error);
  });

  app.get('/', async (_request, reply) => sendPage(reply, 200, renderLandingPage({ name: services.config.branding.name })));

  const options = { services, rateLimits };
  await app.register(userinfoRoutes, options);
  await app.register(discoveryRoutes, options);
  await app.register(authorizeRoutes, options);
  await app.register(sessionRoutes, options);
  await app.register(logoutRoutes, options);
  await app.register(accountAppsRoutes, options);
  await app.register(deviceRoutes, options);
  await app.register(registrationRoutes, options);
  return app;
}
