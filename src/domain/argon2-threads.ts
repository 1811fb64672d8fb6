// argon2id on threads of its own, at a lower CPU priority than the rest of the server.
// On libuv's pool, argon2 competes as an equal with signatures and the event loop: a sign-in flood then takes a
// whole core and the token endpoint's tail latency doubles and more. On its own threads at nice 10 (Linux), the
// scheduler runs the token endpoint first and gives argon2 whatever is left, so an idle server still checks
// passwords at full speed. How many run at once is PasswordCheckLimit's job; a thread is started per concurrent
// call, so at most that many exist, and they are kept (idle threads hold no CPU and do not keep the process alive).
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Linux nice value for the argon2 threads: weight 110 against 1024 for the server's own threads. */
export const ARGON2_NICE = 10;

export interface Argon2Options {
  algorithm: 0 | 1 | 2;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

/** Hashing and verifying argon2 passwords. */
export interface PasswordHasher {
  hash(password: string, options: Argon2Options): Promise<string>;
  /** false for a wrong password and for a hash that cannot be read. */
  verify(hash: string, password: string): Promise<boolean>;
}

type Request = { op: 'hash'; password: string; options: Argon2Options } | { op: 'verify'; hash: string; password: string } | { op: 'priority' };
type Reply = { value: unknown } | { error: string };

// CommonJS run by the worker (eval): no TypeScript loader needed, whatever the main process was started with.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hashSync, verifySync } = require(workerData.argon2);
const os = require('node:os');
let tid = 0;
try {
  // /proc/thread-self names this thread; setpriority on a thread id changes only this thread on Linux.
  tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  os.setPriority(tid, workerData.nice);
} catch {}
parentPort.on('message', (request) => {
  try {
    if (request.op === 'hash') parentPort.postMessage({ value: hashSync(request.password, request.options) });
    else if (request.op === 'verify') {
      let ok = false;
      try { ok = verifySync(request.hash, request.password); } catch {}
      parentPort.postMessage({ value: ok });
    } else parentPort.postMessage({ value: tid ? os.getPriority(tid) : os.getPriority() });
  } catch (error) {
    parentPort.postMessage({ error: error && error.message ? String(error.message) : 'argon2 failed' });
  }
});
`;

export class Argon2Threads implements PasswordHasher {
  private readonly idle: Worker[] = [];
  private readonly argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2');

  constructor(private readonly nice = ARGON2_NICE) {}

  async hash(password: string, options: Argon2Options): Promise<string> {
    return (await this.call({ op: 'hash', password, options })) as string;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    return (await this.call({ op: 'verify', hash, password })) === true;
  }

  /** The nice value a thread runs at (for tests and diagnostics). */
  async threadPriority(): Promise<number> {
    return (await this.call({ op: 'priority' })) as number;
  }

  /** Stops the idle threads (a busy one is stopped when its call ends). */
  async close(): Promise<void> {
    await Promise.all(this.idle.splice(0).map((worker) => worker.terminate()));
  }

  private call(request: Request): Promise<unknown> {
    const worker = this.idle.pop() ?? new Worker(WORKER_SOURCE, { eval: true, workerData: { argon2: this.argon2Path, nice: this.nice }, execArgv: [] });
    // Referenced while it works, so a CLI command waiting for a hash does not exit; unreferenced when idle.
    worker.ref();
    return new Promise((resolve, reject) => {
      const done = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (reply: Reply): void => {
        done();
        worker.unref();
        this.idle.push(worker);
        if ('error' in reply) reject(new Error(`argon2: ${reply.error}`));
        else resolve(reply.value);
      };
      const onError = (error: Error): void => {
        done();
        void worker.terminate();
        reject(error);
      };
      const onExit = (): void => {
        done();
        reject(new Error('argon2: the worker thread stopped'));
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(request);
    });
  }
}
