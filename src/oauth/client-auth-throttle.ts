// The client-authentication rule of the rate-limit policy (index.ts): failed client authentication at the token,
// introspection and revocation endpoints is throttled. Failures are counted per client address and per registered client_id in fixed windows; once either count reaches its
// limit, every request for that address or client is refused with 429 and Retry-After until the window ends,
// before any secret is compared. Successes are never counted, so a client is only held back by failures from
// its own address or against its own id. The counts live in this process, in maps of bounded size.
import { TemporarilyUnavailable } from './errors.js';
import { FixedWindows, addressKey } from '../util/fixed-windows.js';
import type { Clock } from '../util/clock.js';

export interface ClientAuthThrottleOptions {
  /** Failed authentications one address may make per window (default 20). */
  maxFailuresPerAddress?: number;
  /** Failed authentications against one client_id, from all addresses together, per window (default 100). */
  maxFailuresPerClient?: number;
  /** Window length in seconds (default 60). */
  windowSeconds?: number;
  /** Most addresses, and most client ids, remembered at once (default 10 000 each); the oldest go first. */
  maxEntries?: number;
  /** The server's clock; tests move it instead of waiting. */
  clock: Clock;
}

/** The 429 answer. `temporarily_unavailable` tells a well-behaved client to retry later rather than give up. */
export class ClientAuthThrottled extends TemporarilyUnavailable {
  constructor(retryAfterSeconds: number, what: string) {
    super(`too many failed client authentications ${what}; try again in ${retryAfterSeconds} s`, 429, retryAfterSeconds);
  }
}

export class ClientAuthThrottle {
  private readonly perAddress: FixedWindows;
  private readonly perClient: FixedWindows;
  private readonly maxPerAddress: number;
  private readonly maxPerClient: number;
  private readonly windowMs: number;
  private readonly clock: Clock;

  constructor(options: ClientAuthThrottleOptions) {
    this.maxPerAddress = options.maxFailuresPerAddress ?? 20;
    this.maxPerClient = options.maxFailuresPerClient ?? 100;
    this.windowMs = (options.windowSeconds ?? 60) * 1000;
    this.perAddress = new FixedWindows(options.maxEntries ?? 10_000);
    this.perClient = new FixedWindows(options.maxEntries ?? 10_000);
    this.clock = options.clock;
  }

  /**
   * Throws ClientAuthThrottled when the address or the presented client_id has used up its failures. With no
   * failure on record (the common case) nothing is parsed: the client_id is read only when some client has failures.
   */
  check(address: string, presentedClientId: () => string | undefined): void {
    // Sound because every failure also counts against its address, in a window ending no earlier than the client's.
    if (this.perAddress.size === 0) return;
    const now = this.clock.now();
    const byAddress = this.perAddress.get(addressKey(address), now);
    if (byAddress && byAddress.count >= this.maxPerAddress) {
      throw new ClientAuthThrottled(Math.ceil((byAddress.endsAt - now) / 1000), 'from this address');
    }
    const id = this.perClient.size === 0 ? undefined : presentedClientId();
    const byClient = id === undefined ? undefined : this.perClient.get(id, now);
    if (byClient && byClient.count >= this.maxPerClient) {
      throw new ClientAuthThrottled(Math.ceil((byClient.endsAt - now) / 1000), 'for this client');
    }
  }

  /**
   * Counts a failed authentication. `registeredClientId` only for a client that exists: made-up ids are counted
   * against the address alone, so that they cannot push real clients' counts out of the map.
   */
  recordFailure(address: string, registeredClientId: string | undefined): void {
    const now = this.clock.now();
    this.perAddress.count(addressKey(address), now, this.windowMs);
    if (registeredClientId !== undefined) this.perClient.count(registeredClientId, now, this.windowMs);
  }

  /** Addresses and client ids currently remembered (for tests of the memory bound). */
  get entries(): { addresses: number; clients: number } {
    return { addresses: this.perAddress.size, clients: this.perClient.size };
  }
}
