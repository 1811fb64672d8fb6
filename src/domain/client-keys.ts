// The public keys a private_key_jwt client signs with: registered inline (jwks) or published at its jwks_uri. A
// jwks_uri is fetched under the outbound rules (util/outbound-fetch.ts: https, public addresses only, no redirects,
// bounded), kept as long as its Cache-Control allows (between one minute and a day), and fetched again early only
// when an assertion names a kid the copy lacks (a key rotation), at most once a minute, so unknown kids cannot make
// Gatehouse hammer the client's server. Cached per instance, bounded in count.
import type { JsonWebKey } from 'node:crypto';
import type { ClientRecord } from '../store/types.js';
import { fetchJson, MIN_REUSE_SECONDS, OutboundFetchError, reuseSeconds, type FetchedJson, type OutboundPolicy } from '../util/outbound-fetch.js';
import { epochSeconds, type Clock } from '../util/clock.js';
import { ClientInputError, validateJwks } from './clients.js';

const MAX_CLIENTS = 1000;

/** A client's keys could not be had: the reason names the URL and what went wrong. */
export class ClientKeysUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClientKeysUnavailable';
  }
}

interface Entry {
  uri: string;
  keys: JsonWebKey[];
  fetchedAt: number;
  expiresAt: number;
}

export class ClientKeySets {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly policy: OutboundPolicy,
    private readonly clock: Clock,
    private readonly fetch: (url: string, policy: OutboundPolicy) => Promise<FetchedJson> = fetchJson,
  ) {}

  /** The client's key with this kid (a JWK), or undefined when it has none by that kid. */
  async key(client: ClientRecord, kid: string): Promise<JsonWebKey | undefined> {
    if (client.jwks !== null) return client.jwks.keys.find((key) => key.kid === kid);
    if (client.jwksUri === null) return undefined;
    const now = epochSeconds(this.clock);
    let entry = this.entries.get(client.clientId);
    if (!entry || entry.uri !== client.jwksUri || entry.expiresAt <= now) entry = await this.load(client.clientId, client.jwksUri, now);
    let found = entry.keys.find((key) => key.kid === kid);
    if (!found && entry.fetchedAt + MIN_REUSE_SECONDS <= now) {
      entry = await this.load(client.clientId, client.jwksUri, now);
      found = entry.keys.find((key) => key.kid === kid);
    }
    return found;
  }

  private async load(clientId: string, uri: string, now: number): Promise<Entry> {
    let fetched: FetchedJson;
    try {
      fetched = await this.fetch(uri, this.policy);
    } catch (error) {
      if (error instanceof OutboundFetchError) throw new ClientKeysUnavailable(`the client's jwks_uri could not be used: ${error.message}`);
      throw error;
    }
    let keys: JsonWebKey[];
    try {
      keys = validateJwks(fetched.body).keys;
    } catch (error) {
      if (error instanceof ClientInputError) throw new ClientKeysUnavailable(`the client's jwks_uri ${uri} does not hold usable keys: ${error.message}`);
      throw error;
    }
    const entry = { uri, keys, fetchedAt: now, expiresAt: now + reuseSeconds(fetched) };
    this.entries.delete(clientId);
    if (this.entries.size >= MAX_CLIENTS) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(clientId, entry);
    return entry;
  }
}
