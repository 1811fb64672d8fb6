// /admin/audit-events: the audit trail, newest first, with the filters of `gatehouse audit list`.
import type { FastifyPluginAsync } from 'fastify';
import { auditEventView, listAuditEvents, MAX_AUDIT_LIMIT } from '../../../admin/audit.js';
import { AUDIT_EVENTS, type AuditEventName } from '../../../domain/audit.js';
import type { Services } from '../../../services.js';
import { parseDuration } from '../../../util/duration.js';
import { AdminError } from '../errors.js';
import { NO_CONTROL_CHARACTERS } from './schemas.js';

interface AuditQueryString {
  event?: AuditEventName;
  client?: string;
  user?: string;
  since?: string;
  limit?: string;
}

const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    event: { type: 'string', enum: Object.keys(AUDIT_EVENTS) },
    client: { type: 'string', minLength: 1, maxLength: 200, pattern: NO_CONTROL_CHARACTERS },
    user: { type: 'string', minLength: 1, maxLength: 200, pattern: NO_CONTROL_CHARACTERS },
    since: { type: 'string', pattern: '^[0-9]{1,9}[smhd]?$' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
  },
} as const;

export const auditRoutes: FastifyPluginAsync<{ services: Services }> = async (app, { services }) => {
  app.get<{ Querystring: AuditQueryString }>('/', { schema: { querystring: listQuery } }, async (request) => {
    const { event, client, user, since, limit } = request.query;
    const count = limit === undefined ? undefined : Number(limit);
    if (count !== undefined && (count < 1 || count > MAX_AUDIT_LIMIT)) {
      throw new AdminError(400, 'invalid_request', `limit must be a whole number from 1 to ${MAX_AUDIT_LIMIT}, got "${limit}"`);
    }
    const events = await listAuditEvents(services, { event, clientId: client, user, sinceSeconds: since === undefined ? undefined : parseDuration(since), limit: count });
    return { events: events.map(auditEventView) };
  });
};
