// Periodic housekeeping: removes expired codes, sessions, tokens and spent grants in bounded batches.
// Every instance may run it; batches are small, so instances that overlap only share the work.
import type { AdminStore } from '../store/administration.js';
import { epochSeconds, type Clock } from '../util/clock.js';

export const CLEANUP_BATCH_SIZE = 1000;

export interface HousekeepingLogger {
  info(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

// The interval itself is a real timer (it paces work); what counts as expired is decided by `clock`.
export function startHousekeeping(store: AdminStore, clock: Clock, intervalSeconds: number, log: HousekeepingLogger, auditRetentionSeconds?: number): { stop(): void } {
  if (intervalSeconds <= 0) return { stop() {} };
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    store
      .cleanup(epochSeconds(clock), CLEANUP_BATCH_SIZE, auditRetentionSeconds)
      .then((removed) => {
        const total = Object.values(removed).reduce((sum, count) => sum + count, 0);
        if (total > 0) log.info({ removed }, 'housekeeping removed expired rows');
      })
      .catch((error: unknown) => log.error({ err: error }, 'housekeeping failed; it will be tried again'))
      .finally(() => {
        running = false;
      });
  }, intervalSeconds * 1000);
  // Housekeeping never keeps the process alive on its own.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
