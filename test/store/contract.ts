// The store contract's harness: each suite (token-flows, interactions, administration) runs its tests against
// every backend (SQLite always, PostgreSQL when reachable; see test/helpers/databases.ts), on one new, migrated
// database per backend and suite, emptied before every test (creating a PostgreSQL database per test costs about a
// second). The helpers look at rows themselves, which the interfaces do not show.
import { after, before, beforeEach, describe } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { openStore } from '../../src/store/open.js';
import type { Database } from '../../src/store/schema.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase, testBackends, type TestDatabase } from '../helpers/databases.js';
import { closeRacers, warmRacers, type RaceOutcome } from './race.js';

/** Contenders in the race tests. */
export const RACERS = 10;

/** The Kysely instance under a store, for looking at rows the interface does not show. */
export const raw = (store: Store): Kysely<Database> => (store as SqlStore).db;

export async function count(store: Store, query: string): Promise<number> {
  const result = await sql<{ n: number | string }>`${sql.raw(query)}`.execute(raw(store));
  return Number(result.rows[0]!.n);
}

/** Rows that point at a parent that no longer exists, per reference. All must be zero. */
export async function orphans(store: Store): Promise<Record<string, number>> {
  const checks: Record<string, string> = {
    'sessions.user_id': 'select count(*) as n from sessions where user_id not in (select id from users)',
    'consents.user_id': 'select count(*) as n from consents where user_id not in (select id from users)',
    'consents.client_id': 'select count(*) as n from consents where client_id not in (select client_id from clients)',
    'codes.user_id': 'select count(*) as n from authorization_codes where user_id not in (select id from users)',
    'codes.client_id': 'select count(*) as n from authorization_codes where client_id not in (select client_id from clients)',
    'device_codes.client_id': 'select count(*) as n from device_codes where client_id not in (select client_id from clients)',
    'device_codes.user_id': 'select count(*) as n from device_codes where user_id is not null and user_id not in (select id from users)',
    'grants.user_id': 'select count(*) as n from grants where user_id is not null and user_id not in (select id from users)',
    'grants.client_id': 'select count(*) as n from grants where client_id not in (select client_id from clients)',
    'refresh_tokens.grant_id': 'select count(*) as n from refresh_tokens where grant_id not in (select id from grants)',
    'refresh_tokens.client_id': 'select count(*) as n from refresh_tokens where client_id not in (select client_id from clients)',
    'refresh_tokens.user_id': 'select count(*) as n from refresh_tokens where user_id is not null and user_id not in (select id from users)',
    'access_tokens.grant_id': 'select count(*) as n from access_tokens where grant_id is not null and grant_id not in (select id from grants)',
    'access_tokens.client_id': 'select count(*) as n from access_tokens where client_id not in (select client_id from clients)',
    'access_tokens.user_id': 'select count(*) as n from access_tokens where user_id is not null and user_id not in (select id from users)',
    'session_clients.sid': 'select count(*) as n from session_clients where sid not in (select sid from sessions where sid is not null)',
    'session_clients.client_id': 'select count(*) as n from session_clients where client_id not in (select client_id from clients)',
    'logout_deliveries.client_id': 'select count(*) as n from logout_deliveries where client_id not in (select client_id from clients)',
    'pushed_requests.client_id': 'select count(*) as n from pushed_requests where client_id not in (select client_id from clients)',
  };
  const found: Record<string, number> = {};
  for (const [name, query] of Object.entries(checks)) {
    const n = await count(store, query);
    if (n > 0) found[name] = n;
  }
  return found;
}

/** Deletes every row, children before parents, in one transaction. */
export async function emptyAllTables(store: Store): Promise<void> {
  await raw(store)
    .transaction()
    .execute(async (trx) => {
      for (const table of ['audit_events', 'logout_deliveries', 'session_clients', 'interaction_challenges', 'client_assertions', 'dpop_proofs', 'access_tokens', 'refresh_tokens', 'grants', 'authorization_codes', 'device_codes', 'consents', 'sessions', 'users', 'clients', 'signing_keys', 'initial_access_tokens'] as const) {
        await trx.deleteFrom(table).execute();
      }
    });
}

/** A code as stored (the store reads codes with their user, as a redemption needs them). */
export const codeOf = async (store: Store, codeHash: string) => (await store.getAuthorizationCodeContext(codeHash))?.code;

export const errors = (outcomes: RaceOutcome[]) => outcomes.filter((o): o is { ok: false; error: string } => !o.ok).map((o) => o.error);
export const values = (outcomes: RaceOutcome[]) => outcomes.map((o) => (o.ok ? o.value : undefined));

/** An object that forwards to whatever `current()` is when it is used: the suite's store and database exist only once before() ran. */
function forwarding<T extends object>(current: () => T): T {
  return new Proxy({} as T, {
    get(_target, property) {
      const target = current();
      const value = Reflect.get(target, property, target) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * Declares `suite` once per backend, as `title (backend)`. The suite receives the store and the database, usable
 * inside its tests and hooks; `racers` SQLite contender threads are started early, as they take seconds to start.
 */
export async function storeContract(
  title: string,
  suite: (store: Store, db: TestDatabase, backend: Awaited<ReturnType<typeof testBackends>>[number]) => void,
  options: { racers?: number } = {},
): Promise<void> {
  for (const backend of await testBackends()) {
    describe(`${title} (${backend})`, () => {
      let db: TestDatabase | undefined;
      let store: Store | undefined;

      before(async () => {
        if (backend === 'sqlite' && options.racers) warmRacers(options.racers);
        db = await createTestDatabase(backend);
        store = await openStore(db.url);
        await store.migrate();
      });

      after(async () => {
        if (options.racers) await closeRacers();
        await store?.close();
        await db?.drop();
      });

      const current = forwarding(() => store!);
      beforeEach(() => emptyAllTables(current));
      suite(current, forwarding(() => db!), backend);
    });
  }
}
