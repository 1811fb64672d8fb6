// POST /oauth2/token, /oauth2/introspect, /oauth2/revoke: parse HTTP, hand the form to the protocol module, answer JSON.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { handleIntrospection } from '../../oauth/introspect.js';
import { handleRevocation } from '../../oauth/revoke.js';
import { handleTokenRequest } from '../../oauth/token.js';
import type { RawParams } from '../../oauth/params.js';
import { InvalidRequest } from '../../oauth/errors.js';
import { oauthErrorHandler } from '../oauth-errors.js';

function form(request: FastifyRequest): RawParams {
  const body = request.body;
  if (body === undefined || body === null) throw new InvalidRequest('the request needs an application/x-www-form-urlencoded body');
  return body as RawParams;
}

function queryMustBeEmpty(request: FastifyRequest): void {
  // Credentials in a URL end up in logs and histories; RFC 6749 §3.2 says parameters go in the body.
  if (request.url.includes('?')) throw new InvalidRequest('send parameters in the form body, not in the URL query');
}

export async function tokenEndpointRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.setErrorHandler(oauthErrorHandler);

  app.post('/oauth2/token', async (request, reply) => {
    queryMustBeEmpty(request);
    const response = await handleTokenRequest(services, request.headers.authorization, form(request));
    return reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache').send(response);
  });

  app.post('/oauth2/introspect', async (request, reply) => {
    queryMustBeEmpty(request);
    const response = await handleIntrospection(services, request.headers.authorization, form(request));
    return reply.header('Cache-Control', 'no-store').send(response);
  });

  app.post('/oauth2/revoke', async (request, reply) => {
    queryMustBeEmpty(request);
    await handleRevocation(services, request.headers.authorization, form(request));
    return reply.header('Cache-Control', 'no-store').code(200).send();
  });
}
