// Access-token JWTs whose signature this instance has already checked. Resource servers present the same token
// on every API call, and an ECDSA verification costs more than the rest of an introspection together; the bytes
// of a token cannot change, so one check per token is enough. What can change is checked on every use by the
// caller: that the key is still published (a removed key ends its tokens at once), revocation, expiry.
import type { KeyObject } from 'node:crypto';

interface Entry {
  key: KeyObject;
  claims: Record<string, unknown>;
}

export class VerifiedJwtCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The claims of `token` if it was verified with `key` (the key its kid names now). */
  get(token: string, key: KeyObject): Record<string, unknown> | undefined {
    const entry = this.entries.get(token);
    return entry !== undefined && entry.key === key ? entry.claims : undefined;
  }

  set(token: string, key: KeyObject, claims: Record<string, unknown>): void {
    // Oldest first out: a bounded map, whatever the mix of tokens presented.
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { key, claims });
  }
}
