// Issue 12: sign-in and consent delegated to the platform (Hydra's login and consent challenges). Subjects the
// platform owns become `users` rows marked external (no password), so grants, tokens and their foreign keys work as
// for Gatehouse's own users; what the platform granted beyond scopes (audience, extra claims, acr/amr) rides on the
// code and the grant; a remembered consent may expire. Columns are added with defaults: no existing row is rewritten.
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  // 1: a subject the platform signed in (login accepted through the admin API); never signs in with a password here.
  await db.schema.alterTable('users').addColumn('external', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // 1: first-party client: consent is never asked (built-in and delegated flows alike).
  await db.schema.alterTable('clients').addColumn('skip_consent', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  // JSON GrantedSession: audience, extra ID-token and access-token claims, acr, amr (null: the defaults).
  await db.schema.alterTable('authorization_codes').addColumn('granted', 'text').execute();
  await db.schema.alterTable('grants').addColumn('granted', 'text').execute();
  await db.schema.alterTable('consents').addColumn('granted', 'text').execute();
  // A remembered consent given with remember_for ends then; null: until withdrawn.
  await db.schema.alterTable('consents').addColumn('expires_at', 'bigint').execute();

  await db.schema
    .createTable('interaction_challenges')
    // SHA-256 hex of the challenge handed to the platform's page; the challenge itself is not stored.
    .addColumn('challenge_hash', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    // Null for a logout that names no client (no id_token_hint, no client_id).
    .addColumn('client_id', 'text', (c) => c.references('clients.client_id').onDelete('cascade'))
    // JSON: the authorization request's parameters, as validated.
    .addColumn('request', 'text', (c) => c.notNull())
    // SHA-256 hex of the browser-binding cookie of the browser that started the request.
    .addColumn('browser_hash', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('skip', 'integer', (c) => c.notNull())
    .addColumn('login_session_id', 'text')
    // JSON: on a consent challenge, what the login step decided (acr, amr, context, auth_time).
    .addColumn('login', 'text')
    // JSON: the platform's answer (accepted with its fields, or rejected with its error).
    .addColumn('outcome', 'text')
    .addColumn('verifier_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('handled_at', 'bigint')
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema.createIndex('interaction_challenges_expires_at').on('interaction_challenges').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('interaction_challenges').execute();
  await db.schema.alterTable('consents').dropColumn('expires_at').execute();
  await db.schema.alterTable('consents').dropColumn('granted').execute();
  await db.schema.alterTable('grants').dropColumn('granted').execute();
  await db.schema.alterTable('authorization_codes').dropColumn('granted').execute();
  await db.schema.alterTable('clients').dropColumn('skip_consent').execute();
  await db.schema.alterTable('users').dropColumn('external').execute();
}
