// The one clock every time decision reads (expiry, grace and retry windows, sessions, caches, cleanup).
// It is made once in the composition root (src/services.ts) and handed to whatever decides by time, so a
// test moves time instead of sleeping. Measuring how long real work took (a lock wait, a log line's
// duration) is not a time decision and reads the real clock.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** The clock's time in whole seconds since the epoch: the unit of every stored time and token claim. */
export function epochSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
