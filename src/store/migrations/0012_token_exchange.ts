// Issue 13: token exchange (RFC 8693). An opaque access token made by an exchange keeps its `act` claim (who acts for
// the user, nesting earlier actors) on its row, so introspection can show the chain; a JWT carries it itself. Each
// client lists the resources it may exchange tokens for (clients.token_exchange_resources; none by default).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // JSON {"sub": …, "act": {…}}; null for tokens not made by an exchange.
  await db.schema.alterTable('access_tokens').addColumn('act', 'text').execute();
  // JSON string[]; a default, so existing rows need no rewrite.
  await db.schema.alterTable('clients').addColumn('token_exchange_resources', 'text', (c) => c.notNull().defaultTo('[]')).execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').dropColumn('token_exchange_resources').execute();
  await db.schema.alterTable('access_tokens').dropColumn('act').execute();
}
