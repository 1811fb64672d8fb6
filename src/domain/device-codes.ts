// Device authorization requests (RFC 8628): the codes, their lifetime, and the user's decision. The built-in
// verification page and (later) a delegated verification page both end in approve() or deny(): "let this device
// act for user U with scopes S" is this one function, whichever page asked the user.
import type { DeviceFlowStore } from '../store/device-flows.js';
import { DuplicateError } from '../store/errors.js';
import type { DeviceCodeRecord, GrantedSession } from '../store/types.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { randomString, randomToken, sha256Hex } from './crypto.js';
import { isWithin } from './scopes.js';

/** Consonants only, without look-alikes and vowels (no words): 20 letters, 8 of them ≈ 34.6 bits (RFC 8628 §6.1). */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;
/** Seconds a device waits between polls at first (RFC 8628 §3.2's default). */
export const DEVICE_POLL_INTERVAL = 5;
const DRAWS = 5;

/** A user code as a person types it: upper-cased, dashes and spaces dropped; undefined when it cannot be one. */
export function normalizeUserCode(input: string): string | undefined {
  const normal = input.replace(/[\s-]+/g, '').toUpperCase();
  if (normal.length !== USER_CODE_LENGTH) return undefined;
  for (const character of normal) if (!USER_CODE_ALPHABET.includes(character)) return undefined;
  return normal;
}

/** XXXX-XXXX, as shown to the user. */
export function formatUserCode(normal: string): string {
  return `${normal.slice(0, 4)}-${normal.slice(4)}`;
}

export const userCodeHash = (normal: string): string => sha256Hex(normal);

export interface DeviceAuthorization {
  deviceCode: string;
  /** Formatted, XXXX-XXXX. */
  userCode: string;
  expiresIn: number;
  interval: number;
}

export class DeviceCodeService {
  constructor(
    private readonly store: DeviceFlowStore,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
  ) {}

  /** A new request for `clientId` asking `scopes`: the device code and the user code, each stored only hashed. */
  async start(clientId: string, scopes: string[]): Promise<DeviceAuthorization> {
    const now = epochSeconds(this.clock);
    const deviceCode = randomToken();
    for (let draw = 1; ; draw++) {
      const userCode = randomString(USER_CODE_ALPHABET, USER_CODE_LENGTH);
      try {
        await this.store.saveDeviceCode({
          deviceCodeHash: sha256Hex(deviceCode),
          userCodeHash: userCodeHash(userCode),
          clientId,
          scopes,
          status: 'pending',
          userId: null,
          authTime: null,
          interval: DEVICE_POLL_INTERVAL,
          lastPolledAt: null,
          createdAt: now,
          expiresAt: now + this.ttlSeconds,
          decidedAt: null,
          consumedAt: null,
          grantId: null,
          granted: null,
        });
        return { deviceCode, userCode: formatUserCode(userCode), expiresIn: this.ttlSeconds, interval: DEVICE_POLL_INTERVAL };
      } catch (error) {
        // A user code that collides with one still stored is drawn again.
        if (!(error instanceof DuplicateError) || draw >= DRAWS) throw error;
      }
    }
  }

  /** The request a user code (as typed) stands for, while it waits for a decision; undefined otherwise. */
  async findPending(userCode: string): Promise<DeviceCodeRecord | undefined> {
    const normal = normalizeUserCode(userCode);
    if (normal === undefined) return undefined;
    const record = await this.store.getDeviceCodeByUserCode(userCodeHash(normal));
    if (!record || record.status !== 'pending' || record.expiresAt <= epochSeconds(this.clock)) return undefined;
    return record;
  }

  /**
   * The user allowed the device: its next poll gets tokens for `userId` with `scopes` (at most those asked for).
   * False when the code is not (or no longer) waiting for a decision, or `scopes` goes beyond the request.
   */
  async approve(userCode: string, userId: string, scopes: readonly string[], authTime: number, granted: GrantedSession | null = null): Promise<boolean> {
    const record = await this.findPending(userCode);
    if (!record || !isWithin(scopes, record.scopes)) return false;
    return this.store.decideDeviceCode(record.userCodeHash, epochSeconds(this.clock), { approve: true, userId, scopes: [...scopes], authTime, granted });
  }

  /** The user refused: the device's next poll gets access_denied. False when the code is not waiting. */
  async deny(userCode: string, userId: string | null): Promise<boolean> {
    const record = await this.findPending(userCode);
    if (!record) return false;
    return this.store.decideDeviceCode(record.userCodeHash, epochSeconds(this.clock), { approve: false, userId });
  }
}
