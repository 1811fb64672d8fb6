// Runs the migrations, which live in code (a static provider), so a built or bundled server carries its schema.
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { Dialect } from '../dialect.js';
import type { Database } from '../schema.js';
import * as initial from './0001_initial.js';
import * as readinessProbe from './0002_readiness_probe.js';
import * as retriesAndResourceServers from './0003_retries_and_resource_servers.js';
import * as delegatedSignIn from './0004_delegated_sign_in.js';
import * as logout from './0005_logout.js';
import * as deviceCodes from './0006_device_codes.js';
import * as resources from './0007_resources.js';
import * as pushedRequests from './0008_pushed_requests.js';
import * as privateKeyJwt from './0009_private_key_jwt.js';
import * as dynamicRegistration from './0010_dynamic_registration.js';
import * as dpop from './0011_dpop.js';
import * as tokenExchange from './0012_token_exchange.js';
import * as auditEvents from './0013_audit_events.js';

/** Every migration, by name; names sort in the order they apply. Append, never edit or reorder. */
const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_readiness_probe': readinessProbe,
  '0003_retries_and_resource_servers': retriesAndResourceServers,
  '0004_delegated_sign_in': delegatedSignIn,
  '0005_logout': logout,
  '0006_device_codes': deviceCodes,
  '0007_resources': resources,
  '0008_pushed_requests': pushedRequests,
  '0009_private_key_jwt': privateKeyJwt,
  '0010_dynamic_registration': dynamicRegistration,
  '0011_dpop': dpop,
  '0012_token_exchange': tokenExchange,
  '0013_audit_events': auditEvents,
};

/** Every migration's name, in the order they apply. */
export const migrationNames = (): string[] => Object.keys(MIGRATIONS).sort();

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/**
 * Brings the schema to the latest version. Safe when several instances run it at once: the dialect
 * serialises whole runs (see dialect.ts), and a run that finds nothing pending does nothing.
 */
export async function migrateToLatest(db: Kysely<Database>, dialect: Dialect): Promise<void> {
  await dialect.withMigrationLock(db, async () => {
    const migrator = new Migrator({
      db,
      provider,
      // Own names, so Gatehouse can share a database (or schema) with another Kysely application.
      migrationTableName: 'gatehouse_migration',
      migrationLockTableName: 'gatehouse_migration_lock',
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName;
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`database migration${failed ? ` ${failed}` : ''} failed: ${reason}`, { cause: error });
    }
  });
}
