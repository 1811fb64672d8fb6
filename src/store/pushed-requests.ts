// The storage Pushed Authorization Requests (RFC 9126) need: the PAR endpoint saves a client's validated request,
// the authorization endpoint consumes it once by its request_uri. A narrow interface of its own (neither token flows
// nor interactions need it); not a hot path, so one shared Kysely implementation (queries/pushed-requests.ts) serves
// both backends, and test/store/pushed-requests.test.ts holds it to one contract on both.
import type { ConsumePushedRequestResult, PushedRequestRecord } from './types.js';

/** The PAR writes. Every one is durable before it returns (SQLite: see sqlite/group-sync.ts). */
export interface PushedRequestWrites {
  savePushedRequest(record: PushedRequestRecord): Promise<void>;
  /**
   * Marks the request used and returns it, when it exists, belongs to `clientId`, is unexpired at `now` and was not
   * used yet. One conditional statement: of racing uses exactly one gets the request. Otherwise says why not.
   */
  consumePushedRequest(requestHash: string, clientId: string, now: number): Promise<ConsumePushedRequestResult>;
}

export type PushedRequestStore = PushedRequestWrites;
