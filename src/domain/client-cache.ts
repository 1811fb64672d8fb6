// Client records as the token endpoint reads them on every request: kept for at most a second, bounded in size.
// A change made on this instance is seen at once (the cache is told); on other instances within CLIENT_CACHE_MS.
import type { LookupStore } from '../store/lookups.js';
import type { ClientRecord } from '../store/types.js';
import type { Clock } from '../util/clock.js';

export const CLIENT_CACHE_MS = 1000;
const MAX_ENTRIES = 10_000;

export class ClientCache {
  private readonly entries = new Map<string, { client: ClientRecord; until: number }>();

  constructor(
    private readonly store: LookupStore,
    private readonly clock: Clock,
  ) {}

  async get(clientId: string): Promise<ClientRecord | undefined> {
    const now = this.clock.now();
    const hit = this.entries.get(clientId);
    if (hit && hit.until > now) return hit.client;
    const client = await this.store.getClient(clientId);
    // Unknown ids are never cached: a client created elsewhere must work at once, and junk ids must not fill the map.
    if (client) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(clientId, { client, until: now + CLIENT_CACHE_MS });
    } else {
      this.entries.delete(clientId);
    }
    return client;
  }

  forget(clientId: string): void {
    this.entries.delete(clientId);
  }
}
