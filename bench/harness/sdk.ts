// The in-process row: the resource-server SDK (createTokenVerifier) verifying Gatehouse JWT access tokens,
// beside jose's jwtVerify over a local key set (the same checks: signature, iss, aud, typ at+jwt, exp).
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet } from 'jose';
import { createTokenVerifier } from '../../src/resource/index.js';
import { AUDIENCE, type ServerInfo } from './fixtures.js';
import type { LoadResult } from './load.js';

export type Verify = (token: string) => Promise<unknown>;

export interface Verifiers {
  sdk: Verify;
  jose: Verify;
}

export async function makeVerifiers(server: ServerInfo): Promise<Verifiers> {
  const verifier = createTokenVerifier({ issuer: server.issuer, audience: AUDIENCE });
  const jwks = (await (await fetch(new URL('/.well-known/jwks.json', server.url))).json()) as JSONWebKeySet;
  const keys = createLocalJWKSet(jwks);
  const options = { issuer: server.issuer, audience: AUDIENCE, typ: 'at+jwt', algorithms: ['ES256', 'RS256'], requiredClaims: ['exp'] };
  return {
    sdk: (token) => verifier.verify(token),
    jose: async (token) => (await jwtVerify(token, keys, options)).payload,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Verifies tokens one after another for `seconds`; latency per verification in milliseconds. */
export async function benchVerify(verify: Verify, tokens: readonly string[], seconds: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let failures = 0;
  const started = process.hrtime.bigint();
  const end = started + BigInt(Math.round(seconds * 1e9));
  let now = started;
  for (let i = 0; now < end; i++) {
    const before = now;
    try {
      await verify(tokens[i % tokens.length]!);
    } catch {
      failures++;
    }
    now = process.hrtime.bigint();
    latencies.push(Number(now - before) / 1e6);
  }
  const elapsed = Number(now - started) / 1e9;
  const sorted = Float64Array.from(latencies).sort();
  return {
    requests: latencies.length,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    non2xx: 0,
    errors: failures,
    invalid: 0,
    stoppedAtCount: false,
  };
}
