// The audit trail: security events with stable names (AUDIT_EVENTS), each stored as a row (AuditStore) and written as
// one structured log line with the same name and fields (`audit: true, event: "…"`), and counted in the OAuth metrics.
// No event ever carries a secret, token, code or password: only names, ids, addresses and outcomes.
//
// Who acted: an event names its actor, or takes the one of the context it runs in (runAs): the admin API runs each
// request as its admin identity, the CLI as "cli" with the OS user; otherwise "system".
//
// token.issued is the hot path (the token endpoint answers thousands a second, and a JWT client_credentials token
// writes nothing at all): a row per token would add a write to every issuance and billions of rows to the retention.
// So the trail keeps token.issued as counts: each second at most one row per client and grant type, `detail.count`
// tokens issued since the row before (`detail.from`, the first one's time). The log line is still one per token, and
// the metric counts each. The cost: a crash loses at most the last second's counts from the table (not from the log or
// the metric). Every other event is written, one row each, before the action answers.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';

import type { AuditStore } from '../store/audit.js';
import type { AuditEventFilter, AuditEventRecord } from '../store/types.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { refreshReuse, revocations, signIns, tokensIssued } from './oauth-metrics.js';

/** Every event, by its stable name, with what it means (docs/operations.md lists the same). */
export const AUDIT_EVENTS = {
  'signin.succeeded': 'a user signed in on the login page, or the platform accepted a login (delegated)',
  'signin.failed': 'a sign-in was refused (wrong username or password)',
  'consent.granted': 'a user allowed a client scopes (remembered consent)',
  'consent.withdrawn': "a user's consent for a client was withdrawn (connected apps, the platform, or refresh reuse)",
  'token.issued': 'the token endpoint issued tokens (batched, see above)',
  'token.revoked': 'a client revoked one access token (RFC 7009)',
  'refresh.reuse_detected': 'a rotated refresh token was presented again: its grant was revoked',
  'grant.revoked': 'a grant and its tokens were revoked (detail.by: client, user, admin, platform, code_replay)',
  'client.created': 'a client was registered',
  'client.updated': "a client's registration was changed",
  'client.deleted': 'a client was deleted with its grants and tokens',
  'client.secret_rotated': "a client's secret was replaced",
  'key.rotated': 'signing keys were rotated',
} as const;

export type AuditEventName = keyof typeof AUDIT_EVENTS;

export type ActorType = 'user' | 'client' | 'admin' | 'cli' | 'login_app' | 'system';

export interface Actor {
  type: ActorType;
  /** The user id, client_id, admin identity or OS user; null when there is none. */
  id: string | null;
  /** The request's client address, when the actor came over HTTP. */
  address?: string | null;
}

export const SYSTEM_ACTOR: Actor = { type: 'system', id: null };

const actors = new AsyncLocalStorage<Actor>();

/** Runs `run` (and everything it starts) as `actor`: events recorded within name it unless they name their own. */
export function runAs<T>(actor: Actor, run: () => T): T {
  return actors.run(actor, run);
}

export interface AuditEvent {
  event: AuditEventName;
  /** Default: the actor of the context (runAs), else system. */
  actor?: Actor;
  subject?: string | null;
  clientId?: string | null;
  grantType?: string | null;
  /** Default: the actor's address. */
  address?: string | null;
  outcome?: string | null;
  detail?: AuditEventRecord['detail'];
}

/** Where the log lines go: pino's logger, or anything shaped like it. */
export interface AuditLogger {
  info(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
  /** pino's: lets the token path skip building a line nobody will write. */
  isLevelEnabled?(level: string): boolean;
}

const SILENT: AuditLogger = { info() {}, error() {}, isLevelEnabled: () => false };

/** How long token.issued counts gather before their rows are written (ms). */
const COUNT_WINDOW_MS = 1000;

/** One client's tokens of one grant type: the metric's series, and what was issued since the last row. */
interface IssuedCount {
  counter: { inc(): void };
  count: number;
  /** When the first of `count` was issued (epoch seconds). */
  from: number;
}

/** Tells this process's event ids from another's (made once: a random value per event would cost the hot path). */
const PROCESS_TAG = randomBytes(6).toString('hex');

export class AuditTrail {
  private logger: AuditLogger = SILENT;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private sequence = 0;
  /** client_id → grant_type → its count: the token path bumps it without building a label object. */
  private readonly issued = new Map<string, Map<string, IssuedCount>>();
  private pendingCounts = false;

  constructor(
    private readonly store: AuditStore,
    private readonly clock: Clock,
  ) {}

  /** Log lines go to this logger from now on (the server's; the CLI keeps none, its output is the answer). */
  useLogger(logger: AuditLogger): void {
    this.logger = logger;
  }

  /** Records one event: the log line at once, the row before it resolves. A failed write is logged, never thrown: the action it tells of happened. */
  async record(event: AuditEvent): Promise<void> {
    const record = this.toRecord(event);
    this.emit(record);
    try {
      await this.store.recordAuditEvents([record]);
    } catch (error) {
      this.logger.error({ err: error, event: record.event }, 'audit event could not be stored');
    }
  }

