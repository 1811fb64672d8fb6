// Opaque tokens through RFC 7662 introspection, with a short bounded cache; and introspectJwts.
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { IntrospectionCache } from '../../src/resource/introspection-cache.js';
import { rejectsWith } from './helpers/assert.js';
import { activeIntrospection, INTROSPECTION_CLIENT, TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';
import { TestClock } from '../helpers/clock.js';

describe('opaque tokens (introspection)', () => {
  let issuer: TestIssuer;
  beforeEach(async () => {
    await issuer?.close();
    issuer = await TestIssuer.start();
  });
  after(() => issuer.close());

  it('accepts an active token and returns its principal', async () => {
    issuer.opaque.set('gha_active', activeIntrospection(issuer));
    const { verifier } = verifierFor(issuer);
    const principal = await verifier.verify('gha_active', { requiredScopes: ['read:leads'] });
    assert.equal(principal.tokenType, 'opaque');
    assert.equal(principal.subject, 'user-2');
    assert.equal(principal.clientId, 'partner-app');
    assert.deepEqual(principal.scopes, ['read:leads']);
    assert.ok(principal.expiresAt instanceof Date);
    assert.equal(issuer.hits.jwks, 0, 'opaque tokens need no JWKS');
  });

  it('rejects an inactive (or unknown) token with ERR_TOKEN_INACTIVE', async () => {
    issuer.opaque.set('gha_revoked', { active: false });
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify('gha_revoked'), 'ERR_TOKEN_INACTIVE');
    await rejectsWith(verifier.verify('gha_never_issued'), 'ERR_TOKEN_INACTIVE');
  });

  it('hints in the log when a refresh token is sent instead of an access token', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verify('ghr_refresh'), 'ERR_TOKEN_INACTIVE');
    assert.match(String(logger.last()?.fields.hint), /refresh token/);
  });

  it('caches answers: one introspection for many requests with the same token, keyed by its hash', async () => {
    issuer.opaque.set('gha_cached', activeIntrospection(issuer));
    issuer.opaque.set('gha_inactive', { active: false });
    const { verifier } = verifierFor(issuer);
    for (let i = 0; i < 5; i += 1) await verifier.verify('gha_cached');
    assert.equal(issuer.hits.introspection, 1);
    for (let i = 0; i < 5; i += 1) await rejectsWith(verifier.verify('gha_inactive'), 'ERR_TOKEN_INACTIVE');
    assert.equal(issuer.hits.introspection, 2);
  });

  it('asks once for concurrent requests with the same token', async () => {
    issuer.opaque.set('gha_busy', activeIntrospection(issuer));
    const { verifier } = verifierFor(issuer);
    await Promise.all(Array.from({ length: 20 }, () => verifier.verify('gha_busy')));
    assert.equal(issuer.hits.introspection, 1);
  });

  it('keeps an answer no longer than introspectionCacheSeconds', async () => {
    issuer.opaque.set('gha_short', activeIntrospection(issuer));
    const clock = TestClock.frozen();
    const { verifier } = verifierFor(issuer, { introspectionCacheSeconds: 0.05, now: () => clock.now() });
    await verifier.verify('gha_short');
    await verifier.verify('gha_short');
    assert.equal(issuer.hits.introspection, 1);
    issuer.opaque.set('gha_short', { active: false }); // revoked at the issuer
    clock.advanceMs(60);
    await rejectsWith(verifier.verify('gha_short'), 'ERR_TOKEN_INACTIVE');
    assert.equal(issuer.hits.introspection, 2);
  });

  it('never keeps an answer beyond the token’s own exp', async () => {
    const clock = TestClock.frozen();
    const exp = clock.seconds() + 2;
    issuer.opaque.set('gha_expiring', activeIntrospection(issuer, { exp }));
    const { verifier } = verifierFor(issuer, { introspectionCacheSeconds: 300, clockToleranceSeconds: 0, now: () => clock.now() });
    await verifier.verify('gha_expiring');
    clock.advanceMs(exp * 1000 - clock.now() + 20);
    issuer.opaque.set('gha_expiring', { active: false });
    await rejectsWith(verifier.verify('gha_expiring'), 'ERR_TOKEN_INACTIVE');
    assert.equal(issuer.hits.introspection, 2, 'the cached answer expired with the token');
  });

  it('introspectionCacheSeconds: 0 asks every time', async () => {
    issuer.opaque.set('gha_nocache', activeIntrospection(issuer));
    const { verifier } = verifierFor(issuer, { introspectionCacheSeconds: 0 });
    await verifier.verify('gha_nocache');
    await verifier.verify('gha_nocache');
    assert.equal(issuer.hits.introspection, 2);
  });

  it('checks what introspection says: audience, issuer, expiry, refresh tokens', async () => {
    issuer.opaque.set('gha_other_api', activeIntrospection(issuer, { aud: 'http://api.test/billing' }));
    issuer.opaque.set('gha_other_iss', activeIntrospection(issuer, { iss: 'https://evil.example' }));
    issuer.opaque.set('gha_expired', activeIntrospection(issuer, { exp: Math.floor(Date.now() / 1000) - 60 }));
    issuer.opaque.set('ghr_as_access', activeIntrospection(issuer, { token_type: 'refresh_token' }));
    issuer.opaque.set('gha_no_aud', activeIntrospection(issuer, { aud: undefined }));
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify('gha_other_api'), 'ERR_TOKEN_WRONG_AUDIENCE');
    await rejectsWith(verifier.verify('gha_other_iss'), 'ERR_TOKEN_WRONG_ISSUER');
    await rejectsWith(verifier.verify('gha_expired'), 'ERR_TOKEN_EXPIRED');
    await rejectsWith(verifier.verify('ghr_as_access'), 'ERR_TOKEN_INACTIVE');
    assert.deepEqual((await verifier.verify('gha_no_aud')).audience, [], 'aud is optional in RFC 7662');
  });

  it('a missing scope on an opaque token → ERR_INSUFFICIENT_SCOPE', async () => {
    issuer.opaque.set('gha_read', activeIntrospection(issuer));
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verify('gha_read', { requiredScopes: ['write:leads'] }), 'ERR_INSUFFICIENT_SCOPE');
  });

  it('wrong introspection credentials → ERR_ISSUER_UNREACHABLE (503), logged as a warning with a hint', async () => {
    issuer.opaque.set('gha_active', activeIntrospection(issuer));
    const { verifier, logger } = verifierFor(issuer, { introspection: { clientId: INTROSPECTION_CLIENT.clientId, clientSecret: 'wrong' } });
    const error = await rejectsWith(verifier.verify('gha_active'), 'ERR_ISSUER_UNREACHABLE');
    assert.equal(error.status, 503);
    assert.equal(logger.last()?.level, 'warn');
    assert.match(String(logger.last()?.fields.hint), /clientSecret/);
    assert.ok(!logger.text().includes('wrong'), 'the secret is never logged');
  });

  it('without introspection configured, an opaque token is ERR_TOKEN_MALFORMED with a hint', async () => {
    const { verifier, logger } = verifierFor(issuer, { introspection: undefined });
    await rejectsWith(verifier.verify('gha_anything'), 'ERR_TOKEN_MALFORMED');
    assert.match(String(logger.last()?.fields.hint), /introspection/);
    assert.equal(issuer.hits.introspection, 0);
  });

  it('an issuer whose metadata lacks introspection_endpoint → ERR_ISSUER_METADATA_INVALID', async () => {
    const bare = await TestIssuer.start({ noIntrospection: true });
    try {
      const { verifier } = verifierFor(bare);
      await rejectsWith(verifier.verify('gha_anything'), 'ERR_ISSUER_METADATA_INVALID');
    } finally {
      await bare.close();
    }
  });

  describe('introspectJwts: true (instant revocation for JWTs)', () => {
    it('accepts a JWT the issuer says is active, and rejects it once revoked (after the cache period)', async () => {
      const token = await issuer.sign();
      issuer.opaque.set(token, { active: true });
      const clock = TestClock.frozen();
      const { verifier } = verifierFor(issuer, { introspectJwts: true, introspectionCacheSeconds: 0.05, now: () => clock.now() });
      const principal = await verifier.verify(token);
      assert.equal(principal.tokenType, 'jwt');
      assert.equal(principal.clientId, 'zapier-client');
      issuer.opaque.set(token, { active: false });
      clock.advanceMs(60);
      await rejectsWith(verifier.verify(token), 'ERR_TOKEN_INACTIVE');
      assert.equal(issuer.hits.introspection, 2);
    });

    it('still verifies the JWT locally first: a forged one never reaches introspection', async () => {
      const { verifier } = verifierFor(issuer, { introspectJwts: true });
      await rejectsWith(verifier.verify(await issuer.sign({ claims: { aud: 'http://api.test/billing' } })), 'ERR_TOKEN_WRONG_AUDIENCE');
      assert.equal(issuer.hits.introspection, 0);
    });

    it('without introspectJwts a revoked JWT still passes until exp (the documented trade-off)', async () => {
      const token = await issuer.sign();
      issuer.opaque.set(token, { active: false });
      const { verifier } = verifierFor(issuer);
      await verifier.verify(token);
      assert.equal(issuer.hits.introspection, 0);
    });
  });
});

describe('IntrospectionCache', () => {
  it('is bounded: the least recently used entry goes first', () => {
    const cache = new IntrospectionCache<number>({ maxEntries: 3 });
    cache.set('a', 1, 60_000);
    cache.set('b', 2, 60_000);
    cache.set('c', 3, 60_000);
    assert.equal(cache.get('a'), 1); // a is now the most recent
    cache.set('d', 4, 60_000);
    assert.equal(cache.size, 3);
    assert.equal(cache.get('b'), undefined);
    assert.deepEqual([cache.get('a'), cache.get('c'), cache.get('d')], [1, 3, 4]);
  });

  it('forgets entries at their TTL, and keeps nothing for a TTL of 0', () => {
    let now = 1_000;
    const cache = new IntrospectionCache<string>({ maxEntries: 10, now: () => now });
    cache.set('a', 'x', 500);
    cache.set('b', 'y', 0);
    now += 499;
    assert.equal(cache.get('a'), 'x');
    now += 1;
    assert.equal(cache.get('a'), undefined);
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.size, 0);
  });
});
