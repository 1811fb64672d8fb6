// One contender of a race (see race.ts): opens its own store, says 'ready', runs its op on 'go', reports.
import { parentPort, workerData } from 'node:worker_threads';
import { openStore } from '../../src/store/open.js';
import { runOp, type RaceOp, type RaceOutcome } from './race.js';

const { url, op, contender } = workerData as { url: string; op: RaceOp; contender: number };
const port = parentPort!;
const store = await openStore(url);
const go = new Promise((resolve) => port.once('message', resolve));
port.postMessage({ type: 'ready' });
await go;
let outcome: RaceOutcome;
try {
  outcome = { ok: true, value: await runOp(store, op, contender) };
} catch (error) {
  outcome = { ok: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
} finally {
  await store.close();
}
port.postMessage({ type: 'done', outcome: outcome! });
