// A contender thread for race.ts. For each race: open a store on 'prepare', say 'ready', run the op on 'go',
// close the store and report 'done'; then wait for the next race.
import { parentPort } from 'node:worker_threads';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/types.js';
import { inbox, runOp, settle, type RaceMessage } from './race.js';

const port = parentPort!;
const next = inbox(port);
const send = (message: RaceMessage) => port.postMessage(message);

for (;;) {
  const job = await next();
  if (job.type !== 'prepare') continue;
  let store: Store | undefined;
  const opened = await settle(async () => (store = await openStore(job.url)));
  send({ type: 'ready' });
  await next(); // go
  const outcome = opened.ok ? await settle(() => runOp(store!, job.op, job.contender)) : opened;
  await store?.close();
  send({ type: 'done', outcome });
}
