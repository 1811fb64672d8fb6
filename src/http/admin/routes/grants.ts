// /admin/grants: what apps have been allowed, and revoking it.
import type { FastifyPluginAsync } from 'fastify';
import { listGrants, revokeGrant } from '../../../admin/grants.js';
import { grantRevokedView, grantView } from '../../../admin/views.js';
import type { Services } from '../../../services.js';
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
    const { user, client, all } = request.query;
    const grants = await listGrants(services, { username: user, clientId: client, includeRevoked: all === 'true' });
    return { grants: grants.map(grantView) };
  });

  app.delete<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/:id',
    { schema: { params: idParams('id'), querystring: revokeQuery } },
    async (request) => {
      const { grant } = await revokeGrant(services, request.params.id, request.query.reason ?? ADMIN_REVOKE_REASON);
      return grantRevokedView(grant);
    },
  );
};
