// The checks of one DPoP proof (RFC 9449 §4.3), the same for the authorization server (token endpoint, userinfo) and
// the resource SDK: what a proof is, whatever remembers its jti or hands out nonces. Pure: the caller passes the
// request (method, public URL, the access token presented) and the time, and gets the key's thumbprint, or a
// DpopProofRejected naming the rule that failed. Replay (jti) and nonces are the caller's: the server keeps jtis in
// its database and nonces stateless across instances (src/oauth/dpop.ts), the SDK in a bounded cache (src/resource/dpop.ts).
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { createHash } from 'node:crypto';

/** Asymmetric algorithms only (RFC 9449 §4.2): a proof is signed with a private key whose public half it carries. */
export const DPOP_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'] as const;

/** How old a proof may be (its iat), and how far ahead of our clock: proofs are made for one request, now. */
export const DPOP_PROOF_MAX_AGE_SECONDS = 300;
export const DPOP_PROOF_LEEWAY_SECONDS = 60;

/** JWK members that only a private (or symmetric) key has; a proof carrying one is refused. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

/** Longest proof read (a 4096-bit RSA key with a long jti stays far below): bounds the work one header can cause. */
const MAX_PROOF_LENGTH = 8192;

export class DpopProofRejected extends Error {
  override readonly name = 'DpopProofRejected';
}

export interface DpopRequest {
  /** The request's HTTP method (htm). */
  method: string;
  /** The request's public URL (htu is compared without query and fragment). */
  url: string;
  /** The access token presented with the proof (Authorization: DPoP …): the proof's ath must be its hash. */
  accessToken?: string | undefined;
  /** Seconds since the epoch. */
  now: number;
  maxAgeSeconds?: number | undefined;
  leewaySeconds?: number | undefined;
}

export interface VerifiedDpopProof {
  /** The JWK SHA-256 thumbprint of the proof's key (RFC 7638), base64url: what cnf.jkt holds. */
  jkt: string;
  jti: string;
  iat: number;
  /** The nonce the proof carries, for the caller to judge. */
  nonce: string | undefined;
  /** Until when the jti must be remembered: after it the proof is too old anyway. */
  rememberUntil: number;
}

/** base64url(SHA-256(access token)): the ath a proof sent with that token carries (RFC 9449 §4.2). */
export function accessTokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** A URL as htu compares it: scheme, host, port and path, normalized; no query, no fragment (RFC 9449 §4.3 item 9). */
function htuOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

export async function verifyDpopProof(proof: string, request: DpopRequest): Promise<VerifiedDpopProof> {
  if (proof.length > MAX_PROOF_LENGTH || proof.split('.').length !== 3) {
    throw new DpopProofRejected('the DPoP proof is not a compact JWS (three dot-separated parts)');
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofRejected('the DPoP proof header is not valid base64url JSON');
  }
  if (header.typ !== 'dpop+jwt') throw new DpopProofRejected('the DPoP proof typ must be "dpop+jwt"');
  const alg = header.alg;
  if (typeof alg !== 'string' || !(DPOP_ALGORITHMS as readonly string[]).includes(alg)) {
    throw new DpopProofRejected(`the DPoP proof alg must be one of ${DPOP_ALGORITHMS.join(', ')}`);
  }
  const jwk = header.jwk as Record<string, unknown> | undefined;
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk) || typeof jwk.kty !== 'string') {
    throw new DpopProofRejected('the DPoP proof header must carry the public key as "jwk"');
  }
  if (PRIVATE_MEMBERS.some((member) => Object.hasOwn(jwk, member))) {
    throw new DpopProofRejected('the DPoP proof jwk must be a public key (it carries private or symmetric key material)');
  }
  let payload: Uint8Array;
  try {
    const key = await importJWK(jwk as JWK, alg);
    if (key instanceof Uint8Array) throw new Error('symmetric');
    ({ payload } = await compactVerify(proof, key, { algorithms: [alg] }));
  } catch {
    throw new DpopProofRejected('the DPoP proof signature does not verify with its jwk (or the jwk does not fit its alg)');
  }
  // The claims are judged here, each with its own message, not by a JWT library's generic rules.
  let claims: Record<string, unknown>;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload)) as Record<string, unknown>;
  } catch {
    throw new DpopProofRejected('the DPoP proof payload is not JSON');
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) throw new DpopProofRejected('the DPoP proof payload is not a JSON object');

  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > 256) throw new DpopProofRejected('the DPoP proof must carry a jti (at most 256 characters)');
  if (htm !== request.method) throw new DpopProofRejected(`the DPoP proof htm must be "${request.method}", the method of this request`);
  const expected = htuOf(request.url);
  if (typeof htu !== 'string' || htuOf(htu) === undefined || htuOf(htu) !== expected) {
    throw new DpopProofRejected(`the DPoP proof htu must be "${expected}", the URL of this request`);
  }
  const maxAge = request.maxAgeSeconds ?? DPOP_PROOF_MAX_AGE_SECONDS;
  const leeway = request.leewaySeconds ?? DPOP_PROOF_LEEWAY_SECONDS;
  if (typeof iat !== 'number' || !Number.isFinite(iat)) throw new DpopProofRejected('the DPoP proof must carry iat');
  if (iat < request.now - maxAge) throw new DpopProofRejected(`the DPoP proof is too old (iat more than ${maxAge} seconds ago); make a new proof for each request`);
  if (iat > request.now + leeway) throw new DpopProofRejected('the DPoP proof iat is in the future');
  if (request.accessToken !== undefined) {
    if (ath !== accessTokenHash(request.accessToken)) throw new DpopProofRejected('the DPoP proof ath must be the hash of the access token sent with it');
  }
  if (nonce !== undefined && typeof nonce !== 'string') throw new DpopProofRejected('the DPoP proof nonce must be a string');
  const jkt = await calculateJwkThumbprint(jwk as JWK, 'sha256');
  return { jkt, jti, iat, nonce, rememberUntil: Math.floor(iat) + maxAge + 1 };
}
