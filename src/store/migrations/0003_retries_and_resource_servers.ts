// Issue 10: a refresh rotation may be answered again once, when its answer was lost (refresh_tokens.retried_at);
// introspection is open only to a token's own client and to the resource servers of its audience
// (clients.resource_server_for). Columns are added with defaults, so existing rows need no rewrite.
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // When a retry of this token's rotation was answered (its unused successor replaced); a rotation is retried once.
  await db.schema.alterTable('refresh_tokens').addColumn('retried_at', 'bigint').execute();
  // JSON string[]: the audiences whose access tokens this client may introspect (it is their resource server).
  await db.schema.alterTable('clients').addColumn('resource_server_for', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('resource_server_for').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('retried_at').execute();
}
