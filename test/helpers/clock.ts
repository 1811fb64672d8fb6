// A clock a test moves by hand: handed to startTestServer (or to a service), it makes expiry, grace windows,
// caches and throttles happen at once instead of after a real wait.
import type { Clock } from '../../src/util/clock.js';

export class TestClock implements Clock {
  /** Starts at `startMs` (default: the real time now) and stays there until moved. */
  constructor(private ms = Date.now()) {}

  now(): number {
    return this.ms;
  }

  /** The clock's time in whole epoch seconds, as the server stores times. */
  seconds(): number {
    return Math.floor(this.ms / 1000);
  }

  advanceMs(ms: number): void {
    this.ms += ms;
  }

  advanceSeconds(seconds: number): void {
    this.ms += seconds * 1000;
  }
}
