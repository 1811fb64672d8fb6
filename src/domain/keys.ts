// Signing keys: made on first start, rotated on request, private parts sealed with the instance secret.
// Every instance reads the key set from the store and refreshes its copy when it is older than
// GATEHOUSE_KEY_REFRESH (10 s by default), so a key made or rotated at one instance is served (and used)
// by all within that bound.
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { AdminStore } from '../store/administration.js';
import type { SigningAlg, SigningKeyRecord } from '../store/types.js';
import { randomId, seal, unseal } from './crypto.js';
import { ConfigError } from '../config.js';
import { JWT_ALGORITHMS } from '../jwt/rules.js';
import { epochSeconds, type Clock } from '../util/clock.js';

/** One signing key per algorithm the JWT rules allow. */
export const SIGNING_ALGS: SigningAlg[] = [...JWT_ALGORITHMS];
const SEAL_PURPOSE = 'signing-key';

export interface ActiveKey {
  kid: string;
  alg: SigningAlg;
  privateKey: KeyObject;
}

interface KeySet {
  /** When this copy must be read again: the refresh period, or sooner when a new key starts signing. */
  expiresAt: number;
  active: Map<SigningAlg, ActiveKey>;
  publicKeys: Map<string, { alg: SigningAlg; key: KeyObject }>;
  jwks: { keys: JWK[] };
}

export class KeyService {
  private keySet: KeySet | undefined;
  private loading: Promise<KeySet> | undefined;
  private unknownKidReloadAt = 0;

  constructor(
    private readonly store: AdminStore,
    private readonly clock: Clock,
    private readonly secret: string,
    private readonly retentionSeconds: number,
    readonly refreshSeconds = 10,
  ) {}

  /** Makes an ES256 and an RS256 key when none exists; instances starting together make one each, not one apiece. */
  async ensureKeys(): Promise<void> {
    const existing = await this.store.listSigningKeys(epochSeconds(this.clock));
    for (const alg of SIGNING_ALGS) {
      if (existing.some((key) => key.alg === alg && key.retiredAt === null)) continue;
      await this.store.rotateSigningKey(await this.generate(alg), 0, { onlyIfNone: true });
    }
    this.keySet = undefined;
  }

  /** Makes a new active key for each algorithm given; the old one stays published for the retention period. */
  async rotate(algs: SigningAlg[] = SIGNING_ALGS): Promise<SigningKeyRecord[]> {
    const made: SigningKeyRecord[] = [];
    // A retired key stays published until every token it signed has expired, whatever the retention setting says.
    const longestTokenLife = Math.max(3600, ...(await this.store.listClients()).map((client) => client.accessTokenTtl));
    const keepFor = Math.max(this.retentionSeconds, longestTokenLife);
    for (const alg of algs) {
      const key = await this.generate(alg);
      await this.store.rotateSigningKey(key, key.createdAt + keepFor);
      made.push(key);
    }
    this.keySet = undefined;
    return made;
  }

  /** Opens the active keys now, so an instance started with another GATEHOUSE_SECRET fails at start, not per request. */
  async checkSecret(): Promise<void> {
    try {
      await this.reload();
    } catch (error) {
      throw new ConfigError(
        `GATEHOUSE_SECRET cannot open the signing keys in this database (${(error as Error).message}); every instance must use the secret the keys were made with`,
      );
    }
  }

  async signingKey(alg: SigningAlg): Promise<ActiveKey> {
    const active = (await this.current()).active.get(alg);
    if (!active) throw new Error(`no active ${alg} signing key: run "gatehouse migrate" or start the server once`);
    return active;
  }

  /** The public key that verifies a token signed by `kid`, if it is still published. */
  async verificationKey(kid: string): Promise<{ alg: SigningAlg; key: KeyObject } | undefined> {
    let set = await this.current();
    // An unknown kid may be a key made a moment ago elsewhere; look again, but at most once a second, so that
    // tokens with made-up kids cannot turn every request into a read of the key table.
    if (!set.publicKeys.has(kid) && this.clock.now() - this.unknownKidReloadAt >= 1000) {
      this.unknownKidReloadAt = this.clock.now();
      set = await this.reload();
    }
    return set.publicKeys.get(kid);
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return (await this.current()).jwks;
  }

