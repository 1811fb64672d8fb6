// When GATEHOUSE_ADMIN_TOKEN is set, every admin route but the probes (/healthz, /readyz) needs `Authorization: Bearer <token>`.
// Both sides are hashed before a constant-time comparison, so neither the token nor its length leaks by timing.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { AdminError } from './errors.js';
import { PROBE_PATHS } from './guards.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function requireAdminToken(app: FastifyInstance, adminToken: string | undefined): void {
  if (!adminToken) return;
  const expected = digest(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    if (PROBE_PATHS.has(request.url.split('?')[0] ?? '')) return;
    const match = /^Bearer +(\S+) *$/i.exec(request.headers.authorization ?? '');
    if (!match) {
      reply.header('WWW-Authenticate', 'Bearer realm="gatehouse-admin"');
      throw new AdminError(401, 'unauthorized', 'the admin API needs an "Authorization: Bearer <GATEHOUSE_ADMIN_TOKEN>" header');
    }
    if (!timingSafeEqual(digest(match[1]!), expected)) {
      reply.header('WWW-Authenticate', 'Bearer realm="gatehouse-admin", error="invalid_token"');
      throw new AdminError(401, 'invalid_token', 'the admin token is not valid');
    }
  });
}
