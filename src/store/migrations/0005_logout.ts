// Issue 12: OpenID logout (RP-Initiated, Back-Channel and Front-Channel Logout 1.0) for the built-in sessions.
// - clients: where a client may be sent after signing out, and where it wants to be told of a sign-out.
// - sessions.sid: the public session identifier put in ID tokens (`sid`), never the cookie value; null on sessions
//   started before this migration (they simply get no sid). A code and its grant remember the session's sid, so an
//   ID token issued on refresh names it too.
// - session_clients: which clients were issued a code in a session, so ending it can notify them.
// - logout_deliveries: back-channel logout tokens still to be sent (a durable queue, retried with backoff).
// Columns are added with defaults, so existing rows need no rewrite.
import type { Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;

const TIME = 'bigint';

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('post_logout_redirect_uris', 'text', (c) => c.notNull().defaultTo('[]')).execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('backchannel_logout_session_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('clients').addColumn('frontchannel_logout_uri', 'text').execute();
  await db.schema.alterTable('clients').addColumn('frontchannel_logout_session_required', 'integer', (c) => c.notNull().defaultTo(0)).execute();

  await db.schema.alterTable('sessions').addColumn('sid', 'text').execute();
  // Unique (NULLs apart, in both dialects): the parent key session_clients refers to.
  await db.schema.createIndex('sessions_sid').on('sessions').column('sid').unique().execute();
  await db.schema.alterTable('authorization_codes').addColumn('session_id', 'text').execute();
  await db.schema.alterTable('grants').addColumn('session_id', 'text').execute();

  await db.schema
    .createTable('session_clients')
    .addColumn('sid', 'text', (c) => c.notNull().references('sessions.sid').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addPrimaryKeyConstraint('session_clients_pkey', ['sid', 'client_id'])
    .execute();
  await db.schema.createIndex('session_clients_client_id').on('session_clients').column('client_id').execute();

  await db.schema
    .createTable('logout_deliveries')
    .addColumn('sid', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', TIME, (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('logout_deliveries_pkey', ['sid', 'client_id'])
    .execute();
  await db.schema.createIndex('logout_deliveries_next_attempt_at').on('logout_deliveries').column('next_attempt_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('logout_deliveries').execute();
  await db.schema.dropTable('session_clients').execute();
  await db.schema.alterTable('grants').dropColumn('session_id').execute();
  await db.schema.alterTable('authorization_codes').dropColumn('session_id').execute();
  await db.schema.dropIndex('sessions_sid').execute();
  await db.schema.alterTable('sessions').dropColumn('sid').execute();
  for (const column of ['frontchannel_logout_session_required', 'frontchannel_logout_uri', 'backchannel_logout_session_required', 'backchannel_logout_uri', 'post_logout_redirect_uris']) {
    await db.schema.alterTable('clients').dropColumn(column).execute();
  }
}
