// Bounded concurrency for argon2 work (password checks and hashes).
// Argon2 runs on libuv's thread pool, which signing and other crypto share, and each call holds a core and 19 MiB:
// without a cap, a sign-in flood fills the pool and every token answer waits behind it. At most `concurrency`
// run at once, at most `queue` more wait, and anything beyond is refused at once (the caller answers "busy").
import { availableParallelism } from 'node:os';

/** More password checks are waiting than the queue holds; try again after `retryAfterSeconds`. */
export class PasswordChecksBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('too many sign-ins are being checked right now');
    this.name = 'PasswordChecksBusyError';
  }
}

export interface PasswordCheckLimitOptions {
  /** Checks running at once. */
  concurrency: number;
  /** Checks waiting for a slot; beyond this a check is refused. */
  queue: number;
  /** What a refusal tells the client to wait, in seconds. */
  retryAfterSeconds?: number;
  /**
   * How long a check may wait for a slot before it is refused after all (milliseconds): when the machine is busy
   * with other work, the queue drains slowly, and a sign-in page must still answer within seconds.
   */
  maxWaitMs?: number;
  /**
   * After a check, its slot rests this many times as long as the check took before the next one starts: argon2
   * then uses at most 1 / (1 + restRatio) of a core per slot even under a flood, and leaves the rest to the token
   * endpoint (the CPU priority of its threads alone does not keep it from filling every idle moment). 0: no rest.
   */
  restRatio?: number;
  /** Milliseconds clock, for the rest (tests move it). */
  now?: () => number;
}

/** Half the cores (at least one): the other half stays free for the token endpoint and its signatures. */
export function defaultPasswordCheckConcurrency(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

export const DEFAULT_PASSWORD_CHECK_QUEUE = 16;
export const DEFAULT_PASSWORD_CHECK_MAX_WAIT_MS = 5000;
export const DEFAULT_PASSWORD_CHECK_REST_RATIO = 1;

export class PasswordCheckLimit {
  private running = 0;
  private readonly waiting: Array<{ start(): void }> = [];
  private readonly concurrency: number;
  private readonly queueLimit: number;
  private readonly retryAfterSeconds: number;
  private readonly maxWaitMs: number;
  private readonly restRatio: number;
  private readonly now: () => number;

  constructor(options: PasswordCheckLimitOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) throw new RangeError('concurrency must be a whole number ≥ 1');
    if (!Number.isInteger(options.queue) || options.queue < 0) throw new RangeError('queue must be a whole number ≥ 0');
    if (options.restRatio !== undefined && !(options.restRatio >= 0 && Number.isFinite(options.restRatio))) throw new RangeError('restRatio must be a number ≥ 0');
    this.concurrency = options.concurrency;
    this.queueLimit = options.queue;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_PASSWORD_CHECK_MAX_WAIT_MS;
    this.restRatio = options.restRatio ?? DEFAULT_PASSWORD_CHECK_REST_RATIO;
    // How long a check really took (the rest is in proportion to it): real elapsed time, not the injected clock.
    this.now = options.now ?? (() => performance.now());
  }

  get active(): number {
    return this.running;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; throws PasswordChecksBusyError at once when the queue is full. */
  run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency && this.waiting.length >= this.queueLimit) {
      return Promise.reject(new PasswordChecksBusyError(this.retryAfterSeconds));
    }
    return this.schedule(task, true);
  }

  /**
   * Runs `task` under the same concurrency cap but is never refused: for operators setting passwords (CLI, admin
   * API), who must get through during a flood and are not the flood.
   */
  runAlways<T>(task: () => Promise<T>): Promise<T> {
    return this.schedule(task, false);
  }

  private async schedule<T>(task: () => Promise<T>, mayTimeOut: boolean): Promise<T> {
    if (this.running >= this.concurrency) {
      // The slot is handed over by release(): `running` stays counted for the waiter that takes it.
      await new Promise<void>((resolve, reject) => {
        const waiter = {
          start: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = mayTimeOut
          ? setTimeout(() => {
            this.waiting.splice(this.waiting.indexOf(waiter), 1);
            reject(new PasswordChecksBusyError(this.retryAfterSeconds));
          }, this.maxWaitMs)
          : undefined;
        this.waiting.push(waiter);
      });
    } else {
      this.running++;
    }
    const started = this.now();
    try {
      return await task();
    } finally {
      // The caller has its answer now; the slot is handed on after the rest.
      const rest = (this.now() - started) * this.restRatio;
      // Not unref'd: a caller queued behind the rest (the CLI setting two passwords) must not see the process exit.
      if (rest > 0) setTimeout(() => this.release(), rest);
      else this.release();
    }
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next.start();
    else this.running--;
  }
}
