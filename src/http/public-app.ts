// The public app (GATEHOUSE_PORT): the OAuth/OIDC endpoints, sign-in, consent and connected apps.
import { validateHeaderValue } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { Services } from '../services.js';
import { loggerOptions } from './logger.js';
import { addSecurityHeaders, clientErrorWithSecurityHeaders, SECURITY_HEADERS } from './security-headers.js';
import { createDirectListener } from './direct/listener.js';
import { createLimitedServer } from './http-limits.js';
import { proxyTrust } from './proxy-trust.js';
import { userinfoRoutes } from './routes/userinfo.js';
import { discoveryRoutes } from './routes/discovery.js';
import { authorizeRoutes } from './routes/authorize.js';
import { sessionRoutes } from './routes/session.js';
import { accountAppsRoutes } from './routes/account-apps.js';
import { renderErrorPage } from './pages/error.js';
import { renderMessagePage } from './pages/message.js';
import { sendPage } from './send-page.js';
import { describeFrameworkError } from './oauth-errors.js';
import { RouteMethods } from './route-methods.js';
import { storageUnavailable } from './unavailable.js';
import { CORS_METHODS, CORS_RESPONSE_HEADERS, allowHeader, preflightHeaders, requestPath } from './cors.js';

export const PUBLIC_BODY_LIMIT = 64 * 1024;

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

export async function buildPublicApp(services: Services, logStream?: NodeJS.WritableStream): Promise<FastifyInstance> {
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
    frameworkErrors: (error, _request, reply) => {
      reply.headers(SECURITY_HEADERS);
      return sendPage(reply, 400, renderErrorPage({ title: 'This request could not be handled', message: describeFrameworkError(error) }));
    },
    // The token, introspection and revocation endpoints are served before Fastify sees the request.
    serverFactory: (fastifyListener) => createLimitedServer(services.config.http, createDirectListener({
      services,
      bodyLimit: PUBLIC_BODY_LIMIT,
      fallback: fastifyListener,
      logger: () => app.log,
    })),
  });
  // Only forms are accepted on the public port: OAuth requests are application/x-www-form-urlencoded.
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  addSecurityHeaders(app);
  const routeMethods = new RouteMethods(app);
  app.addHook('onSend', async (request, reply, payload) => {
    if (CORS_METHODS.has(requestPath(request.url))) reply.headers(CORS_RESPONSE_HEADERS);
    return payload;
  });
  refuseUnsendableLocation(app);

  // Pages answer errors with a page; the OAuth JSON endpoints install their own handler.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return sendPage(reply, error.statusCode, renderErrorPage({ title: 'This request could not be handled', message: describeFrameworkError(error as never) }));
    }
    const unavailable = storageUnavailable(error);
    if (unavailable) {
      request.log.error({ err: error }, 'the database is unavailable; answered 503');
      reply.header('Retry-After', String(unavailable.retryAfterSeconds));
      return sendPage(reply, 503, renderErrorPage({
        title: 'Gatehouse is temporarily unavailable',
        message: 'Gatehouse cannot use its database right now. Please try again in a few seconds.',
      }));
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendPage(reply, 500, renderErrorPage({ title: 'Something went wrong', message: 'The server hit an unexpected error. It has been logged; please try again.' }));
  });
  app.setNotFoundHandler((request, reply) => {
    const path = requestPath(request.url);
    const json = path.startsWith('/oauth2/') || path.startsWith('/.well-known/') || path === '/userinfo';
    const methods = routeMethods.methodsFor(path);
    if (methods) {
      const corsMethods = CORS_METHODS.get(path);
      if (request.method === 'OPTIONS' && corsMethods) return reply.code(204).headers(preflightHeaders(corsMethods)).send();
      reply.header('Allow', allowHeader(path, methods));
      const message = `${request.method} is not allowed on ${path}; use ${[...methods].filter((method) => method !== 'HEAD').sort().join(' or ')}`;
      if (json) return reply.code(405).send({ error: 'invalid_request', error_description: message });
      return sendPage(reply, 405, renderErrorPage({ title: 'Method not allowed', message }));
    }
    if (json) {
      return reply.code(404).send({ error: 'not_found', error_description: `no endpoint at ${request.method} ${path}` });
    }
    return sendPage(reply, 404, renderErrorPage({ title: 'Page not found', message: `There is nothing at ${path}.` }));
  });

  app.get('/', async (_request, reply) => sendPage(reply, 200, renderMessagePage({
    title: 'Gatehouse is running',
    message: `Issuer ${services.config.issuer}. Metadata: /.well-known/openid-configuration. Your connected apps: /account/apps.`,
  })));

  const options = { services };
  await app.register(userinfoRoutes, options);
  await app.register(discoveryRoutes, options);
  await app.register(authorizeRoutes, options);
  await app.register(sessionRoutes, options);
  await app.register(accountAppsRoutes, options);
  return app;
}
