// Issue 13: dynamic client registration (RFC 7591, RFC 7592) and the clients' display fields.
// - clients.logo_uri, client_uri, policy_uri, tos_uri: what the client says about itself (RFC 7591 §2), for pages.
// - clients.registration_token_hash: SHA-256 of the registration access token (RFC 7592) of a client registered at
//   /oauth2/register; null for clients made by the CLI or admin API. application_type: web or native (OIDC DCR).
// - clients.unused_until: a dynamically registered client that has obtained no token by then is deleted by
//   housekeeping; null once it has (or for clients that are not dynamic).
// - initial_access_tokens: what `gatehouse registration-tokens create` makes (RFC 7591 §3: the initial access token
//   of GATEHOUSE_REGISTRATION=token), kept as a SHA-256 hash, expiring, with an optional number of uses.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  for (const column of ['logo_uri', 'client_uri', 'policy_uri', 'tos_uri', 'registration_token_hash', 'application_type']) {
    await db.schema.alterTable('clients').addColumn(column, 'text').execute();
  }
  await db.schema.alterTable('clients').addColumn('unused_until', 'bigint').execute();
  await db.schema.createIndex('clients_unused_until').on('clients').column('unused_until').execute();
  await db.schema
    .createTable('initial_access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    // null: any number of registrations until it expires.
    .addColumn('max_uses', 'integer')
    .addColumn('uses', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.createIndex('initial_access_tokens_expires_at').on('initial_access_tokens').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('initial_access_tokens').execute();
  await db.schema.dropIndex('clients_unused_until').execute();
  for (const column of ['unused_until', 'application_type', 'registration_token_hash', 'tos_uri', 'policy_uri', 'client_uri', 'logo_uri']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
