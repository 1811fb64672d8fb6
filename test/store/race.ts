// Runs store operations at the same moment from separate connections, to test what the database does
// under contention rather than what one connection's queue does.
//
// PostgreSQL: one Store (its own pool) per contender, in this process; pg is asynchronous, so the
// contenders' statements really interleave on the server.
// SQLite: one worker thread per contender, each with its own better-sqlite3 connection. Connections in one
// thread cannot take turns: better-sqlite3 waits for a lock synchronously, blocking the very thread that
// would release it. Threads contend the way separate processes (server and CLI) do. Loading the store
// under tsx costs a worker about two seconds, so the workers are started once (warmRacers) and reused.
import { Worker, type MessagePort } from 'node:worker_threads';
import { openStore } from '../../src/store/open.js';
import type { SigningAlg, Store } from '../../src/store/types.js';
import type { TestDatabase } from '../helpers/databases.js';
import { accessToken, grant, refreshToken, signingKey } from './fixtures.js';

export type RaceOp =
  | { kind: 'migrate' }
  | { kind: 'redeem'; codeHash: string; clientId: string; userId: string; now: number }
  | { kind: 'rotate'; oldHash: string; grantId: string; clientId: string; userId: string; now: number }
  | { kind: 'replaceSuccessor'; rotatedHash: string; successorHash: string; grantId: string; clientId: string; userId: string; now: number }
  | { kind: 'redeemDevice'; deviceCodeHash: string; clientId: string; userId: string; now: number }
  | { kind: 'consumePushed'; requestHash: string; clientId: string; now: number }
  | { kind: 'revokeGrant'; grantId: string; now: number }
  | { kind: 'rotateKey'; alg: SigningAlg; onlyIfNone: boolean };

export type RaceOutcome = { ok: true; value: unknown } | { ok: false; error: string };

/** Messages between race() and a worker: prepare → ready, go → done. */
export type RaceMessage =
  | { type: 'prepare'; url: string; op: RaceOp; contender: number }
  | { type: 'ready' }
  | { type: 'go' }
  | { type: 'done'; outcome: RaceOutcome };

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
    case 'replaceSuccessor': {
      const g = { id: op.grantId, clientId: op.clientId, userId: op.userId };
      const next = refreshToken(g, { tokenHash: `rt-retry-${contender}`, createdAt: op.now });
      return store.replaceUnusedSuccessor(op.rotatedHash, op.successorHash, op.now, { accessToken: accessToken(g, { id: `at-retry-${contender}` }), refreshToken: next }, null);
    }
    case 'consumePushed':
      return store.consumePushedRequest(op.requestHash, op.clientId, op.now);
    case 'redeemDevice': {
      const g = grant(op.clientId, op.userId, { id: `grant-device-race-${contender}` });
      return store.redeemDeviceCode(op.deviceCodeHash, op.now, g, { accessToken: accessToken(g), refreshToken: refreshToken(g) });
    }
    case 'revokeGrant':
      return store.revokeGrant(op.grantId, op.now, 'race');
    case 'rotateKey': {
      const key = signingKey(op.alg, { kid: `${op.alg}-race-${contender}` });
      return store.rotateSigningKey(key, key.createdAt + 3600, { onlyIfNone: op.onlyIfNone });
    }
  }
}

export async function settle(run: () => Promise<unknown>): Promise<RaceOutcome> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

/** Messages from a port or worker, one at a time, in order. */
export function inbox(port: MessagePort | Worker): () => Promise<RaceMessage> {
  const queued: RaceMessage[] = [];
  const waiting: Array<{ resolve: (m: RaceMessage) => void; reject: (e: unknown) => void }> = [];
  port.on('message', (message: RaceMessage) => (waiting.length ? waiting.shift()!.resolve(message) : queued.push(message)));
  port.on('error', (error: unknown) => waiting.splice(0).forEach((w) => w.reject(error)));
  return () => (queued.length ? Promise.resolve(queued.shift()!) : new Promise((resolve, reject) => waiting.push({ resolve, reject })));
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
let racers: Array<{ worker: Worker; next: () => Promise<RaceMessage> }> = [];

/** Starts `count` SQLite contender threads in the background (race() waits for them as needed). */
export function warmRacers(count: number): void {
  while (racers.length < count) {
    const worker = new Worker(BOOT);
    racers.push({ worker, next: inbox(worker) });
  }
}

/** Stops the contender threads; call once the races are over, or the test process stays alive. */
export async function closeRacers(): Promise<void> {
  const stopping = racers;
  racers = [];
  await Promise.all(stopping.map(({ worker }) => worker.terminate()));
}

async function raceInWorkers(url: string, ops: RaceOp[]): Promise<RaceOutcome[]> {
  warmRacers(ops.length);
  const crew = racers.slice(0, ops.length);
  crew.forEach(({ worker }, contender) => worker.postMessage({ type: 'prepare', url, op: ops[contender]!, contender } satisfies RaceMessage));
  await Promise.all(crew.map(({ next }) => next())); // each has opened its store
  for (const { worker } of crew) worker.postMessage({ type: 'go' } satisfies RaceMessage);
  const done = await Promise.all(crew.map(({ next }) => next()));
  return done.map((message) => (message.type === 'done' ? message.outcome : { ok: false, error: `unexpected ${message.type}` }));
}

/** Runs ops[i] as contender i, all at once, each on its own connection; resolves with every outcome. */
export function race(db: TestDatabase, ops: RaceOp[]): Promise<RaceOutcome[]> {
  return db.name === 'postgres' ? raceInProcess(db.url, ops) : raceInWorkers(db.url, ops);
}
