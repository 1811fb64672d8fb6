// PKCE (RFC 7636) with S256 only: `plain` gives no protection against a stolen code, so it is refused.
import { createHash } from 'node:crypto';
import { constantTimeEqual } from '../domain/crypto.js';
import { InvalidGrant, InvalidRequest } from './errors.js';

const CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** Checks the challenge sent to /authorize; returns it, or null when none was sent. */
export function checkChallenge(challenge: string | undefined, method: string | undefined, required: boolean): string | null {
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method was sent without code_challenge');
    if (required) throw new InvalidRequest('code_challenge is required: this is a public client, so PKCE with S256 is mandatory');
    return null;
  }
  if (method === undefined) {
    throw new InvalidRequest('code_challenge_method is required and must be S256 (plain, the default in RFC 7636, is not accepted)');
  }
  if (method !== 'S256') throw new InvalidRequest(`code_challenge_method "${method}" is not supported; use S256`);
  if (!CHALLENGE.test(challenge)) {
    throw new InvalidRequest('code_challenge must be the 43-character base64url SHA-256 of the code_verifier');
  }
  return challenge;
}

export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Checks the code_verifier at the token endpoint against the challenge the code is bound to. */
export function verifyCodeVerifier(challenge: string | null, verifier: string | undefined): void {
  if (challenge === null) {
    // A verifier for a code issued without a challenge would hide a PKCE downgrade (RFC 9700 §4.8.2).
    if (verifier !== undefined) throw new InvalidGrant('code_verifier was sent, but the authorization request had no code_challenge');
    return;
  }
  if (verifier === undefined) throw new InvalidGrant('code_verifier is required: the authorization request sent a code_challenge');
  if (!VERIFIER.test(verifier)) {
    throw new InvalidRequest('code_verifier must be 43-128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~"');
  }
  if (!constantTimeEqual(s256(verifier), challenge)) throw new InvalidGrant('code_verifier does not match the code_challenge');
}
