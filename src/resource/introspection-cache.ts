// Introspection answers, kept briefly so a busy API does not ask the issuer on every request.
// Bounded twice: each entry lives at most its TTL (which the caller caps at the token's own expiry), and
// the cache holds at most `maxEntries`, evicting the least recently used. Keys are SHA-256 of the token,
// so the cache never holds a token.
import { createHash } from 'node:crypto';

export function tokenCacheKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface IntrospectionCacheOptions {
  maxEntries: number;
  now?: () => number;
}

interface Entry<V> {
  value: V;
  expiresAt: number;
}

export class IntrospectionCache<V> {
  /** A Map iterates in insertion order: re-inserting on every hit makes the first key the least recently used. */
  private readonly entries = new Map<string, Entry<V>>();
  private readonly now: () => number;

  constructor(private readonly options: IntrospectionCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    if (entry.expiresAt <= this.now()) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  /** Keeps `value` for `ttlMs`; a TTL of zero or less keeps nothing. */
  set(key: string, value: V, ttlMs: number): void {
    if (!(ttlMs > 0) || this.options.maxEntries <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
