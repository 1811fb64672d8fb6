// DPoP at this server (RFC 9449): the proofs sent to the token endpoint and to userinfo. The proof's own checks are
// the shared ones (src/jwt/dpop.ts); here the server's part:
// - htu is compared with the issuer's URL of the endpoint (config.issuer + path), not with the Host the request
//   arrived with, so a proof is judged alike behind a proxy and on any instance;
// - each proof's jti is recorded in the shared database (insert-or-fail), so a proof is accepted once by any
//   instance; the record lasts while the proof's iat is acceptable and housekeeping removes it after;
// - nonces (GATEHOUSE_DPOP_NONCE) are stateless: an HMAC of the current time window under a key derived from
//   GATEHOUSE_SECRET, so every instance hands out and accepts the same ones; the previous window's is accepted too,
//   so a nonce handed out just before a window ends still works.
import { mac } from '../domain/crypto.js';
import { DPOP_ALGORITHMS, DpopProofRejected, verifyDpopProof, type VerifiedDpopProof } from '../jwt/dpop.js';
import type { DpopProofWrites } from '../store/dpop-proofs.js';
import { OAuthError } from './errors.js';

/** How long one nonce is handed out; each is accepted for up to two windows. */
export const DPOP_NONCE_WINDOW_SECONDS = 300;

export class InvalidDpopProof extends OAuthError {
  constructor(description: string, status = 400) {
    super('invalid_dpop_proof', description, status);
  }
}

export class UseDpopNonce extends OAuthError {
  constructor(description: string, nonce: string, status = 400) {
    super('use_dpop_nonce', description, status);
    this.dpopNonce = nonce;
  }
}

export interface DpopSettings {
  issuer: string;
  secret: string;
  /** Proofs must carry a nonce from this server. */
  nonce: boolean;
}

export interface DpopRequestAt {
  method: string;
  /** The endpoint's path on the issuer (htu is the issuer + path). */
  path: string;
  /** The access token the proof comes with (userinfo): its hash must be the proof's ath. */
  accessToken?: string | undefined;
  /** 400 at the token endpoint, 401 at a protected resource (RFC 9449 §7.1). */
  status?: 400 | 401;
}

export class DpopService {
  readonly algorithms: readonly string[] = DPOP_ALGORITHMS;

  constructor(
    private readonly settings: DpopSettings,
    private readonly store: DpopProofWrites,
    private readonly now: () => number,
  ) {}

  /** The nonce to hand out now (DPoP-Nonce header); undefined when nonces are off. */
  nonce(): string | undefined {
    return this.settings.nonce ? this.nonceFor(Math.floor(this.now() / DPOP_NONCE_WINDOW_SECONDS)) : undefined;
  }

  /**
   * The proof of a request's DPoP header, checked; undefined when the request carries none. Throws InvalidDpopProof,
   * or UseDpopNonce (with the nonce to use) when nonces are on and the proof lacks a current one.
   */
  async verify(header: string | string[] | undefined, request: DpopRequestAt): Promise<VerifiedDpopProof | undefined> {
    if (header === undefined) return undefined;
    const status = request.status ?? 400;
    // Node joins repeated headers with ", "; a JWS has no comma.
    if (typeof header !== 'string' || header.includes(',')) throw new InvalidDpopProof('send exactly one DPoP header', status);
    if (header === '') throw new InvalidDpopProof('the DPoP header is empty', status);
    const now = this.now();
    let proof: VerifiedDpopProof;
    try {
      proof = await verifyDpopProof(header, { method: request.method, url: `${this.settings.issuer}${request.path}`, accessToken: request.accessToken, now });
    } catch (error) {
      if (error instanceof DpopProofRejected) throw new InvalidDpopProof(error.message, status);
      throw error;
    }
    const current = this.nonce();
    if (current !== undefined && (proof.nonce === undefined || !this.nonceAccepted(proof.nonce, now))) {
      const why = proof.nonce === undefined ? 'this server requires a nonce in DPoP proofs' : 'the DPoP proof nonce is not current';
      throw new UseDpopNonce(`${why}: use the one in the DPoP-Nonce header`, current, status);
    }
    if (!(await this.store.recordDpopProof(proof.jkt, proof.jti, proof.rememberUntil))) {
      throw new InvalidDpopProof('the DPoP proof was used already (its jti was seen); make a new proof for each request', status);
    }
    return proof;
  }

  private nonceAccepted(nonce: string, now: number): boolean {
    const window = Math.floor(now / DPOP_NONCE_WINDOW_SECONDS);
    return nonce === this.nonceFor(window) || nonce === this.nonceFor(window - 1);
  }

  private nonceFor(window: number): string {
    return mac(`dpop-nonce:${window}`, this.settings.secret, 'dpop-nonce');
  }
}
