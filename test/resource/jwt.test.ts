// RFC 9068 JWT access tokens, verified locally against the issuer's JWKS.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { base64url, SignJWT } from 'jose';
import type { ResourceAuthError } from '../../src/resource/index.js';
import { rejectsWith } from './helpers/assert.js';
import { AUDIENCE, TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';

function unsigned(header: Record<string, unknown>, payload: Record<string, unknown>): string {
  const part = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${part(header)}.${part(payload)}.`;
}

describe('JWT access tokens', () => {
  let issuer: TestIssuer;
  before(async () => {
    issuer = await TestIssuer.start();
  });
  after(() => issuer.close());

  it('accepts a valid ES256 token and returns its principal', async () => {
    const { verifier } = verifierFor(issuer);
    const principal = await verifier.verify(await issuer.sign(), { requiredScopes: ['read:leads'] });
    assert.equal(principal.subject, 'user-1');
    assert.equal(principal.clientId, 'zapier-client');
    assert.deepEqual(principal.scopes, ['read:leads', 'openid']);
    assert.deepEqual(principal.audience, [AUDIENCE]);
    assert.equal(principal.tokenType, 'jwt');
    assert.ok(principal.expiresAt instanceof Date && principal.expiresAt.getTime() > Date.now());
    assert.equal(principal.claims.iss, issuer.url);
  });

  it('accepts a valid RS256 token, given as an Authorization header value', async () => {
    const { verifier } = verifierFor(issuer);
    const principal = await verifier.verify(`Bearer ${await issuer.sign({ alg: 'RS256' })}`);
    assert.equal(principal.subject, 'user-1');
  });

  it('accepts typ "application/at+jwt" and an audience list that includes ours', async () => {
    const { verifier } = verifierFor(issuer);
    const token = await issuer.sign({ header: { typ: 'application/at+jwt' }, claims: { aud: ['https://other.example', AUDIENCE] } });
    assert.deepEqual((await verifier.verify(token)).audience, ['https://other.example', AUDIENCE]);
  });

  it('rejects an expired token (ERR_TOKEN_EXPIRED)', async () => {
    const { verifier } = verifierFor(issuer);
    const past = Math.floor(Date.now() / 1000) - 600;
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { iat: past - 3600, exp: past } })), 'ERR_TOKEN_EXPIRED');
  });

  it('allows the configured clock tolerance on exp', async () => {
    const { verifier } = verifierFor(issuer, { clockToleranceSeconds: 30 });
    const justExpired = Math.floor(Date.now() / 1000) - 10;
    await verifier.verify(await issuer.sign({ claims: { exp: justExpired } }));
  });

  it('rejects a token that is not valid yet (ERR_TOKEN_NOT_YET_VALID)', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { nbf: Math.floor(Date.now() / 1000) + 600 } })), 'ERR_TOKEN_NOT_YET_VALID');
  });

  it('rejects a token from another issuer without fetching any key (ERR_TOKEN_WRONG_ISSUER)', async () => {
    const { verifier } = verifierFor(issuer);
    const jwksBefore = issuer.hits.jwks;
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { iss: 'https://evil.example' } })), 'ERR_TOKEN_WRONG_ISSUER');
    assert.equal(issuer.hits.jwks, jwksBefore);
  });

  it('rejects a token for another API (ERR_TOKEN_WRONG_AUDIENCE)', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { aud: 'http://api.test/billing' } })), 'ERR_TOKEN_WRONG_AUDIENCE');
  });

  it('rejects a token without aud', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { aud: undefined } })), 'ERR_TOKEN_WRONG_AUDIENCE');
  });

  it('rejects a token without exp (ERR_TOKEN_MALFORMED)', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { exp: undefined } })), 'ERR_TOKEN_MALFORMED');
  });

  it('rejects alg "none" (ERR_TOKEN_ALG_NOT_ALLOWED)', async () => {
    const { verifier } = verifierFor(issuer);
    const now = Math.floor(Date.now() / 1000);
    const token = unsigned({ alg: 'none', typ: 'at+jwt' }, { iss: issuer.url, aud: AUDIENCE, sub: 'admin', scope: 'read:leads', exp: now + 3600 });
    await rejectsWith(verifier.verify(token), 'ERR_TOKEN_ALG_NOT_ALLOWED');
  });

  it('rejects HS256 signed with the public key material as the secret (ERR_TOKEN_ALG_NOT_ALLOWED)', async () => {
    const { verifier } = verifierFor(issuer);
    const jwk = issuer.publicJwk('rs-1');
    for (const secret of [JSON.stringify(jwk), String(jwk.n)]) {
      const token = await new SignJWT({ scope: 'read:leads' })
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'rs-1' })
        .setIssuer(issuer.url)
        .setAudience(AUDIENCE)
        .setSubject('admin')
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode(secret));
      await rejectsWith(verifier.verify(token), 'ERR_TOKEN_ALG_NOT_ALLOWED');
    }
  });

  it('rejects other asymmetric algorithms too (ES384)', async () => {
    const { verifier } = verifierFor(issuer);
    const token = unsigned({ alg: 'ES384', typ: 'at+jwt', kid: 'es-1' }, { iss: issuer.url, aud: AUDIENCE, exp: 9999999999 });
    await rejectsWith(verifier.verify(`${token}AAAA`), 'ERR_TOKEN_ALG_NOT_ALLOWED');
  });

  it('rejects a tampered payload (ERR_TOKEN_INVALID_SIGNATURE)', async () => {
    const { verifier } = verifierFor(issuer);
    const [header, payload, signature] = (await issuer.sign()).split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    const forged = base64url.encode(JSON.stringify({ ...claims, scope: 'read:leads write:leads admin' }));
    await rejectsWith(verifier.verify(`${header}.${forged}.${signature}`), 'ERR_TOKEN_INVALID_SIGNATURE');
  });

  it('rejects a token signed by a key the issuer never published (ERR_TOKEN_KEY_NOT_FOUND)', async () => {
    await issuer.addKey('ES256', 'rogue', false);
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ kid: 'rogue' })), 'ERR_TOKEN_KEY_NOT_FOUND');
  });

  it('rejects an ID token (typ JWT) sent as an access token, and says so in the log', async () => {
    const { verifier, logger } = verifierFor(issuer);
    const token = await issuer.sign({ header: { typ: 'JWT' }, claims: { nonce: 'n-1', azp: 'zapier-client' } });
    await rejectsWith(verifier.verify(token), 'ERR_TOKEN_WRONG_TYPE');
    assert.match(String(logger.last()?.fields.hint), /ID token/);
  });

  it('rejects a JWT whose header has no typ', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ header: { typ: undefined } })), 'ERR_TOKEN_WRONG_TYPE');
  });

  it('rejects a token whose scope claim is not a string', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { scope: ['read:leads'] } })), 'ERR_TOKEN_MALFORMED');
  });

  it('answers ERR_INSUFFICIENT_SCOPE when a required scope is missing, naming every required scope', async () => {
    const { verifier, logger } = verifierFor(issuer);
    const error = await rejectsWith(verifier.verify(await issuer.sign(), { requiredScopes: ['read:leads', 'write:leads'] }), 'ERR_INSUFFICIENT_SCOPE');
    assert.deepEqual((error as ResourceAuthError & { requiredScopes: string[] }).requiredScopes, ['read:leads', 'write:leads']);
    assert.equal(logger.last()?.fields.grantedScopes, 'read:leads openid');
    assert.equal(logger.last()?.fields.clientId, 'zapier-client');
  });

  it('does not mistake a scope that merely contains the required one', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify(await issuer.sign({ claims: { scope: 'read:leads:archived' } }), { requiredScopes: ['read:leads'] }), 'ERR_INSUFFICIENT_SCOPE');
  });

  it('rejects a JWT-shaped token whose payload is not JSON (ERR_TOKEN_MALFORMED)', async () => {
    const { verifier } = verifierFor(issuer, { introspection: undefined });
    const header = base64url.encode(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'es-1' }));
    await rejectsWith(verifier.verify(`${header}.bm90LWpzb24.AAAA`), 'ERR_TOKEN_MALFORMED');
  });
});
