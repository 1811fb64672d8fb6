// The issuer's signing keys, cached. jose's createLocalJWKSet picks and imports the key for a token
// (kid, alg, kty, use, key_ops); this module decides when to fetch:
// - on first use, and again when the copy is older than `maxAgeSeconds`;
// - when a token names a key the copy lacks (the issuer rotated): one refetch, then at most one per
//   `cooldownSeconds`, so a flood of tokens with made-up kids never becomes a flood of fetches;
// - never twice at once: concurrent callers share the fetch in flight (single-flight).
// If a refresh fails while an older copy exists, the older copy keeps serving (and a retry waits a cooldown).
import { createLocalJWKSet, errors, type FlattenedJWSInput, type JSONWebKeySet, type JWSHeaderParameters } from 'jose';
import { IssuerMetadataInvalidError, TokenKeyNotFoundError, isResourceAuthError } from './errors.js';
import type { ResourceLogger } from './types.js';

type LocalKeySet = ReturnType<typeof createLocalJWKSet>;
type VerificationKey = Awaited<ReturnType<LocalKeySet>>;

export interface JwksCacheOptions {
  /** Fetches the JWKS document (the caller knows where it is and how to report failures). */
  load: () => Promise<unknown>;
  /** How long a fetched copy is used before it is refreshed. */
  maxAgeSeconds: number;
  /** The least time between two refetches caused by unknown kids. */
  cooldownSeconds: number;
  logger?: ResourceLogger | undefined;
  now?: () => number;
}

export class JwksCache {
  private keys: LocalKeySet | undefined;
  private freshUntil = 0;
  private lastUnknownKidRefetch = Number.NEGATIVE_INFINITY;
  private pending: Promise<LocalKeySet> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: JwksCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  /** A jose `JWTVerifyGetKey`: the key that verifies the token with this header. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey> => {
    const used = await this.current();
    const found = await lookup(used, header, token);
    if (found !== undefined) return found;

    let latest: LocalKeySet | undefined;
    if (this.pending) {
      latest = await this.pending;
    } else if (this.now() - this.lastUnknownKidRefetch >= this.options.cooldownSeconds * 1000) {
      this.lastUnknownKidRefetch = this.now();
      this.options.logger?.debug({ kid: String(header.kid).slice(0, 64) }, 'token names a key the cached JWKS lacks; refetching the JWKS');
      latest = await this.refresh();
    } else if (this.keys !== used) {
      latest = this.keys; // another caller refreshed meanwhile
    }
    const retried = latest === undefined ? undefined : await lookup(latest, header, token);
    if (retried !== undefined) return retried;

    const kid = typeof header.kid === 'string' ? `kid ${JSON.stringify(header.kid.slice(0, 64))}` : 'no kid';
    throw new TokenKeyNotFoundError(
      `the token is signed with a key (${kid}, alg ${String(header.alg).slice(0, 16)}) the issuer's JWKS does not hold` +
        (latest === undefined ? ' (refetch skipped: cooling down)' : ' (after a refetch)'),
      { hint: 'the token comes from another issuer, or its key was retired' },
    );
  };

  private async current(): Promise<LocalKeySet> {
    if (this.keys && this.now() < this.freshUntil) return this.keys;
    if (!this.keys) return this.refresh();
    try {
      return await this.refresh();
    } catch (error) {
      this.freshUntil = this.now() + this.options.cooldownSeconds * 1000;
      this.options.logger?.warn(
        { code: isResourceAuthError(error) ? error.code : undefined, reason: error instanceof Error ? error.message : String(error) },
        'JWKS refresh failed; still using the previous copy',
      );
      return this.keys;
    }
  }

  private refresh(): Promise<LocalKeySet> {
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetch(): Promise<LocalKeySet> {
    const document = await this.options.load();
    let keys: LocalKeySet;
    try {
      keys = createLocalJWKSet(document as JSONWebKeySet);
    } catch (cause) {
      throw new IssuerMetadataInvalidError('the issuer published a malformed JWKS', { cause });
    }
    this.keys = keys;
    this.freshUntil = this.now() + this.options.maxAgeSeconds * 1000;
    return keys;
  }
}

/** The matching key, undefined when none matches; other failures (several match, bad alg) propagate to jose. */
async function lookup(keys: LocalKeySet, header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<VerificationKey | undefined> {
  try {
    return await keys(header, token);
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey) return undefined;
    throw error;
  }
}
