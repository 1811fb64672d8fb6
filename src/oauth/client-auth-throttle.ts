// Throttling failed client authentication at the token, introspection and revocation endpoints. Failures are
// counted per client address and per registered client_id in fixed windows; once either count reaches its
// limit, every request for that address or client is refused with 429 and Retry-After until the window ends,
// before any secret is compared. Successes are never counted, so a client is only held back by failures from
// its own address or against its own id. The counts live in this process, in maps of bounded size.
import { TemporarilyUnavailable } from './errors.js';

export interface ClientAuthThrottleOptions {
  /** Failed authentications one address may make per window (default 20). */
  maxFailuresPerAddress?: number;
  /** Failed authentications against one client_id, from all addresses together, per window (default 100). */
  maxFailuresPerClient?: number;
  /** Window length in seconds (default 60). */
  windowSeconds?: number;
  /** Most addresses, and most client ids, remembered at once (default 10 000 each); the oldest go first. */
  maxEntries?: number;
  /** Milliseconds since the epoch; tests move it instead of waiting. */
  now?: () => number;
}

/** The 429 answer. `temporarily_unavailable` tells a well-behaved client to retry later rather than give up. */
export class ClientAuthThrottled extends TemporarilyUnavailable {
  constructor(retryAfterSeconds: number, what: string) {
    super(`too many failed client authentications ${what}; try again in ${retryAfterSeconds} s`, 429, retryAfterSeconds);
  }
}

interface Window {
  failures: number;
  endsAt: number;
}

/** A map that forgets its oldest entry when full; a touched entry becomes the newest. */
class BoundedWindows {
  private readonly entries = new Map<string, Window>();
  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): Window | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.endsAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  fail(key: string, now: number, windowMs: number): void {
    const entry = this.get(key, now);
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, entry ? { failures: entry.failures + 1, endsAt: entry.endsAt } : { failures: 1, endsAt: now + windowMs });
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The key an address is counted under: IPv4 as it is (an IPv4-mapped IPv6 address as its IPv4 form), IPv6 by
 * its /64, since one host is usually given a whole /64 and could otherwise use a fresh address per attempt.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headParts : [...headParts, ...Array(Math.max(0, 8 - headParts.length - tailParts.length)).fill('0'), ...tailParts];
  return `${groups.slice(0, 4).map((group) => (parseInt(group, 16) || 0).toString(16)).join(':')}::/64`;
}

export class ClientAuthThrottle {
  private readonly perAddress: BoundedWindows;
  private readonly perClient: BoundedWindows;
  private readonly maxPerAddress: number;
  private readonly maxPerClient: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(options: ClientAuthThrottleOptions = {}) {
    this.maxPerAddress = options.maxFailuresPerAddress ?? 20;
    this.maxPerClient = options.maxFailuresPerClient ?? 100;
    this.windowMs = (options.windowSeconds ?? 60) * 1000;
    this.perAddress = new BoundedWindows(options.maxEntries ?? 10_000);
    this.perClient = new BoundedWindows(options.maxEntries ?? 10_000);
    this.now = options.now ?? Date.now;
  }

  /** Throws ClientAuthThrottled when the address or the presented client_id has used up its failures. */
  check(address: string, clientId: string | undefined): void {
    const now = this.now();
    const byAddress = this.perAddress.get(addressKey(address), now);
    if (byAddress && byAddress.failures >= this.maxPerAddress) {
      throw new ClientAuthThrottled(Math.ceil((byAddress.endsAt - now) / 1000), 'from this address');
    }
    const byClient = clientId === undefined ? undefined : this.perClient.get(clientId, now);
    if (byClient && byClient.failures >= this.maxPerClient) {
      throw new ClientAuthThrottled(Math.ceil((byClient.endsAt - now) / 1000), 'for this client');
    }
  }

  /**
   * Counts a failed authentication. `registeredClientId` only for a client that exists: made-up ids are counted
   * against the address alone, so that they cannot push real clients' counts out of the map.
   */
  recordFailure(address: string, registeredClientId: string | undefined): void {
    const now = this.now();
    this.perAddress.fail(addressKey(address), now, this.windowMs);
    if (registeredClientId !== undefined) this.perClient.fail(registeredClientId, now, this.windowMs);
  }

  /** Addresses and client ids currently remembered (for tests of the memory bound). */
  get entries(): { addresses: number; clients: number } {
    return { addresses: this.perAddress.size, clients: this.perClient.size };
  }
}
