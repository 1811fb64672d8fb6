// JWTs whose signature has already been checked. Resource servers present the same access token on every API
// call, and a signature check costs more than the rest of an introspection together; the bytes of a token
// cannot change, so one check per token and key is enough. What can change — the key still being published,
// the claims against the clock, revocation — is checked on every use.
import type { KeyObject } from 'node:crypto';

interface Entry {
  key: KeyObject | CryptoKey;
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

export class SignatureCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 20_000) {}

  /** The key `token`'s signature was verified with, its header and claims; the caller compares the key with the one its kid names now. */
  get(token: string): Readonly<Entry> | undefined {
    return this.entries.get(token);
  }

  set(token: string, key: KeyObject | CryptoKey, header: Record<string, unknown>, claims: Record<string, unknown>): void {
    // Oldest first out: a bounded map, whatever the mix of tokens presented.
    if (this.entries.size >= this.maxEntries && !this.entries.has(token)) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(token, { key, header, claims });
  }
}