  /** token.issued, on the hot path: the metric and the log line now; the count goes in the next second's row. */
  tokenIssued(clientId: string, grantType: string, subject: string | null): void {
    const issued = this.issuedCount(clientId, grantType);
    issued.counter.inc();
    if (issued.count++ === 0) issued.from = epochSeconds(this.clock);
    if (this.logger.isLevelEnabled?.('info') ?? true) {
      this.log(this.toRecord({ event: 'token.issued', actor: { type: 'client', id: clientId }, subject, clientId, grantType, outcome: 'succeeded' }, ''));
    }
    this.pendingCounts = true;
    if (this.timer === undefined) {
      this.timer = setTimeout(() => void this.flush(), COUNT_WINDOW_MS);
      // Pending counts never keep the process alive; a graceful stop flushes them.
      this.timer.unref();
    }
  }

  /** Writes the pending token.issued counts; resolves once they (and any flush before) are stored or reported lost. */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const rows = this.pendingCounts ? this.takeCounts() : [];
    this.pendingCounts = false;
    this.flushing = this.flushing.then(async () => {
      if (rows.length === 0) return;
      try {
        await this.store.recordAuditEvents(rows);
      } catch (error) {
        this.logger.error({ err: error, lost: rows.length }, 'audit events (token.issued counts) could not be stored');
      }
    });
    return this.flushing;
  }

  /** One token.issued row per client and grant type that issued since the last, the counts reset. */
  private takeCounts(): AuditEventRecord[] {
    const rows: AuditEventRecord[] = [];
    for (const [clientId, byGrant] of this.issued) {
      for (const [grantType, issued] of byGrant) {
        if (issued.count === 0) continue;
        rows.push(this.toRecord({ event: 'token.issued', actor: { type: 'client', id: clientId }, clientId, grantType, outcome: 'succeeded', detail: { count: issued.count, from: issued.from } }));
        issued.count = 0;
      }
    }
    return rows;
  }

  /** The stored events, newest first; this process's pending token.issued counts are written first. */
  async list(filter: AuditEventFilter): Promise<AuditEventRecord[]> {
    await this.flush();
    return this.store.listAuditEvents(filter);
  }

  /** The record of an event; `id` given: for a log line only, which needs none. */
  private toRecord(event: AuditEvent, id?: string): AuditEventRecord {
    const actor = event.actor ?? actors.getStore() ?? SYSTEM_ACTOR;
    return {
      id: id ?? this.nextId(),
      at: epochSeconds(this.clock),
      event: event.event,
      actorType: actor.type,
      actorId: actor.id,
      subject: event.subject ?? null,
      clientId: event.clientId ?? null,
      grantType: event.grantType ?? null,
      address: event.address ?? actor.address ?? null,
      outcome: event.outcome ?? null,
      detail: event.detail ?? {},
    };
  }

  /**
   * Ids sort in the order events were recorded (listing is by time, then id): the clock's milliseconds and this
   * process's sequence, in decimal digits so every collation sorts them alike, then the process's tag so that
   * instances never collide.
   */
  private nextId(): string {
    this.sequence = (this.sequence + 1) % 1e9;
    return `${String(this.clock.now()).padStart(15, '0')}${String(this.sequence).padStart(9, '0')}-${PROCESS_TAG}`;
  }

  /** The log line and the counters an event moves. */
  private emit(record: AuditEventRecord): void {
    this.log(record);
    switch (record.event as AuditEventName) {
      case 'signin.succeeded':
      case 'signin.failed':
        signIns.inc({ outcome: record.outcome ?? 'unknown' });
        break;
      case 'refresh.reuse_detected':
        refreshReuse.inc();
        revocations.inc({ by: 'reuse' });
        break;
      case 'grant.revoked':
      case 'token.revoked':
        revocations.inc({ by: String(record.detail.by ?? record.actorType) });
        break;
      case 'consent.withdrawn':
        // Withdrawing consent revokes the user's grants for the client: a revocation when there were any.
        if (Number(record.detail.grants_revoked) > 0) revocations.inc({ by: String(record.detail.by ?? record.actorType) });
        break;
      default:
    }
  }

  private log(record: AuditEventRecord): void {
    this.logger.info(
      {
        audit: true,
        event: record.event,
        actor: { type: record.actorType, id: record.actorId },
        subject: record.subject,
        client_id: record.clientId,
        grant_type: record.grantType,
        address: record.address,
        outcome: record.outcome,
        detail: record.detail,
      },
      record.event,
    );
  }

  private issuedCount(clientId: string, grantType: string): IssuedCount {
    let byGrant = this.issued.get(clientId);
    if (!byGrant) this.issued.set(clientId, (byGrant = new Map()));
    let issued = byGrant.get(grantType);
    if (!issued) byGrant.set(grantType, (issued = { counter: tokensIssued.labels({ grant_type: grantType, client_id: clientId }), count: 0, from: 0 }));
    return issued;
  }
}
