// The pure DPoP proof checks (src/jwt/dpop.ts) that the server and the SDK share, and the SDK's own pieces: the
// replay cache and the request's public URL. Each case changes one thing of a good proof and names the rule it breaks.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it, before } from 'node:test';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { accessTokenHash, DpopProofRejected, verifyDpopProof, type DpopRequest } from '../../src/jwt/dpop.js';
import { MemoryDpopReplayCache, publicRequestUrl } from '../../src/resource/dpop.js';
import { createTokenVerifier } from '../../src/resource/index.js';

const NOW = 1_800_000_000;
const URL_ = 'https://api.example.com/leads';
const request = (over: Partial<DpopRequest> = {}): DpopRequest => ({ method: 'GET', url: URL_, now: NOW, ...over });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('DPoP proof checks (RFC 9449 §4.3)', () => {
  let key: CryptoKeyPair;
  let jwk: Record<string, unknown>;

  async function proof(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, signer = key): Promise<string> {
    return new SignJWT({ jti: randomUUID(), htm: 'GET', htu: URL_, iat: NOW, ...claims })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk, ...header })
      .sign(signer.privateKey);
  }

  async function refused(made: string | Promise<string>, pattern: RegExp, over: Partial<DpopRequest> = {}): Promise<void> {
    await assert.rejects(verifyDpopProof(await made, request(over)), (error: unknown) => {
      assert.ok(error instanceof DpopProofRejected, String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }

  before(async () => {
    key = await generateKeyPair('ES256', { extractable: true });
    jwk = (await exportJWK(key.publicKey)) as Record<string, unknown>;
  });

  it('accepts a good proof: the key thumbprint, its jti, and how long to remember it', async () => {
    const verified = await verifyDpopProof(await proof({ jti: 'j-1', nonce: 'n' }), request());
    assert.equal(verified.jkt, await calculateJwkThumbprint(jwk, 'sha256'));
    assert.equal(verified.jti, 'j-1');
    assert.equal(verified.nonce, 'n');
    assert.equal(verified.rememberUntil, NOW + 300 + 1, 'past it the proof is too old anyway');
  });

  it('compares htu without query and fragment, and normalized (default port, case of scheme and host)', async () => {
    await verifyDpopProof(await proof({ htu: 'HTTPS://API.example.com:443/leads?page=1#top' }), request({ url: `${URL_}?page=2` }));
    await refused(proof({ htu: 'https://api.example.com/leads/' }), /htu must be "https:\/\/api\.example\.com\/leads"/);
    await refused(proof({ htu: 'not a url' }), /htu/);
  });

  it('refuses what breaks a header rule: typ, alg (symmetric, none), jwk missing, private or symmetric', async () => {
    await refused(proof({}, { typ: 'JWT' }), /typ must be "dpop\+jwt"/);
    const hs = await new SignJWT({ jti: 'x', htm: 'GET', htu: URL_, iat: NOW }).setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: { kty: 'oct', k: 'c2VjcmV0' } as Record<string, unknown> }).sign(new TextEncoder().encode('secret'));
    await refused(hs, /alg must be one of/);
    await refused(`${b64({ alg: 'none', typ: 'dpop+jwt', jwk })}.${b64({ jti: 'x', htm: 'GET', htu: URL_, iat: NOW })}.`, /alg must be one of/);
    await refused(proof({}, { jwk: undefined }), /must carry the public key/);
    const privateJwk = await exportJWK(key.privateKey);
    await refused(proof({}, { jwk: privateJwk }), /must be a public key/);
  });

  it('refuses a signature by another key than the jwk, and what is not a JWS', async () => {
    const other = await generateKeyPair('ES256');
    await refused(proof({}, {}, other), /signature does not verify/);
    await refused('a.b', /compact JWS/);
    await refused('x'.repeat(9000) + '.a.b', /compact JWS/);
    await refused('!!.??.**', /header is not valid/);
  });

  it('refuses a proof for another method, an old or future iat, or without jti', async () => {
    await refused(proof({ htm: 'POST' }), /htm must be "GET"/);
    await refused(proof({ iat: NOW - 301 }), /too old/);
    await verifyDpopProof(await proof({ iat: NOW - 300 }), request());
    await refused(proof({ iat: NOW + 61 }), /in the future/);
    await verifyDpopProof(await proof({ iat: NOW + 60 }), request());
    await refused(proof({ iat: NOW - 30 }), /too old/, { maxAgeSeconds: 10 });
    await refused(proof({ iat: 'now' }), /iat/);
    await refused(proof({ jti: undefined }), /jti/);
    await refused(proof({ jti: '' }), /jti/);
  });

  it('with an access token, ath must be its hash', async () => {
    await verifyDpopProof(await proof({ ath: accessTokenHash('tok') }), request({ accessToken: 'tok' }));
    await refused(proof({ ath: accessTokenHash('other') }), /ath/, { accessToken: 'tok' });
    await refused(proof(), /ath/, { accessToken: 'tok' });
    await refused(proof({ nonce: 5 }), /nonce must be a string/);
  });
});

describe('the SDK\'s replay cache and public URL', () => {
  it('remembers a proof until it expires, and stays within its bound', () => {
    let now = NOW * 1000;
    const cache = new MemoryDpopReplayCache(3, () => now);
    assert.equal(cache.add('k:1', NOW + 10), true);
    assert.equal(cache.add('k:1', NOW + 10), false, 'seen and still live');
    now += 11_000;
    assert.equal(cache.add('k:1', NOW + 30), true, 'expired: a proof that old is refused for its iat anyway');
    for (const jti of ['2', '3', '4', '5']) cache.add(`k:${jti}`, NOW + 100);
    assert.ok(cache.size <= 3);
  });

  it('builds htu from the public base URL (a prefix kept), the absolute URL, or Host and scheme', () => {
    assert.equal(publicRequestUrl('/api/leads?x=1', 'https://example.com/gateway/', 'internal:8080', 'http'), 'https://example.com/gateway/api/leads?x=1');
    assert.equal(publicRequestUrl('http://internal:8080/api/leads', 'https://api.example.com', undefined, undefined), 'https://api.example.com/api/leads');
    assert.equal(publicRequestUrl('http://127.0.0.1:3000/api/leads', undefined, undefined, undefined), 'http://127.0.0.1:3000/api/leads');
    assert.equal(publicRequestUrl('/api/leads', undefined, 'api.example.com', 'https'), 'https://api.example.com/api/leads');
  });

  it('verify(token) refuses a DPoP-bound token: without the request there is no proof to check', async () => {
    // A verifier whose JWT check never runs: the token is opaque and the introspection answer is bound.
    const verifier = createTokenVerifier({
      issuer: 'https://issuer.example', audience: 'https://api.example.com', introspection: { clientId: 'api', clientSecret: 's' },
      fetch: async (input) => {
        const url = String(input);
        if (url.endsWith('/.well-known/oauth-authorization-server')) {
          return Response.json({ issuer: 'https://issuer.example', jwks_uri: 'https://issuer.example/jwks', introspection_endpoint: 'https://issuer.example/introspect' });
        }
        return Response.json({ active: true, iss: 'https://issuer.example', aud: 'https://api.example.com', scope: 'read:leads', cnf: { jkt: 'abc' }, exp: Math.floor(Date.now() / 1000) + 60 });
      },
    });
    await assert.rejects(verifier.verify('gha_bound'), (error: { code?: string }) => error.code === 'ERR_TOKEN_DPOP_BINDING');
  });
});
