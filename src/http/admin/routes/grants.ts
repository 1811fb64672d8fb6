// /admin/grants: what apps have been allowed, and revoking it.
import type { FastifyPluginAsync } from 'fastify';
import type { Services } from '../../../services.js';
import { notFound } from '../errors.js';
import { grantView, isoTime } from '../views.js';
import { idParams, NO_CONTROL_CHARACTERS } from './schemas.js';

const ADMIN_REVOKE_REASON = 'revoked by an administrator (admin API)';

interface GrantQuery {
  user?: string;
  client?: string;
  all?: 'true' | 'false';
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    user: { type: 'string', minLength: 1, maxLength: 64, pattern: NO_CONTROL_CHARACTERS },
    client: { type: 'string', minLength: 1, maxLength: 200, pattern: NO_CONTROL_CHARACTERS },
    all: { type: 'string', enum: ['true', 'false'] },
  },
} as const;

const revokeQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { reason: { type: 'string', minLength: 1, maxLength: 500, pattern: NO_CONTROL_CHARACTERS } },
} as const;

export const grantRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Querystring: GrantQuery }>('/', { schema: { querystring: listQuery } }, async (request) => {
    const { user: username, client: clientId, all } = request.query;
    const filter: { userId?: string; clientId?: string; includeRevoked?: boolean } = { includeRevoked: all === 'true' };
    if (username !== undefined) {
      const user = await services.store.getUserByUsername(username);
      if (!user) throw notFound(`no user named "${username}"`);
      filter.userId = user.id;
    }
    if (clientId !== undefined) {
      if (!(await services.store.getClient(clientId))) throw notFound(`no client with id "${clientId}"`);
      filter.clientId = clientId;
    }
    return { grants: (await services.store.listGrants(filter)).map(grantView) };
  });

  app.delete<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/:id',
    { schema: { params: idParams('id'), querystring: revokeQuery } },
    async (request) => {
      const { id } = request.params;
      const grant = await services.store.getGrant(id);
      if (!grant) throw notFound(`no grant with id "${id}"`);
      if (grant.revokedAt === null) await services.store.revokeGrant(id, services.now(), request.query.reason ?? ADMIN_REVOKE_REASON);
      const after = (await services.store.getGrant(id)) ?? grant;
      return { id, revoked: true, revoked_at: isoTime(after.revokedAt), revoked_reason: after.revokedReason };
    },
  );
};
