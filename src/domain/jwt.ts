// Compact JWS signing and verification for the algorithms Gatehouse issues (ES256, RS256), straight on
// node:crypto KeyObjects: on the token endpoint's hot path the signature should be the only real cost.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningAlg } from '../store/types.js';

export interface JwtHeader {
  alg: SigningAlg;
  typ: string;
  kid: string;
}

function encodeSegment(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

// ES256 signatures in a JWS are the raw r||s pair (RFC 7518 §3.4), not DER.
function signatureOptions(alg: SigningAlg, key: KeyObject) {
  return alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
}

/**
 * Signs on libuv's thread pool (node:crypto's callback form): the main thread goes on parsing and answering
 * other requests meanwhile, so a second core does the signatures.
 */
// A handful of distinct headers (one per key and token type): encode each once.
const encodedHeaders = new Map<string, string>();

function encodeHeader(header: JwtHeader): string {
  const id = `${header.alg} ${header.typ} ${header.kid}`;
  let encoded = encodedHeaders.get(id);
  if (encoded === undefined) {
    encoded = encodeSegment(header);
    // Keys rotate rarely, but a long-running process must not collect them for ever.
    if (encodedHeaders.size >= 64) encodedHeaders.clear();
    encodedHeaders.set(id, encoded);
  }
  return encoded;
}

export function signJwt(header: JwtHeader, payload: object, key: KeyObject): Promise<string> {
  const signingInput = `${encodeHeader(header)}.${encodeSegment(payload)}`;
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput), signatureOptions(header.alg, key), (error, signature) => {
      if (error) reject(error);
      else resolve(`${signingInput}.${signature.toString('base64url')}`);
    });
  });
}

export function privateKeyFromJwk(jwk: JWK): KeyObject {
  return createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}

export function publicKeyFromJwk(jwk: JWK): KeyObject {
  return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  signingInput: string;
  signature: Buffer;
}

/** Splits and parses a compact JWS; undefined when it is not one. Verifies nothing. */
export function decodeJwt(token: string): DecodedJwt | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8')) as unknown;
    const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    if (typeof header !== 'object' || header === null || typeof payload !== 'object' || payload === null) return undefined;
    return {
      header: header as Record<string, unknown>,
      payload: payload as Record<string, unknown>,
      signingInput: `${parts[0]}.${parts[1]}`,
      signature: Buffer.from(parts[2]!, 'base64url'),
    };
  } catch {
    return undefined;
  }
}

export function verifySignature(decoded: DecodedJwt, alg: SigningAlg, key: KeyObject): boolean {
  if (decoded.header.alg !== alg) return false;
  try {
    return verify('sha256', Buffer.from(decoded.signingInput), signatureOptions(alg, key), decoded.signature);
  } catch {
    return false;
  }
}
