// Worker entry for race.ts: Node 20 does not apply tsx's hooks to a worker's entry file, so this plain
// module registers them and then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import(new URL('./race-worker.ts', import.meta.url).href);
