// SQLite's hot path (src/store/sqlite): writes issued in one event-loop turn share a transaction, each in its own
// savepoint, and neither reads nor writes ever run inside a Kysely transaction that is still open.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { DuplicateError } from '../../src/store/errors.js';
import { openStore } from '../../src/store/open.js';
import type { Database } from '../../src/store/schema.js';
import type { SqlStore } from '../../src/store/sql-store.js';
import type { Store } from '../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { accessToken, code, grant, NOW, seedGrant, seedParties, tokensFor } from './fixtures.js';

let database: TestDatabase;
let store: Store;
const kysely = (): Kysely<Database> => (store as SqlStore).db;

before(async () => {
  database = await createTestDatabase('sqlite');
  store = await openStore(database.url);
  await store.migrate();
});
after(async () => {
  await store.close();
  await database.drop();
});

test('writes in one turn: each gets its own result, and a failed one leaves no trace while the others commit', async () => {
  const { client, user } = await seedParties(store);
  const first = code(client.clientId, user.id);
  await store.saveAuthorizationCode(first);
  const winnerGrant = grant(client.clientId, user.id);
  const loserGrant = grant(client.clientId, user.id);
  const loserTokens = tokensFor(loserGrant);
  const clientToken = accessToken(null, { clientId: client.clientId });
  const duplicate = accessToken(null, { clientId: client.clientId, id: clientToken.id });
  const wrongClient = accessToken(null, { clientId: 'no-such-client' });

  // Started in the same turn: one transaction.
  const outcomes = await Promise.allSettled([
    store.redeemAuthorizationCode(first.codeHash, NOW + 1, winnerGrant, tokensFor(winnerGrant)),
    store.redeemAuthorizationCode(first.codeHash, NOW + 1, loserGrant, loserTokens),
    store.issueClientToken(clientToken),
    store.issueClientToken(duplicate),
    store.issueClientToken(wrongClient),
    store.rotateRefreshToken('no-such-token', NOW + 1, { ...tokensFor(winnerGrant), refreshToken: tokensFor(winnerGrant).refreshToken! }, null),
  ]);
  assert.deepEqual(outcomes[0], { status: 'fulfilled', value: { ok: true } });
  assert.deepEqual(outcomes[1], { status: 'fulfilled', value: { ok: false, reason: 'already_consumed', grantId: winnerGrant.id } });
  assert.equal(outcomes[2]!.status, 'fulfilled');
  assert.ok(outcomes[3]!.status === 'rejected' && outcomes[3].reason instanceof DuplicateError, 'the duplicate id is a DuplicateError');
  assert.equal(outcomes[4]!.status, 'rejected', 'a token for a client that does not exist is refused (foreign key)');
  assert.deepEqual(outcomes[5], { status: 'fulfilled', value: { ok: false, reason: 'revoked' } });

  assert.ok(await store.getGrant(winnerGrant.id));
  assert.equal(await store.getGrant(loserGrant.id), undefined, "the loser's grant was never written");
  assert.equal(await store.getAccessToken(loserTokens.accessToken.id), undefined);
  assert.ok(await store.getAccessToken(clientToken.id), 'the client token committed beside the failures');
  assert.equal(await store.getAccessToken(wrongClient.id), undefined);
});

test('a rotation that loses after touching the grant undoes its own writes only', async () => {
  const seeded = await seedGrant(store);
  const next = () => ({ ...tokensFor(seeded.grant), refreshToken: tokensFor(seeded.grant).refreshToken! });
  const a = next();
  const b = next();
  const [won, lost] = await Promise.all([
    store.rotateRefreshToken(seeded.refreshToken.tokenHash, NOW + 50, a, null),
    store.rotateRefreshToken(seeded.refreshToken.tokenHash, NOW + 60, b, null),
  ]);
  assert.deepEqual(won, { ok: true });
  assert.deepEqual(lost, { ok: false, reason: 'already_rotated' });
  assert.equal((await store.getGrant(seeded.grant.id))!.lastUsedAt, NOW + 50, "the loser's touch of the grant was rolled back");
  assert.equal(await store.getRefreshToken(b.refreshToken.tokenHash), undefined);
  assert.equal((await store.getRefreshToken(seeded.refreshToken.tokenHash))!.replacedBy, a.refreshToken.tokenHash);
});

test('reads and writes wait for an open Kysely transaction instead of running inside it', async () => {
  const seeded = await seedGrant(store);
  const clientToken = accessToken(null, { clientId: seeded.client.clientId });
  let during: Promise<unknown[]> | undefined;
  await kysely().transaction().execute(async (trx) => {
    await sql`UPDATE grants SET revoked_at = ${NOW + 5} WHERE id = ${seeded.grant.id}`.execute(trx);
    // While the transaction is open (and will roll back), the hot path is asked to read and to write.
    during = Promise.all([store.getRefreshToken(seeded.refreshToken.tokenHash), store.issueClientToken(clientToken)]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    throw new Error('roll back');
  }).catch((error: Error) => assert.equal(error.message, 'roll back'));
  const [refresh] = await during!;
  // Had the read run inside the transaction it would have seen the grant revoked.
  assert.equal((refresh as { revokedAt: number | null }).revokedAt, null);
  assert.ok(await store.getAccessToken(clientToken.id), 'the write committed on its own');
});

test('an error that ends the whole transaction fails every write of the batch, not only its own', async () => {
  const Sqlite = (await import('better-sqlite3')).default;
  const { SqliteConnectionGate } = await import('../../src/store/sqlite/write-batch.js');
  const db = new Sqlite(':memory:');
  db.exec('CREATE TABLE t (v TEXT)');
  const gate = new SqliteConnectionGate(db, async (work) => work());
  const insert = (v: string) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
  const outcomes = await Promise.allSettled([
    gate.write(insert('before')),
    // What SQLite does on a full disk or an I/O error: the whole transaction is rolled back under the batch.
    gate.write(() => {
      db.exec('ROLLBACK');
      throw new Error('disk I/O error');
    }),
    gate.write(insert('after')),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected']);
  assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 0);
  assert.equal(db.inTransaction, false);
  // The gate goes on working.
  await gate.write(insert('later'));
  assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 1);
  db.close();
});
