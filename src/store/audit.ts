// The audit trail's storage (domain/audit.ts): rows are appended, listed newest first, and deleted once past the
// retention by cleanup. Not a token-flow hot path: token.issued rows arrive in batches (one multi-row insert), so one
// shared Kysely implementation (queries/audit-events.ts) serves both backends; test/store/audit-events.test.ts holds it
// to one contract on both.
import type { AuditEventFilter, AuditEventRecord } from './types.js';

/** The audit writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface AuditWrites {
  /** Appends the events (any number, in one statement). */
  recordAuditEvents(events: readonly AuditEventRecord[]): Promise<void>;
}

export interface AuditStore extends AuditWrites {
  /** Newest first, at most filter.limit. */
  listAuditEvents(filter: AuditEventFilter): Promise<AuditEventRecord[]>;
}
