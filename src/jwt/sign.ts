// Signing the JWTs Gatehouse issues (ES256 access tokens, RS256 ID tokens), straight on node:crypto KeyObjects:
// on the token endpoint's hot path the signature should be the only real cost. The header follows the rules
// the verifier checks (./rules.ts): typ by kind, an allowed alg, the key's kid.
import { sign, type KeyObject } from 'node:crypto';
import { JWT_TYP, SIGNING_ALG, type SignedJwtKind } from './rules.js';

export interface SignJwtOptions {
  kind: SignedJwtKind;
  /** The active key for SIGNING_ALG[kind], and its kid. */
  key: { kid: string; privateKey: KeyObject };
}

// A handful of distinct headers (one per key and kind): encode each once.
const encodedHeaders = new Map<string, string>();

function encodeHeader(kind: SignedJwtKind, kid: string): string {
  const id = `${kind} ${kid}`;
  let encoded = encodedHeaders.get(id);
  if (encoded === undefined) {
    encoded = encodeSegment({ alg: SIGNING_ALG[kind], typ: JWT_TYP[kind], kid });
    // Keys rotate rarely, but a long-running process must not collect them for ever.
    if (encodedHeaders.size >= 64) encodedHeaders.clear();
    encodedHeaders.set(id, encoded);
  }
  return encoded;
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/**
 * Signs on libuv's thread pool (node:crypto's callback form): the main thread goes on parsing and answering
 * other requests meanwhile, so a second core does the signatures.
 */
export function signJwt(claims: object, options: SignJwtOptions): Promise<string> {
  const signingInput = `${encodeHeader(options.kind, options.key.kid)}.${encodeSegment(claims)}`;
  // ES256 signatures in a JWS are the raw r||s pair (RFC 7518 §3.4), not DER.
  const key = SIGNING_ALG[options.kind] === 'ES256' ? { key: options.key.privateKey, dsaEncoding: 'ieee-p1363' as const } : options.key.privateKey;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput), key, (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}
