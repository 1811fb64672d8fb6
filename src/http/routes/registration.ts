// /oauth2/register (RFC 7591) and /oauth2/register/{client_id} (RFC 7592): JSON in, JSON out. The rules are in
// src/oauth/registration.ts and src/domain/registration.ts; here only the body, the rate limit, CORS and the answer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { handleClientConfiguration, handleRegistration, REGISTRATION_BODY_LIMIT, REGISTRATION_PATH } from '../../oauth/registration.js';
import { CORS_RESPONSE_HEADERS, preflightHeaders } from '../cors.js';
import { errorAnswer, sendErrorAnswer, toOAuthError } from '../error-response.js';
import { JSON_HEADERS } from '../security-headers.js';
import type { RateLimits } from '../rate-limits/index.js';

const CONFIGURATION_METHODS = ['GET', 'PUT', 'DELETE'] as const;

export async function registrationRoutes(app: FastifyInstance, { services, rateLimits }: { services: Services; rateLimits: RateLimits }): Promise<void> {
  // This plugin's own parser: the body is read as text (within the limit) and parsed by the protocol module, which
  // refuses any media type but application/json with a message saying so.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: REGISTRATION_BODY_LIMIT }, (_request, body, done) => done(null, body));

  /** Every answer may be read by any origin: browser-based MCP clients (MCP Inspector) register themselves. */
  function answer(reply: FastifyReply, status: number, body: Record<string, unknown> | undefined): FastifyReply {
    reply.code(status).headers({ ...JSON_HEADERS, ...CORS_RESPONSE_HEADERS });
    if (body === undefined) {
      reply.removeHeader('content-type');
      return reply.send();
    }
    return reply.send(JSON.stringify(body));
  }

  function fail(request: FastifyRequest, reply: FastifyReply, error: unknown): FastifyReply {
    const oauthError = toOAuthError(error, request.log);
    // RFC 6750 §3: a missing or wrong access token is answered with a Bearer challenge.
    return sendErrorAnswer(reply, errorAnswer(oauthError, { cors: true, bearer: oauthError.status === 401 }));
  }

  const text = (request: FastifyRequest): string => (typeof request.body === 'string' ? request.body : '');

  app.post(REGISTRATION_PATH, { bodyLimit: REGISTRATION_BODY_LIMIT }, async (request, reply) => {
    try {
      if (services.config.registration.mode !== 'off') rateLimits.registrations.take(request.ip);
      const body = await handleRegistration(services, request.headers.authorization, request.headers['content-type'], text(request));
      return answer(reply, 201, body);
    } catch (error) {
      return fail(request, reply, error);
    }
  });

  const configurationPath = `${REGISTRATION_PATH}/:clientId`;
  for (const method of CONFIGURATION_METHODS) {
    app.route({
      method,
      url: configurationPath,
      bodyLimit: REGISTRATION_BODY_LIMIT,
      handler: async (request: FastifyRequest<{ Params: { clientId: string } }>, reply) => {
        try {
          const body = await handleClientConfiguration(services, method, request.params.clientId, request.headers.authorization, request.headers['content-type'], text(request));
          return answer(reply, body === undefined ? 204 : 200, body);
        } catch (error) {
          return fail(request, reply, error);
        }
      },
    });
  }
  // The configuration endpoint's path has a parameter, so its preflight is answered here, not by cors.ts's list.
  app.options(configurationPath, async (_request, reply) => reply.code(204).headers(preflightHeaders(CONFIGURATION_METHODS)).send());
}
