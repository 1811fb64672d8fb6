// A rule of the form "at most N requests per address per window": the public port's general limit and the
// sign-in limit are two of these.
import { TemporarilyUnavailable } from '../../oauth/errors.js';
import { FixedWindows, addressKey } from '../../util/fixed-windows.js';

export interface AddressLimitOptions {
  /** Requests one address may make per window; 0 turns the rule off. */
  max: number;
  windowSeconds: number;
  /** What is counted, for the 429's description ("requests", "sign-in attempts"). */
  what: string;
  /** The clock in whole epoch seconds; tests move it instead of waiting. */
  now: () => number;
  /** Most addresses remembered at once (default 10 000); the oldest go first. */
  maxEntries?: number;
}

/** What is left of an address's window after a counted request (for X-RateLimit-* headers). */
export interface AddressLimitState {
  limit: number;
  remaining: number;
  resetSeconds: number;
}

/** The 429 answer; `temporarily_unavailable` tells a well-behaved client to retry later rather than give up. */
export class RateLimited extends TemporarilyUnavailable {
  constructor(readonly state: AddressLimitState, what: string) {
    super(`too many ${what} from this address; try again in ${state.resetSeconds} s`, 429, state.resetSeconds);
  }
}

export class AddressLimit {
  private readonly windows: FixedWindows;

  constructor(private readonly options: AddressLimitOptions) {
    this.windows = new FixedWindows(options.maxEntries ?? 10_000);
  }

  /**
   * Refuses (RateLimited) an address that has used up its window, counting nothing: for rules that count only
   * failures (take() after one), where an address over the limit must not even be told whether it succeeded.
   */
  check(address: string): void {
    const { max, now } = this.options;
    if (max === 0) return;
    const at = now();
    const window = this.windows.get(addressKey(address), at);
    if (window && window.count >= max) throw new RateLimited({ limit: max, remaining: 0, resetSeconds: Math.max(1, window.endsAt - at) }, this.options.what);
  }

  /** Counts one request from `address`; throws RateLimited once the address has used up its window. */
  take(address: string): AddressLimitState {
    const { max, windowSeconds, now } = this.options;
    if (max === 0) return { limit: 0, remaining: 0, resetSeconds: 0 };
    const at = now();
    const window = this.windows.count(addressKey(address), at, windowSeconds);
    const state = { limit: max, remaining: Math.max(0, max - window.count), resetSeconds: Math.max(1, window.endsAt - at) };
    if (window.count > max) throw new RateLimited(state, this.options.what);
    return state;
  }
}
