// A clock a test moves by hand: handed to startTestServer (or to a service), it makes expiry, grace windows,
// caches and throttles happen at once instead of after a real wait. It runs with the real time (so a server
// shared by many tests behaves as usual) until a test freezes it or moves it on.
import type { Clock } from '../../src/util/clock.js';

export class TestClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | undefined;

  /** A clock stopped at the real time now. */
  static frozen(): TestClock {
    const clock = new TestClock();
    clock.freeze();
    return clock;
  }

  now(): number {
    return (this.frozenAt ?? Date.now()) + this.offsetMs;
  }

  /** Stops the clock where it is: time moves only when the test moves it. */
  freeze(): void {
    this.frozenAt = this.now();
    this.offsetMs = 0;
  }

  /** Back to the real time, as if never moved. */
  reset(): void {
    this.frozenAt = undefined;
    this.offsetMs = 0;
  }

  /** The clock's time in whole epoch seconds, as the server stores times. */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  advanceMs(ms: number): void {
    this.offsetMs += ms;
  }

  advanceSeconds(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
}
