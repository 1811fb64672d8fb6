// Ending a sign-in session and telling its clients (OpenID Back-Channel and Front-Channel Logout 1.0).
//
// endSession is the one way a session ends on purpose, whichever door it is reached by (RP-Initiated Logout, the
// sign-out button, a new sign-in in the same browser, and delegated logout later): the store deletes the session and
// queues one back-channel delivery per client that asked for them, in one transaction; the answer names the
// front-channel URIs the signed-out page loads. Deliveries are sent in the background (never on the browser's
// request), each attempt with a timeout, failures retried with backoff by the injectable clock, given up after
// BACKCHANNEL_MAX_ATTEMPTS with a log line. Only a client's registered http(s) backchannel_logout_uri, read at send
// time, is ever called, and redirects are not followed.
import type { LogoutStore } from '../store/logout.js';
import type { LookupStore } from '../store/lookups.js';
import type { ClientRecord, LogoutDeliveryRecord, SessionRecord } from '../store/types.js';
import { SIGNING_ALG } from '../jwt/rules.js';
import { signJwt } from '../jwt/sign.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { randomId, sha256Hex } from './crypto.js';
import type { KeyService } from './keys.js';

/** The event a logout token carries (Back-Channel Logout 1.0 §2.4). */
export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';
/** A logout token's lifetime: signed afresh for every attempt, so it can be short. */
export const LOGOUT_TOKEN_TTL_SECONDS = 120;
/** How long one delivery attempt may take before it counts as failed. */
export const BACKCHANNEL_TIMEOUT_MS = 5000;
/** Attempts per delivery before it is given up (and logged). */
export const BACKCHANNEL_MAX_ATTEMPTS = 5;
/** Seconds to wait after the 1st, 2nd, … failed attempt. */
export const BACKCHANNEL_BACKOFF_SECONDS: readonly number[] = [30, 120, 600, 3600];
/** A leased delivery is not sent by another instance for this long (longer than an attempt's timeout). */
const LEASE_SECONDS = 60;
/** Deliveries claimed per round of the sender. */
const BATCH = 50;

export interface LogoutLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** A session that was ended, and the front-channel logout URIs the signed-out page loads in invisible iframes. */
export interface SessionLogout {
  session: SessionRecord;
  /** The clients issued codes in the session (found still registered). */
  clients: ClientRecord[];
  frontChannelUris: string[];
}

export interface DeliveryRound {
  sent: number;
  retried: number;
  gaveUp: number;
}

/** Where a front-channel logout sends a client's frame: its URI, with iss and sid when it asked for them (§2). */
export function frontChannelUri(client: ClientRecord, issuer: string, sid: string | null): string | undefined {
  if (client.frontchannelLogoutUri === null) return undefined;
  if (!client.frontchannelLogoutSessionRequired || sid === null) return client.frontchannelLogoutUri;
  const url = new URL(client.frontchannelLogoutUri);
  url.searchParams.set('iss', issuer);
  url.searchParams.set('sid', sid);
  return url.href;
}

