// Runs store operations at the same moment from separate connections, to test what the database does
// under contention rather than what one connection's queue does.
//
// PostgreSQL: one Store (its own pool) per contender, in this process; pg is asynchronous, so the
// contenders' statements really interleave on the server.
// SQLite: one worker thread per contender, each with its own better-sqlite3 connection. Several
// connections in one thread cannot take turns: better-sqlite3 waits for a lock synchronously, blocking
// the very thread that would release it. Threads contend the way separate processes do.
import { Worker } from 'node:worker_threads';
import { openStore } from '../../src/store/open.js';
import type { SigningAlg, Store } from '../../src/store/types.js';
import { accessToken, grant, refreshToken, signingKey } from './fixtures.js';
import type { TestDatabase } from '../helpers/databases.js';

export type RaceOp =
  | { kind: 'migrate' }
  | { kind: 'redeem'; codeHash: string; clientId: string; userId: string; now: number }
  | { kind: 'rotate'; oldHash: string; grantId: string; clientId: string; userId: string; now: number }
  | { kind: 'revokeGrant'; grantId: string; now: number }
  | { kind: 'rotateKey'; alg: SigningAlg; onlyIfNone: boolean };

export type RaceOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** Performs `op` as contender number `contender` (which makes the records it creates distinct). */
export async function runOp(store: Store, op: RaceOp, contender: number): Promise<unknown> {
  switch (op.kind) {
    case 'migrate':
      return store.migrate();
    case 'redeem': {
      const g = grant(op.clientId, op.userId, { id: `grant-race-${contender}` });
      return store.redeemAuthorizationCode(op.codeHash, op.now, g, { accessToken: accessToken(g), refreshToken: refreshToken(g) });
    }
    case 'rotate': {
      const g = { id: op.grantId, clientId: op.clientId, userId: op.userId };
      const next = refreshToken(g, { tokenHash: `rt-race-${contender}`, createdAt: op.now });
      return store.rotateRefreshToken(op.oldHash, op.now, { accessToken: accessToken(g, { id: `at-race-${contender}` }), refreshToken: next }, null);
    }
    case 'revokeGrant':
      return store.revokeGrant(op.grantId, op.now, 'race');
    case 'rotateKey': {
      const key = signingKey(op.alg, { kid: `${op.alg}-race-${contender}` });
      return store.rotateSigningKey(key, key.createdAt + 3600, { onlyIfNone: op.onlyIfNone });
    }
  }
}

async function settle(run: () => Promise<unknown>): Promise<RaceOutcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

async function raceInProcess(url: string, ops: RaceOp[]): Promise<RaceOutcome[]> {
  // Everyone connects first, so the operations start together.
  const stores = await Promise.all(ops.map(() => openStore(url, { poolSize: 2 })));
  try {
    return await Promise.all(ops.map((op, i) => settle(() => runOp(stores[i]!, op, i))));
  } finally {
    await Promise.all(stores.map((store) => store.close()));
  }
}

const BOOT = new URL('./race-worker-boot.mjs', import.meta.url);

async function raceInWorkers(url: string, ops: RaceOp[]): Promise<RaceOutcome[]> {
  const workers = ops.map((op, contender) => new Worker(BOOT, { workerData: { url, op, contender } }));
  const message = (worker: Worker) =>
    new Promise<{ type: string; outcome?: RaceOutcome }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
  try {
    await Promise.all(workers.map(message)); // each has opened its store: 'ready'
    const done = workers.map(message);
    for (const worker of workers) worker.postMessage('go');
    return (await Promise.all(done)).map((m) => m.outcome!);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

/** Runs ops[i] as contender i, all at once, each on its own connection; resolves with every outcome. */
export function race(db: TestDatabase, ops: RaceOp[]): Promise<RaceOutcome[]> {
  return db.name === 'postgres' ? raceInProcess(db.url, ops) : raceInWorkers(db.url, ops);
}
