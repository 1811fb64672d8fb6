// Remembered consent: a user who allowed scopes for a client is not asked again for the same or fewer, until the
// consent is withdrawn or (when the platform's consent page remembered it for a while) it expires.
import type { InteractionStore } from '../store/interactions.js';
import type { ConsentRecord, GrantedSession } from '../store/types.js';
import type { AuditTrail } from './audit.js';
import { isWithin } from './scopes.js';
import { epochSeconds, type Clock } from '../util/clock.js';

export interface RememberOptions {
  /** What a delegated consent granted beyond scopes (replaces what was remembered before). */
  granted?: GrantedSession | null;
  /** Seconds the consent is remembered; undefined or 0: until withdrawn. */
  rememberFor?: number;
  /** The resources (RFC 8707) the user allowed access on, added to the remembered audience (built-in consent). */
  resources?: readonly string[];
}

/** A remembered consent covers a request when it allowed every scope and every resource (RFC 8707) asked for. */
export function consentCovers(consent: ConsentRecord | undefined, scopes: readonly string[], resources: readonly string[] = []): boolean {
  return consent !== undefined && isWithin(scopes, consent.scopes) && isWithin(resources, consent.granted?.audience ?? []);
}

export class ConsentService {
  constructor(
    private readonly store: InteractionStore,
    private readonly clock: Clock,
    private readonly audit: Pick<AuditTrail, 'record'>,
  ) {}

  /** The user's live consent for the client, or undefined (none, or it expired). */
  async current(userId: string, clientId: string): Promise<ConsentRecord | undefined> {
    const consent = await this.store.getConsent(userId, clientId);
    if (consent === undefined) return undefined;
    if (consent.expiresAt !== null && consent.expiresAt <= epochSeconds(this.clock)) return undefined;
    return consent;
  }

  async covers(userId: string, clientId: string, scopes: readonly string[]): Promise<boolean> {
    const consent = await this.current(userId, clientId);
    return consentCovers(consent, scopes);
  }

  /** Records that the user allowed `scopes`, added to what they had allowed this client before. */
  async remember(userId: string, clientId: string, scopes: readonly string[], options: RememberOptions = {}): Promise<void> {
    const now = epochSeconds(this.clock);
    const existing = await this.current(userId, clientId);
    const merged = [...new Set([...(existing?.scopes ?? []), ...scopes])];
    let granted = options.granted ?? existing?.granted ?? null;
    if (options.resources?.length) {
      const audience = [...new Set([...(granted?.audience ?? []), ...options.resources])];
      granted = { ...(granted ?? { idToken: {}, accessToken: {} }), audience };
    }
    await this.store.saveConsent({
      userId,
      clientId,
      scopes: merged,
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
      granted,
      expiresAt: options.rememberFor ? now + options.rememberFor : null,
    });
    await this.audit.record({ event: 'consent.granted', actor: { type: 'user', id: userId }, subject: userId, clientId, detail: { scopes: merged } });
  }
}
