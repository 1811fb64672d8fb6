// Issue 14: the audit trail of security events (domain/audit.ts names them).
// - audit_events: one row per event, never updated; housekeeping deletes rows older than GATEHOUSE_AUDIT_RETENTION.
//   No secret is ever stored here: only names, ids, addresses and outcomes.
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;
const TIME = 'bigint';

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('audit_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', TIME, (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('subject', 'text')
    .addColumn('client_id', 'text')
    .addColumn('grant_type', 'text')
    .addColumn('address', 'text')
    .addColumn('outcome', 'text')
    // JSON object of further fields (reason, scopes, kids…); never a secret.
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  // Listing is newest first, filtered by time; retention deletes by time.
  await db.schema.createIndex('audit_events_at').on('audit_events').columns(['at', 'id']).execute();
  await db.schema.createIndex('audit_events_event_at').on('audit_events').columns(['event', 'at']).execute();
  await db.schema.createIndex('audit_events_client_at').on('audit_events').columns(['client_id', 'at']).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('audit_events').execute();
}
