// Remembered consent: a user who allowed scopes for a client is not asked again for the same or fewer.
import type { InteractionStore } from '../store/interactions.js';
import { isWithin } from './scopes.js';
import { epochSeconds, type Clock } from '../util/clock.js';

export class ConsentService {
  constructor(
    private readonly store: InteractionStore,
    private readonly clock: Clock,
  ) {}

  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const consent = await this.store.getConsent(userId, clientId);
    return consent !== undefined && isWithin(scopes, consent.scopes);
  }

  /** Records that the user allowed `scopes`, added to what they had allowed this client before. */
  async remember(userId: string, clientId: string, scopes: readonly string[]): Promise<void> {
    const now = epochSeconds(this.clock);
    const existing = await this.store.getConsent(userId, clientId);
    const merged = [...new Set([...(existing?.scopes ?? []), ...scopes])];
    await this.store.saveConsent({ userId, clientId, scopes: merged, createdAt: existing?.createdAt ?? now, updatedAt: now });
  }
}