export class LogoutService {
  private running: Promise<DeliveryRound> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly issuer: string,
    private readonly store: LogoutStore & LookupStore,
    private readonly keys: Pick<KeyService, 'signingKey'>,
    private readonly clock: Clock,
    private log: LogoutLogger | undefined = undefined,
    /** How an attempt is made; tests and the server use the real fetch. */
    private readonly send: typeof fetch = fetch,
  ) {}

  /**
   * Ends a session (by the browser's cookie, or by its public sid) and queues its back-channel notifications; the
   * background sender is woken to send them. Undefined when there was no such session.
   */
  async endSession(by: { cookieValue: string | undefined } | { sid: string }): Promise<SessionLogout | undefined> {
    let key: { idHash: string } | { sid: string };
    if ('sid' in by) key = { sid: by.sid };
    else if (by.cookieValue && by.cookieValue.length <= 100) key = { idHash: sha256Hex(by.cookieValue) };
    else return undefined;
    const ended = await this.store.endSession(key, epochSeconds(this.clock));
    if (!ended) return undefined;
    const clients: ClientRecord[] = [];
    for (const clientId of ended.clientIds) {
      const client = await this.store.getClient(clientId);
      if (client) clients.push(client);
    }
    if (clients.some((client) => client.backchannelLogoutUri !== null)) this.wake();
    const frontChannelUris = clients.flatMap((client) => frontChannelUri(client, this.issuer, ended.session.sid) ?? []);
    return { session: ended.session, clients, frontChannelUris };
  }

  /** The logout token for one delivery (§2.4): the ID-token key, typ logout+jwt, no nonce. */
  async logoutToken(client: ClientRecord, delivery: Pick<LogoutDeliveryRecord, 'sid' | 'userId'>, now: number): Promise<string> {
    const key = await this.keys.signingKey(SIGNING_ALG.logout_token);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      sub: delivery.userId,
      aud: client.clientId,
      iat: now,
      exp: now + LOGOUT_TOKEN_TTL_SECONDS,
      jti: randomId(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sid: delivery.sid,
    };
    return signJwt(claims, { kind: 'logout_token', key });
  }

  /**
   * Sends every delivery that is due by the clock, once each, and waits for the attempts. Rounds in one process run
   * one after another (a call made while one runs waits for it, then runs its own), and instances share the queue
   * through leases. Tests call it after moving the clock instead of waiting for the background timer.
   */
  deliverPending(): Promise<DeliveryRound> {
    const previous = this.running ?? Promise.resolve(undefined);
    const round = previous.catch(() => undefined).then(() => this.drain());
    this.running = round;
    void round.finally(() => {
      if (this.running === round) this.running = undefined;
    }).catch(() => undefined);
    return round;
  }

  /** Drains the queue every `intervalSeconds` (a real timer: it paces work; what is due is the clock's to say). */
  start(intervalSeconds: number, log?: LogoutLogger): void {
    if (log) this.log = log;
    if (intervalSeconds <= 0 || this.timer) return;
    this.timer = setInterval(() => this.wake(), intervalSeconds * 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** A round in the background; its failure is logged, never thrown at a request. */
  private wake(): void {
    this.deliverPending().catch((error: unknown) => this.log?.error({ err: error }, 'back-channel logout round failed; it will be tried again'));
  }

  private async drain(): Promise<DeliveryRound> {
    const round: DeliveryRound = { sent: 0, retried: 0, gaveUp: 0 };
    for (;;) {
      const now = epochSeconds(this.clock);
      const leased = await this.store.leaseLogoutDeliveries(now, now + LEASE_SECONDS, BATCH);
      const outcomes = await Promise.all(leased.map((delivery) => this.attempt(delivery)));
      for (const outcome of outcomes) round[outcome]++;
      if (leased.length < BATCH) return round;
    }
  }

  private async attempt(delivery: LogoutDeliveryRecord): Promise<keyof DeliveryRound> {
    const client = await this.store.getClient(delivery.clientId);
    const uri = client?.backchannelLogoutUri ?? null;
    // The client was changed since: it no longer takes notifications, so there is nobody to tell.
    if (!client || uri === null || !/^https?:\/\//i.test(uri)) {
      await this.store.deleteLogoutDelivery(delivery.sid, delivery.clientId);
      return 'sent';
    }
    let failure: string;
    try {
      const token = await this.logoutToken(client, delivery, epochSeconds(this.clock));
      const response = await this.send(uri, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'cache-control': 'no-store' },
        body: new URLSearchParams({ logout_token: token }).toString(),
        redirect: 'manual',
        signal: AbortSignal.timeout(BACKCHANNEL_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) {
        await this.store.deleteLogoutDelivery(delivery.sid, delivery.clientId);
        return 'sent';
      }
      failure = `HTTP ${response.status}`;
    } catch (error) {
      failure = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${BACKCHANNEL_TIMEOUT_MS} ms` : describe(error);
    }
    const context = { clientId: delivery.clientId, sid: delivery.sid, attempt: delivery.attempts, failure };
    if (delivery.attempts >= BACKCHANNEL_MAX_ATTEMPTS) {
      await this.store.deleteLogoutDelivery(delivery.sid, delivery.clientId);
      this.log?.error(context, 'back-channel logout given up: the client was not told of the sign-out');
      return 'gaveUp';
    }
    const wait = BACKCHANNEL_BACKOFF_SECONDS[Math.min(delivery.attempts, BACKCHANNEL_BACKOFF_SECONDS.length) - 1] ?? BACKCHANNEL_BACKOFF_SECONDS[0]!;
    await this.store.rescheduleLogoutDelivery(delivery.sid, delivery.clientId, epochSeconds(this.clock) + wait, failure);
    this.log?.warn({ ...context, retryInSeconds: wait }, 'back-channel logout failed; it will be tried again');
    return 'retried';
  }
}

/** An error's message (and its cause's: fetch says "fetch failed" and puts the reason there), for a log line. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 300);
}
