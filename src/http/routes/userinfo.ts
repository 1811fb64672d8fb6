// GET/POST /userinfo: a Bearer-protected resource; its errors carry RFC 6750 challenges (../error-response.ts).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Services } from '../../services.js';
import { handleUserinfo, presentedAccessToken } from '../../oauth/userinfo.js';

export async function userinfoRoutes(app: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const presented = presentedAccessToken(request.headers.authorization, body.access_token);
    const claims = await handleUserinfo(services, { presented, dpop: request.headers.dpop, method: request.method });
    return reply.header('Cache-Control', 'no-store').send(claims);
  };
  app.get('/userinfo', handler);
  app.post('/userinfo', handler);
}
