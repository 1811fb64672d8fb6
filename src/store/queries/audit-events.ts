// The audit trail (AuditStore, audit.ts), shared by both backends.
import type { Kysely } from 'kysely';
import type { AuditEventsTable, Database } from '../schema.js';
import type { AuditEventFilter, AuditEventRecord } from '../types.js';

type Db = Kysely<Database>;

/** Rows per INSERT: well under both drivers' bound-parameter limits (11 columns each). */
const ROWS_PER_INSERT = 500;

function row(event: AuditEventRecord): AuditEventsTable {
  return {
    id: event.id,
    at: event.at,
    event: event.event,
    actor_type: event.actorType,
    actor_id: event.actorId,
    subject: event.subject,
    client_id: event.clientId,
    grant_type: event.grantType,
    address: event.address,
    outcome: event.outcome,
    detail: JSON.stringify(event.detail),
  };
}

function record(row: AuditEventsTable): AuditEventRecord {
  return {
    id: row.id,
    at: Number(row.at),
    event: row.event,
    actorType: row.actor_type,
    actorId: row.actor_id,
    subject: row.subject,
    clientId: row.client_id,
    grantType: row.grant_type,
    address: row.address,
    outcome: row.outcome,
    detail: JSON.parse(row.detail) as AuditEventRecord['detail'],
  };
}

export async function recordAuditEvents(db: Db, events: readonly AuditEventRecord[]): Promise<void> {
  for (let start = 0; start < events.length; start += ROWS_PER_INSERT) {
    await db.insertInto('audit_events').values(events.slice(start, start + ROWS_PER_INSERT).map(row)).execute();
  }
}

export async function listAuditEvents(db: Db, filter: AuditEventFilter): Promise<AuditEventRecord[]> {
  let query = db.selectFrom('audit_events').selectAll();
  if (filter.event !== undefined) query = query.where('event', '=', filter.event);
  if (filter.clientId !== undefined) query = query.where('client_id', '=', filter.clientId);
  if (filter.user !== undefined) {
    const user = filter.user;
    query = query.where((eb) => eb.or([eb('subject', '=', user), eb('actor_id', '=', user)]));
  }
  if (filter.since !== undefined) query = query.where('at', '>=', filter.since);
  const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(filter.limit).execute();
  return rows.map(record);
}

/** One batch of events older than `before`. */
export async function deleteAuditEventsBefore(db: Db, before: number, batchSize: number): Promise<{ numDeletedRows: bigint }> {
  return db
    .deleteFrom('audit_events')
    .where('id', 'in', db.selectFrom('audit_events').select('id').where('at', '<', before).limit(batchSize))
    .executeTakeFirstOrThrow();
}
