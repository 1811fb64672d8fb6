// Issue 13: private_key_jwt client authentication (RFC 7523 §2.2). A client registers its public keys (clients.jwks,
// a JSON Web Key Set, or clients.jwks_uri where it publishes one); each assertion's jti is remembered until the assertion expires, so it is used once, on every
// instance (client_assertions).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // JSON {"keys": [...]}: the client's public keys; null for clients that authenticate otherwise.
  await db.schema.alterTable('clients').addColumn('jwks', 'text').execute();
  // Or the https URL where the client publishes them (fetched under the outbound rules, cached).
  await db.schema.alterTable('clients').addColumn('jwks_uri', 'text').execute();
  await db.schema
    .createTable('client_assertions')
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_assertions_pkey', ['client_id', 'jti'])
    .execute();
  await db.schema.createIndex('client_assertions_expires_at').on('client_assertions').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('client_assertions').execute();
  await db.schema.alterTable('clients').dropColumn('jwks_uri').execute();
  await db.schema.alterTable('clients').dropColumn('jwks').execute();
}
