// Fixed-window counters keyed by client address (or client id), in this process, in a map of bounded size: the
// one counting scheme behind every rate-limit rule of the public port.

export interface Window {
  count: number;
  /** When the window ends, in the clock's unit. */
  endsAt: number;
}

/** A map of windows that forgets its oldest entry when full; a counted entry becomes the newest. */
export class FixedWindows {
  private readonly entries = new Map<string, Window>();
  constructor(private readonly maxEntries: number) {}

  /** The key's window, or undefined when it has none that is still open. */
  get(key: string, now: number): Window | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.endsAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Counts one event for the key and returns its window (a new one of `length` when none is open). */
  count(key: string, now: number, length: number): Window {
    const entry = this.get(key, now);
    if (entry) {
      // Counted in place (no new object per request); re-inserted so that it becomes the newest.
      entry.count += 1;
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    const next = { count: 1, endsAt: now + length };
    this.entries.set(key, next);
    return next;
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
  if (!address.includes(':')) return address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return mapped[1]!;
  const [head = '', tail] = address.split('::');
  const headParts = head === '' ? [] : head.split(':');
  const tailParts = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? headParts : [...headParts, ...Array(Math.max(0, 8 - headParts.length - tailParts.length)).fill('0'), ...tailParts];
  return `${groups.slice(0, 4).map((group) => (parseInt(group, 16) || 0).toString(16)).join(':')}::/64`;
}
