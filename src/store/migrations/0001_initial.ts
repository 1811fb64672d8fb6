// The first schema. Written once and never edited: later changes are new migrations.
// Portable as written: `bigint` is a 64-bit integer in PostgreSQL and an INTEGER-affinity column in SQLite,
// partial indexes and ON DELETE CASCADE exist in both. Foreign keys cascade so that deleting a client or a
// user removes everything issued to them without orphans (SQLite enforces them with PRAGMA foreign_keys=ON).
import { sql, type Kysely } from 'kysely';

// Migrations must not follow the current schema type, which will move on; hence Kysely<any>.
type AnyDb = Kysely<any>;

const TIME = 'bigint';

export async function up(db: AnyDb): Promise<void> {
  await db.schema
    .createTable('clients')
    .addColumn('client_id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('secret_hash', 'text')
    .addColumn('redirect_uris', 'text', (c) => c.notNull())
    .addColumn('grant_types', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('token_endpoint_auth_method', 'text')
    .addColumn('access_token_ttl', 'integer', (c) => c.notNull())
    .addColumn('refresh_token_ttl', 'integer', (c) => c.notNull())
    .addColumn('refresh_token_grace', 'integer', (c) => c.notNull())
    .addColumn('access_token_format', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('updated_at', TIME, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('users')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('username', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('created_at', TIME, (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('auth_time', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute();
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute();

  await db.schema
    .createTable('consents')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('updated_at', TIME, (c) => c.notNull())
    .addPrimaryKeyConstraint('consents_pkey', ['user_id', 'client_id'])
    .execute();
  await db.schema.createIndex('consents_client_id').on('consents').column('client_id').execute();

  await db.schema
    .createTable('authorization_codes')
    .addColumn('code_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('redirect_uri', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text')
    .addColumn('code_challenge', 'text')
    .addColumn('code_challenge_method', 'text')
    .addColumn('auth_time', TIME, (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .addColumn('consumed_at', TIME)
    // No foreign key: redemption records the grant id before it inserts the grant (see schema.ts).
    .addColumn('grant_id', 'text')
    .execute();
  await db.schema.createIndex('authorization_codes_client_id').on('authorization_codes').column('client_id').execute();
  await db.schema.createIndex('authorization_codes_user_id').on('authorization_codes').column('user_id').execute();
  await db.schema.createIndex('authorization_codes_expires_at').on('authorization_codes').column('expires_at').execute();

  await db.schema
    .createTable('grants')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('auth_time', TIME)
    .addColumn('nonce', 'text')
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('last_used_at', TIME, (c) => c.notNull())
    .addColumn('revoked_at', TIME)
    .addColumn('revoked_reason', 'text')
    .execute();
  // (user_id, client_id) serves "a user's apps" and "this user's grants for this client".
  await db.schema.createIndex('grants_user_id_client_id').on('grants').columns(['user_id', 'client_id']).execute();
  await db.schema.createIndex('grants_client_id').on('grants').column('client_id').execute();

  await db.schema
    .createTable('refresh_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.notNull().references('grants.id').onDelete('cascade'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .addColumn('rotated_at', TIME)
    .addColumn('replaced_by', 'text')
    .addColumn('successor_sealed', 'text')
    .addColumn('revoked_at', TIME)
    .execute();
  await db.schema.createIndex('refresh_tokens_grant_id').on('refresh_tokens').column('grant_id').execute();
  await db.schema.createIndex('refresh_tokens_expires_at').on('refresh_tokens').column('expires_at').execute();

  await db.schema
    .createTable('access_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('grant_id', 'text', (c) => c.references('grants.id').onDelete('cascade'))
    // grant_id may be null, so the token also follows its client and user directly.
    .addColumn('client_id', 'text', (c) => c.notNull().references('clients.client_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('expires_at', TIME, (c) => c.notNull())
    .addColumn('revoked_at', TIME)
    .execute();
  await db.schema.createIndex('access_tokens_grant_id').on('access_tokens').column('grant_id').execute();
  await db.schema.createIndex('access_tokens_client_id').on('access_tokens').column('client_id').execute();
  await db.schema.createIndex('access_tokens_user_id').on('access_tokens').column('user_id').execute();
  await db.schema.createIndex('access_tokens_expires_at').on('access_tokens').column('expires_at').execute();

  await db.schema
    .createTable('signing_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('alg', 'text', (c) => c.notNull())
    .addColumn('public_jwk', 'text', (c) => c.notNull())
    .addColumn('private_jwk_sealed', 'text', (c) => c.notNull())
    .addColumn('created_at', TIME, (c) => c.notNull())
    .addColumn('retired_at', TIME)
    .addColumn('expires_at', TIME)
    .execute();
  // At most one active key per algorithm, whatever races happen: the database refuses a second one.
  await db.schema
    .createIndex('signing_keys_one_active_per_alg')
    .unique()
    .on('signing_keys')
    .column('alg')
    .where(sql.ref('retired_at'), 'is', null)
    .execute();
}

export async function down(db: AnyDb): Promise<void> {
  for (const table of [
    'signing_keys',
    'access_tokens',
    'refresh_tokens',
    'grants',
    'authorization_codes',
    'consents',
    'sessions',
    'users',
    'clients',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
