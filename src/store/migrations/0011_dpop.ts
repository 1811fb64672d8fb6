// Issue 13: DPoP (RFC 9449). A client may be made to require proof-of-possession (clients.dpop_bound_access_tokens,
// RFC 9449 §5.2); opaque access tokens and public clients' refresh tokens remember the thumbprint of the key they
// are bound to (dpop_jkt; a JWT access token carries it as cnf.jkt), as do codes whose request named a key; and each proof's jti is remembered until the
// proof is too old to be accepted anyway, so a proof is used once, on every instance (dpop_proofs).
import type { Kysely } from 'kysely';

type AnyDb = Kysely<any>;

export async function up(db: AnyDb): Promise<void> {
  await db.schema.alterTable('clients').addColumn('dpop_bound_access_tokens', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('access_tokens').addColumn('dpop_jkt', 'text').execute();
  await db.schema.alterTable('refresh_tokens').addColumn('dpop_jkt', 'text').execute();
  // RFC 9449 §10: the key the authorization request bound its code to (dpop_jkt, or the DPoP proof at PAR).
  await db.schema.alterTable('authorization_codes').addColumn('dpop_jkt', 'text').execute();
  await db.schema
    .createTable('dpop_proofs')
    .addColumn('jkt', 'text', (c) => c.notNull())
    .addColumn('jti', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('dpop_proofs_pkey', ['jkt', 'jti'])
    .execute();
  await db.schema.createIndex('dpop_proofs_expires_at').on('dpop_proofs').column('expires_at').execute();
}

export async function down(db: AnyDb): Promise<void> {
  await db.schema.dropTable('dpop_proofs').execute();
  await db.schema.alterTable('authorization_codes').dropColumn('dpop_jkt').execute();
  await db.schema.alterTable('refresh_tokens').dropColumn('dpop_jkt').execute();
  await db.schema.alterTable('access_tokens').dropColumn('dpop_jkt').execute();
  await db.schema.alterTable('clients').dropColumn('dpop_bound_access_tokens').execute();
}
