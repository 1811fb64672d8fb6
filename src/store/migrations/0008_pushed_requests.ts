// Issue 13: Pushed Authorization Requests (RFC 9126).
// - pushed_requests: one row per request a client pushed to /oauth2/par. The request_uri's random part is kept only
//   as its SHA-256 hash; the row holds the validated parameters (JSON), lives a minute and is used at most once.
// - clients.require_pushed_authorization_requests: 1 when the client's authorization requests must come through PAR.
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;
const TIME = 'bigint';

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('require_pushed_authorization_requests', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('pushed_requests')
    .addColumn('request_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    // JSON Record<string, string>: the authorization request's parameters as validated at the PAR endpoint.
    .addColumn('params', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .addColumn('used_at', TIME)
    .execute();
  await db.schema.createIndex('pushed_requests_client_id').on('pushed_requests').column('client_id').execute();
  await db.schema.createIndex('pushed_requests_expires_at').on('pushed_requests').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('pushed_requests').execute();
  await db.schema.alterTable('clients').dropColumn('require_pushed_authorization_requests').execute();
}
