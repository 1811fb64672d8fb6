// The storage the device authorization grant (RFC 8628) needs: a device authorization request is saved, found by its
// user code on the verification page, decided by the user, polled by the device and exchanged once for tokens.
// Its own narrow interface rather than part of token-flows.ts or interactions.ts: the flow spans both (the page
// decides, the token endpoint polls and redeems), and neither of those flows needs any of it. Not a hot path, so
// one shared Kysely implementation (queries/device-codes.ts) serves both backends; test/store/device-flows.test.ts
// holds it to one contract on both.
import type { DeviceCodeContext, DeviceCodeRecord, DeviceDecision, DevicePollResult, GrantRecord, NewTokens, RedeemDeviceCodeResult } from './types.js';

/** The device flow's writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface DeviceFlowWrites {
  /** Saves a new request; a user code hash already in use is a DuplicateError (field userCodeHash). */
  saveDeviceCode(record: DeviceCodeRecord): Promise<void>;
  /**
   * Records the user's decision on a pending, unexpired request found by its user code, with the user and, when
   * approved, the scopes allowed and the sign-in time. False when there is no such request (unknown, expired,
   * decided already): of racing decisions exactly one is recorded.
   */
  decideDeviceCode(userCodeHash: string, now: number, decision: DeviceDecision): Promise<boolean>;
  /**
   * A poll by the device: records its time; when it comes before `interval` seconds have passed since the previous
   * poll, the interval grows by 5 s (RFC 8628 §3.5 slow_down) for this and every later poll.
   */
  pollDeviceCode(deviceCodeHash: string, now: number): Promise<DevicePollResult>;
  /**
   * In one transaction: mark the approved request consumed (only if it was not), create the grant, insert the
   * tokens. Of racing exchanges exactly one succeeds; the others write nothing.
   */
  redeemDeviceCode(deviceCodeHash: string, now: number, grant: GrantRecord, tokens: NewTokens): Promise<RedeemDeviceCodeResult>;
}

export interface DeviceFlowStore extends DeviceFlowWrites {
  /** A request with the user who decided it, as an exchange needs them. */
  getDeviceCodeContext(deviceCodeHash: string): Promise<DeviceCodeContext | undefined>;
  getDeviceCodeByUserCode(userCodeHash: string): Promise<DeviceCodeRecord | undefined>;
}
