// Reading the audit trail: one function, called by `gatehouse audit list` and GET /admin/audit-events alike.
import type { AuditEventName, AuditTrail } from '../domain/audit.js';
import type { AuditEventRecord } from '../store/types.js';

export const DEFAULT_AUDIT_LIMIT = 100;
export const MAX_AUDIT_LIMIT = 1000;

export interface AuditAdmin {
  audit: Pick<AuditTrail, 'list'>;
  /** The current time in whole epoch seconds. */
  now(): number;
}

/** Each edge has validated these already (the event is one of AUDIT_EVENTS, the limit within 1..MAX_AUDIT_LIMIT). */
export interface AuditQuery {
  event?: AuditEventName;
  clientId?: string;
  /** A username or user id: events about them or by them. */
  user?: string;
  /** Only the last this many seconds. */
  sinceSeconds?: number;
  limit?: number;
}

/** Newest first. */
export async function listAuditEvents(admin: AuditAdmin, query: AuditQuery): Promise<AuditEventRecord[]> {
  return admin.audit.list({
    event: query.event,
    clientId: query.clientId,
    user: query.user,
    since: query.sinceSeconds === undefined ? undefined : admin.now() - query.sinceSeconds,
    limit: query.limit ?? DEFAULT_AUDIT_LIMIT,
  });
}

/** An event as the admin API and `--json` show it: the log line's field names. */
export interface AuditEventView {
  id: string;
  /** Epoch seconds. */
  at: number;
  event: string;
  actor: { type: string; id: string | null };
  subject: string | null;
  client_id: string | null;
  grant_type: string | null;
  address: string | null;
  outcome: string | null;
  detail: AuditEventRecord['detail'];
}

export function auditEventView(event: AuditEventRecord): AuditEventView {
  return {
    id: event.id,
    at: event.at,
    event: event.event,
    actor: { type: event.actorType, id: event.actorId },
    subject: event.subject,
    client_id: event.clientId,
    grant_type: event.grantType,
    address: event.address,
    outcome: event.outcome,
    detail: event.detail,
  };
}
