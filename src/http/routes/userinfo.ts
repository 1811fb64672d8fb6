// GET/POST /userinfo: a Bearer-protected resource; errors per RFC 6750 in WWW-Authenticate.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { OAuthError } from '../../oauth/errors.js';
import { bearerToken, handleUserinfo } from '../../oauth/userinfo.js';
import { describeFrameworkError } from '../oauth-errors.js';
import { storageUnavailable } from '../unavailable.js';

function challenge(error: OAuthError): string {
  const description = error.message.replace(/["\\]/g, "'");
  return error.error === 'invalid_request' && error.status === 401
    ? 'Bearer realm="gatehouse"'
    : `Bearer realm="gatehouse", error="${error.error}", error_description="${description}"`;
}

export async function userinfoRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    const oauth = error instanceof OAuthError
      ? error
      : error.statusCode !== undefined && error.statusCode < 500
        ? new OAuthError('invalid_request', describeFrameworkError(error as never), 400)
        : undefined;
    const unavailable = storageUnavailable(error);
    if (unavailable) {
      request.log.error({ err: error }, 'the database is unavailable; answered 503');
      return reply.code(503).header('Retry-After', String(unavailable.retryAfterSeconds)).header('Cache-Control', 'no-store').send(unavailable.toJSON());
    }
    if (!oauth) {
      request.log.error({ err: error }, 'unexpected error at userinfo');
      return reply.code(500).send({ error: 'server_error', error_description: 'the server hit an unexpected error' });
    }
    return reply.code(oauth.status).header('WWW-Authenticate', challenge(oauth)).header('Cache-Control', 'no-store').send(oauth.toJSON());
  });

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const token = bearerToken(request.headers.authorization, body.access_token);
    const claims = await handleUserinfo(services, token);
    return reply.header('Cache-Control', 'no-store').send(claims);
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
}
