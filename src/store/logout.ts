// The storage logout needs (OpenID RP-Initiated, Back-Channel and Front-Channel Logout): ending a session together
// with queueing its back-channel notifications, and the durable queue the sender drains. Shared Kysely code for both
// backends (queries/logout.ts).
import type { EndedSession, LogoutDeliveryRecord } from './types.js';

/** Logout's writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface LogoutWrites {
  /**
   * In one transaction: delete the session (by its cookie hash or its sid), and with it the list of its clients, and
   * queue a back-channel delivery, due at `now`, for each of those clients that has a backchannel_logout_uri.
   * Undefined when there was no such session (already ended, expired and cleaned up, or never there).
   */
  endSession(by: { idHash: string } | { sid: string }, now: number): Promise<EndedSession | undefined>;
  /**
   * Claims up to `limit` deliveries due at `now` for one attempt: each claimed row's attempts go up by one and its
   * next attempt moves to `leaseUntil`, so another instance draining at the same time does not send it too (and a
   * sender that dies mid-attempt leaves it to be tried again then). Returns the rows claimed, as updated.
   */
  leaseLogoutDeliveries(now: number, leaseUntil: number, limit: number): Promise<LogoutDeliveryRecord[]>;
  /** Removes a delivery: sent, given up on, or no longer deliverable. */
  deleteLogoutDelivery(sid: string, clientId: string): Promise<void>;
  /** Records a failed attempt and when to try again. */
  rescheduleLogoutDelivery(sid: string, clientId: string, nextAttemptAt: number, error: string): Promise<void>;
}

/** Logout reads nothing but what its writes return: the session it ended, the deliveries it leased. */
export type LogoutStore = LogoutWrites;