  private async current(): Promise<KeySet> {
    const set = this.keySet;
    if (set && this.clock.now() < set.expiresAt) return set;
    return this.reload();
  }

  private reload(): Promise<KeySet> {
    // One load at a time: concurrent requests share it instead of each reading the store.
    this.loading ??= this.load().then(
      (set) => {
        this.keySet = set;
        this.loading = undefined;
        return set;
      },
      (error: unknown) => {
        this.loading = undefined;
        throw error;
      },
    );
    return this.loading;
  }

  private async load(): Promise<KeySet> {
    const now = epochSeconds(this.clock);
    const records = await this.store.listSigningKeys(now);
    const active = new Map<SigningAlg, ActiveKey>();
    const publicKeys = new Map<string, { alg: SigningAlg; key: KeyObject }>();
    const jwks: JWK[] = [];
    let expiresAt = this.clock.now() + this.refreshSeconds * 1000;
    for (const record of records) {
      const publicJwk = JSON.parse(record.publicJwk) as JWK;
      // A kid names one key for ever: keep its KeyObject across reloads (verified-token caches compare by identity).
      const known = this.keySet?.publicKeys.get(record.kid);
      publicKeys.set(record.kid, known ?? { alg: record.alg, key: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }) });
      jwks.push({ ...publicJwk, kid: record.kid, alg: record.alg, use: 'sig' });
    }
    for (const alg of SIGNING_ALGS) {
      const choice = this.chooseSigner(records.filter((record) => record.alg === alg), now);
      if (!choice) continue;
      active.set(alg, choice.key);
      if (choice.switchAt !== undefined) expiresAt = Math.min(expiresAt, choice.switchAt * 1000);
    }
    return { expiresAt, active, publicKeys, jwks: { keys: jwks } };
  }

  /**
   * A new key signs only once every instance has had time to publish it (one refresh period): until then the
   * key it replaced goes on signing, so a resource server that refetches the JWKS from any instance finds the kid.
   */
  private chooseSigner(records: SigningKeyRecord[], now: number): { key: ActiveKey; switchAt?: number } | undefined {
    const newest = records.find((record) => record.retiredAt === null);
    if (!newest) return undefined;
    const switchAt = newest.createdAt + this.refreshSeconds;
    if (switchAt > now) {
      const previous = records
        .filter((record) => record.retiredAt !== null && record.retiredAt >= newest.createdAt - 1)
        .sort((a, b) => (b.retiredAt ?? 0) - (a.retiredAt ?? 0))[0];
      const opened = previous && this.open(previous);
      if (opened) return { key: opened, switchAt };
    }
    return { key: this.open(newest, true)! };
  }

  private open(record: SigningKeyRecord, required = false): ActiveKey | undefined {
    try {
      const privateJwk = JSON.parse(unseal(record.privateJwkSealed, this.secret, SEAL_PURPOSE)) as JWK;
      return { kid: record.kid, alg: record.alg, privateKey: createPrivateKey({ key: privateJwk as JsonWebKey, format: 'jwk' }) };
    } catch (error) {
      // A retired key sealed with an earlier secret may stay closed; the active one must open.
      if (required) throw error;
      return undefined;
    }
  }


  private async generate(alg: SigningAlg): Promise<SigningKeyRecord> {
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const privateJwk = await exportJWK(privateKey);
    return {
      kid: `${alg.toLowerCase()}-${randomId()}`,
      alg,
      publicJwk: JSON.stringify(publicJwk),
      privateJwkSealed: seal(JSON.stringify(privateJwk), this.secret, SEAL_PURPOSE),
      createdAt: epochSeconds(this.clock),
      retiredAt: null,
      expiresAt: null,
    };
  }
}
