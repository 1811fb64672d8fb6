// DPoP at a resource server (RFC 9449 §7): a token bound to a key (cnf.jkt, in the JWT or the introspection answer)
// is accepted only as `Authorization: DPoP <token>` with a proof signed by that key, made for this request (htm,
// htu), for this token (ath), recently (iat), and not seen before (jti). The proof's checks are the ones the
// authorization server runs (../jwt/dpop.ts); what is the resource's own: the request's public URL, and where seen
// jtis are remembered (in this process by default, bounded; pluggable for a store shared by several instances).
import { DpopProofRejected, verifyDpopProof, type VerifiedDpopProof } from '../jwt/dpop.js';
import { InvalidDpopProofError } from './errors.js';

/** Remembers proofs seen. `add` answers false when the key was added before and has not expired; it may be async (a shared store). */
export interface DpopReplayCache {
  add(key: string, expiresAtSeconds: number): boolean | Promise<boolean>;
}

/**
 * The default replay cache: in this process, at most `maxEntries` proofs. Expired entries go first; when every entry
 * is still live, the oldest goes (a replay of it would then pass, so size it above the proofs a resource sees in
 * DPOP_PROOF_MAX_AGE_SECONDS). Several instances behind a load balancer each keep their own: give them a shared one.
 */
export class MemoryDpopReplayCache implements DpopReplayCache {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  add(key: string, expiresAtSeconds: number): boolean {
    const now = Math.floor(this.now() / 1000);
    const known = this.seen.get(key);
    if (known !== undefined && known > now) return false;
    this.seen.delete(key);
    if (this.seen.size >= this.maxEntries) this.evict(now);
    this.seen.set(key, expiresAtSeconds);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Drops expired entries; if none had expired, the oldest one. Insertion order is age order. */
  private evict(now: number): void {
    for (const [key, expiresAt] of this.seen) if (expiresAt <= now) this.seen.delete(key);
    if (this.seen.size >= this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
  }
}

export interface DpopCheck {
  proof: string | readonly string[] | null | undefined;
  method: string;
  /** The request's public URL (absolute). */
  url: string;
  accessToken: string;
  nowSeconds: number;
  maxAgeSeconds: number;
  replay: DpopReplayCache;
}

/** The proof of a DPoP request, checked, and its jti recorded; throws InvalidDpopProofError. */
export async function checkDpopProof(check: DpopCheck): Promise<VerifiedDpopProof> {
  const header = check.proof;
  if (header === null || header === undefined) throw new InvalidDpopProofError('the request uses the DPoP scheme but carries no DPoP proof header');
  if (typeof header !== 'string' && header.length !== 1) throw new InvalidDpopProofError('the request carries more than one DPoP header');
  const value = typeof header === 'string' ? header : header[0]!;
  if (value.includes(',')) throw new InvalidDpopProofError('the request carries more than one DPoP header');
  let proof: VerifiedDpopProof;
  try {
    proof = await verifyDpopProof(value, { method: check.method, url: check.url, accessToken: check.accessToken, now: check.nowSeconds, maxAgeSeconds: check.maxAgeSeconds });
  } catch (error) {
    if (error instanceof DpopProofRejected) throw new InvalidDpopProofError(error.message);
    throw error;
  }
  return proof;
}

/** Records the proof's jti (per key); throws when it was seen. Called once the token is known to be bound to the key. */
export async function recordDpopProof(replay: DpopReplayCache, proof: VerifiedDpopProof): Promise<void> {
  if (!(await replay.add(`${proof.jkt}:${proof.jti}`, proof.rememberUntil))) {
    throw new InvalidDpopProofError('the DPoP proof was used before (its jti was seen)', { hint: 'make a new proof for every request' });
  }
}

/** The request's URL as the client addressed it: the configured public base URL and the request's path, else the request's own URL. */
export function publicRequestUrl(target: string | undefined, publicBaseUrl: string | undefined, host: string | undefined, protocol: string | undefined): string {
  const raw = target ?? '/';
  let path: string;
  try {
    const absolute = new URL(raw);
    if (publicBaseUrl === undefined) return absolute.href;
    path = absolute.pathname + absolute.search;
  } catch {
    path = raw;
  }
  // Concatenated, not resolved: a base with a path (a proxy that strips a prefix) keeps it.
  if (publicBaseUrl !== undefined) return `${publicBaseUrl.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
  return `${protocol ?? 'http'}://${host ?? 'localhost'}${path}`;
}
