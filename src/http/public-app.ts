// The public app (GATEHOUSE_PORT): the OAuth/OIDC endpoints, sign-in, consent and connected apps.
import { createServer, validateHeaderValue, type Server } from 'node:http';
import Fastify, { type FastifyInstance } from 'fastify';
import formbody from '@fastify/formbody';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { Services } from '../services.js';
import { loggerOptions } from './logger.js';
import { addSecurityHeaders, clientErrorWithSecurityHeaders, SECURITY_HEADERS } from './security-headers.js';
import { createDirectListener } from './direct/listener.js';
import { userinfoRoutes } from './routes/userinfo.js';
import { discoveryRoutes } from './routes/discovery.js';
import { authorizeRoutes } from './routes/authorize.js';
import { sessionRoutes } from './routes/session.js';
import { accountAppsRoutes } from './routes/account-apps.js';
import { renderErrorPage } from './pages/error.js';
import { renderMessagePage } from './pages/message.js';
import { sendPage } from './send-page.js';
import { describeFrameworkError } from './oauth-errors.js';

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
    // Fastify takes a hop count too (proxy-addr), though its types omit it.
    trustProxy: services.config.trustProxy as boolean | string,
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
    serverFactory: (fastifyListener) => {
      const server: Server = createServer(createDirectListener({
        services,
        bodyLimit: PUBLIC_BODY_LIMIT,
        fallback: fastifyListener,
        logger: () => app.log,
      }));
      // Fastify's default for a server it makes itself; long enough for clients that reuse connections.
      server.keepAliveTimeout = 72_000;
      return server;
    },
  });
  // Only forms are accepted on the public port: OAuth requests are application/x-www-form-urlencoded.
  app.removeAllContentTypeParsers();
  await app.register(formbody);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });
  addSecurityHeaders(app);
  refuseUnsendableLocation(app);

  // Pages answer errors with a page; the OAuth JSON endpoints install their own handler.
  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error.statusCode !== undefined && error.statusCode < 500) {
      return sendPage(reply, error.statusCode, renderErrorPage({ title: 'This request could not be handled', message: describeFrameworkError(error as never) }));
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendPage(reply, 500, renderErrorPage({ title: 'Something went wrong', message: 'The server hit an unexpected error. It has been logged; please try again.' }));
  });
  app.setNotFoundHandler((request, reply) => {
    if (request.url.startsWith('/oauth2/') || request.url.startsWith('/.well-known/')) {
      return reply.code(404).send({ error: 'not_found', error_description: `no endpoint at ${request.method} ${request.url.split('?')[0]}` });
    }
    return sendPage(reply, 404, renderErrorPage({ title: 'Page not found', message: `There is nothing at ${request.url.split('?')[0]}.` }));
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
