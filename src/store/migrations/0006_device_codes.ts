// Issue 12: the device authorization grant (RFC 8628). One row per device authorization request: the device code
// and the user code are kept only as SHA-256 hashes; the row records the user's decision and the device's polling.
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;
const TIME = 'bigint';

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('device_codes')
    .addColumn('device_code_hash', 'text', (c) => c.primaryKey())
    // Unique: a new user code that collides with a live one is drawn again (domain/device-codes.ts).
    .addColumn('user_code_hash', 'text', (c) => c.notNull().unique())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    // JSON string[]: the scopes asked for, then the scopes the user allowed.
    .addColumn('scopes', 'text', (c) => c.notNull())
    // pending | approved | denied
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('auth_time', TIME)
    .addColumn('poll_interval', 'integer', (c) => c.notNull())
    .addColumn('last_polled_at', TIME)
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .addColumn('decided_at', TIME)
    .addColumn('consumed_at', TIME)
    // No foreign key, as authorization_codes.grant_id: written in the transaction that inserts the grant.
    .addColumn('grant_id', 'text')
    // JSON GrantedSession: what the platform's consent page granted beyond scopes (delegated sign-in); null otherwise.
    .addColumn('granted', 'text')
    .execute();
  await db.schema.createIndex('device_codes_client_id').on('device_codes').column('client_id').execute();
  await db.schema.createIndex('device_codes_user_id').on('device_codes').column('user_id').execute();
  await db.schema.createIndex('device_codes_expires_at').on('device_codes').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('device_codes').execute();
}
