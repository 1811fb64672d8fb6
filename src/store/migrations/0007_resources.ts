// Issue 13: registered resources (RFC 8707 resource indicators). One row per resource a client may name in
// `resource`: its absolute URI, a display name for the consent page, and the scopes it accepts (empty: any).
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('resources')
    .addColumn('uri', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text')
    // JSON string[]: the scopes this resource accepts; [] accepts any.
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('resources').execute();
}
