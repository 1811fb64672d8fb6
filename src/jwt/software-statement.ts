// A software statement (RFC 7591 §2.3): a JWT whose claims are client metadata, signed by a party the platform trusts
// (a partner programme, an app store). Verified against the trusted issuers' public keys; the caller decides what the
// claims may say. Asymmetric algorithms only: a trusted issuer is named by its public key.
import { createLocalJWKSet, errors, jwtVerify, type JWK } from 'jose';
import type { JsonWebKey } from 'node:crypto';

const ALGORITHMS = ['ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512', 'EdDSA'];
const LEEWAY_SECONDS = 60;
/** Longest statement read: metadata is small; bounds the work one request can cause. */
const MAX_LENGTH = 16 * 1024;

/** `unapproved`: well formed, but no trusted key signed it; `invalid`: not a usable statement at all. */
export class SoftwareStatementRejected extends Error {
  override readonly name = 'SoftwareStatementRejected';
  constructor(
    readonly kind: 'invalid' | 'unapproved',
    message: string,
  ) {
    super(message);
  }
}

/** The statement's claims, once signed by a trusted key, current, and naming its issuer. */
export async function verifySoftwareStatement(statement: string, trusted: { keys: JsonWebKey[] }, now: number): Promise<Record<string, unknown>> {
  if (statement.length > MAX_LENGTH) throw new SoftwareStatementRejected('invalid', `the software statement is longer than ${MAX_LENGTH} characters`);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(statement, createLocalJWKSet({ keys: trusted.keys as JWK[] }), {
      algorithms: ALGORITHMS,
      currentDate: new Date(now * 1000),
      clockTolerance: LEEWAY_SECONDS,
    }));
  } catch (error) {
    if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) {
      throw new SoftwareStatementRejected('unapproved', 'the software statement is not signed by an issuer this server trusts');
    }
    if (error instanceof errors.JWTExpired) throw new SoftwareStatementRejected('invalid', 'the software statement has expired');
    if (error instanceof errors.JOSEAlgNotAllowed) throw new SoftwareStatementRejected('invalid', `the software statement must be signed with one of ${ALGORITHMS.join(', ')}`);
    throw new SoftwareStatementRejected('invalid', 'the software statement is not a valid signed JWT');
  }
  if (typeof payload.iss !== 'string' || payload.iss === '') throw new SoftwareStatementRejected('invalid', 'the software statement must name its issuer (iss)');
  return payload;
}
