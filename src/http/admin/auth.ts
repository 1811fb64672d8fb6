// When GATEHOUSE_ADMIN_TOKEN is set, every admin route but the probes (/healthz, /readyz) needs `Authorization: Bearer <token>`.
// Both sides are hashed before a constant-time comparison, so neither the token nor its length leaks by timing.
// One exception: login/consent apps written for Hydra send no credentials (Hydra leaves the admin API to the network),
// so the Hydra-compatible routes accept requests from GATEHOUSE_LOGIN_APP_ADDRESSES without the token, and nothing else does.
import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIPv6 } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AdminError } from './errors.js';
import { PROBE_PATHS } from './guards.js';
import type { Actor } from '../../domain/audit.js';

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

/** Which requests may skip the admin token: the login app's addresses, on the Hydra-compatible routes only. */
export type TokenExemption = (request: FastifyRequest) => boolean;

export function loginAppExemption(addresses: readonly string[]): TokenExemption {
  if (addresses.length === 0) return () => false;
  const allowed = new BlockList();
  for (const entry of addresses) {
    const [address = '', bits] = entry.split('/');
    const family = isIPv6(address) ? 'ipv6' : 'ipv4';
    if (bits === undefined) allowed.addAddress(address, family);
    else allowed.addSubnet(address, Number(bits), family);
  }
  return (request) => {
    // The route the router matched, not the raw URL: no spelling of a path can reach another route this way.
    if (!(request.routeOptions.url ?? '').startsWith('/admin/oauth2/auth/')) return false;
    const ip = request.socket.remoteAddress ?? '';
    // An IPv4 client on a dual-stack socket shows as ::ffff:a.b.c.d.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
    return mapped ? allowed.check(mapped[1]!, 'ipv4') : allowed.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4');
  };
}

export function requireAdminToken(app: FastifyInstance, adminToken: string | undefined, exempt: TokenExemption = () => false): void {
  if (!adminToken) return;
  const expected = digest(adminToken);
  app.addHook('onRequest', async (request, reply) => {
    if (PROBE_PATHS.has(request.url.split('?')[0] ?? '')) return;
    if (exempt(request)) return;
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

/**
 * Who an admin request acts as, for the audit trail. The admin API has one shared token and no user accounts: its
 * identity is "admin-token" when GATEHOUSE_ADMIN_TOKEN is set, "admin-network" when the network alone guards the port;
 * a login app exempted from the token is "login_app". The address is the connecting socket's.
 */
export function adminActor(request: FastifyRequest, tokenRequired: boolean, exempt: TokenExemption): Actor {
  const address = request.socket.remoteAddress ?? null;
  if (tokenRequired && exempt(request)) return { type: 'login_app', id: null, address };
  return { type: 'admin', id: tokenRequired ? 'admin-token' : 'admin-network', address };
}
