// The JWKS cache: fetched once, refetched when an unknown kid appears, never in a storm, never twice at once.
import assert from 'node:assert/strict';
import { after, beforeEach, describe, it } from 'node:test';
import { rejectsWith } from './helpers/assert.js';
import { TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';
import { TestClock } from '../helpers/clock.js';

describe('JWKS cache', () => {
  let issuer: TestIssuer;
  beforeEach(async () => {
    await issuer?.close();
    issuer = await TestIssuer.start();
  });
  after(() => issuer.close());

  it('fetches discovery and the JWKS once for many tokens', async () => {
    const { verifier } = verifierFor(issuer);
    for (let i = 0; i < 10; i += 1) await verifier.verify(await issuer.sign({ alg: i % 2 ? 'RS256' : 'ES256' }));
    assert.equal(issuer.hits.oauthMetadata, 1);
    assert.equal(issuer.hits.jwks, 1);
  });

  it('shares one fetch between concurrent first requests (single-flight)', async () => {
    issuer.jwksDelayMs = 50;
    const { verifier } = verifierFor(issuer);
    const tokens = await Promise.all(Array.from({ length: 50 }, () => issuer.sign()));
    await Promise.all(tokens.map((token) => verifier.verify(token)));
    assert.equal(issuer.hits.oauthMetadata, 1);
    assert.equal(issuer.hits.jwks, 1);
  });

  it('refetches once when a token names an unknown kid', async () => {
    const { verifier } = verifierFor(issuer);
    await verifier.verify(await issuer.sign());
    assert.equal(issuer.hits.jwks, 1);
    await issuer.addKey('ES256', 'never-published', false);
    await rejectsWith(verifier.verify(await issuer.sign({ kid: 'never-published' })), 'ERR_TOKEN_KEY_NOT_FOUND');
    assert.equal(issuer.hits.jwks, 2);
  });

  it('does not storm the issuer: 50 tokens with unknown kids cause at most one refetch', async () => {
    const { verifier } = verifierFor(issuer);
    await verifier.verify(await issuer.sign());
    const kids = Array.from({ length: 50 }, (_, i) => `made-up-${i}`);
    for (const kid of kids) await issuer.addKey('ES256', kid, false);
    const tokens = await Promise.all(kids.map((kid) => issuer.sign({ kid })));
    // half at once, half one after another
    await Promise.all(tokens.slice(0, 25).map((token) => rejectsWith(verifier.verify(token), 'ERR_TOKEN_KEY_NOT_FOUND')));
    for (const token of tokens.slice(25)) await rejectsWith(verifier.verify(token), 'ERR_TOKEN_KEY_NOT_FOUND');
    assert.ok(issuer.hits.jwks <= 2, `JWKS fetched ${issuer.hits.jwks} times`);
  });

  it('does not storm on a cold start either', async () => {
    issuer.jwksDelayMs = 20;
    const { verifier } = verifierFor(issuer);
    const kids = Array.from({ length: 50 }, (_, i) => `cold-${i}`);
    for (const kid of kids) await issuer.addKey('ES256', kid, false);
    const tokens = await Promise.all(kids.map((kid) => issuer.sign({ kid })));
    await Promise.all(tokens.map((token) => rejectsWith(verifier.verify(token), 'ERR_TOKEN_KEY_NOT_FOUND')));
    assert.ok(issuer.hits.jwks <= 2, `JWKS fetched ${issuer.hits.jwks} times`);
  });

  it('accepts tokens from a rotated-in key after one refetch', async () => {
    const { verifier } = verifierFor(issuer);
    await verifier.verify(await issuer.sign());
    await issuer.addKey('ES256', 'es-2');
    const principal = await verifier.verify(await issuer.sign({ kid: 'es-2' }));
    assert.equal(principal.subject, 'user-1');
    assert.equal(issuer.hits.jwks, 2);
    // the old key still verifies, from the same copy
    await verifier.verify(await issuer.sign({ kid: 'es-1' }));
    await verifier.verify(await issuer.sign({ kid: 'es-2' }));
    assert.equal(issuer.hits.jwks, 2);
  });

  it('after the cooldown, an unknown kid may refetch again', async () => {
    const clock = TestClock.frozen();
    const { verifier } = verifierFor(issuer, { jwksCooldownSeconds: 0.05, now: () => clock.now() });
    await verifier.verify(await issuer.sign());
    await issuer.addKey('ES256', 'later', false);
    const token = await issuer.sign({ kid: 'later' });
    await rejectsWith(verifier.verify(token), 'ERR_TOKEN_KEY_NOT_FOUND');
    await rejectsWith(verifier.verify(token), 'ERR_TOKEN_KEY_NOT_FOUND');
    assert.equal(issuer.hits.jwks, 2);
    clock.advanceMs(60);
    issuer.publish('later');
    await verifier.verify(token);
    assert.equal(issuer.hits.jwks, 3);
  });

  it('refreshes a copy older than jwksCacheSeconds', async () => {
    const clock = TestClock.frozen();
    const { verifier } = verifierFor(issuer, { jwksCacheSeconds: 0.05, now: () => clock.now() });
    await verifier.verify(await issuer.sign());
    clock.advanceMs(60);
    await verifier.verify(await issuer.sign());
    assert.equal(issuer.hits.jwks, 2);
  });

  it('keeps using the last good copy when a refresh fails', async () => {
    const clock = TestClock.frozen();
    const { verifier, logger } = verifierFor(issuer, { jwksCacheSeconds: 0.05, now: () => clock.now() });
    await verifier.verify(await issuer.sign());
    const token = await issuer.sign();
    await issuer.close();
    clock.advanceMs(60);
    await verifier.verify(token);
    assert.ok(logger.entries.some((entry) => entry.level === 'warn' && /JWKS refresh failed/.test(String(entry.message))));
    issuer = await TestIssuer.start(); // for after()
  });
});
