// Finding the token (RFC 6750 §2): the Authorization header only, parsed strictly, with hints in the log.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { rejectsWith } from './helpers/assert.js';
import { TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';

describe('the bearer token in a request', () => {
  let issuer: TestIssuer;
  let token: string;
  before(async () => {
    issuer = await TestIssuer.start();
    token = await issuer.sign();
  });
  after(() => issuer.close());

  it('accepts `Bearer <token>`, with the scheme in any case', async () => {
    const { verifier } = verifierFor(issuer);
    for (const authorization of [`Bearer ${token}`, `bearer ${token}`, `BEARER  ${token}`, ` Bearer ${token} `]) {
      assert.equal((await verifier.verifyRequest({ authorization, url: '/api/leads' })).subject, 'user-1');
    }
  });

  it('no Authorization header → ERR_TOKEN_MISSING, logged at debug only', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: undefined, url: '/api/leads' }), 'ERR_TOKEN_MISSING');
    assert.equal(logger.last()?.level, 'debug');
  });

  it('a bare token without "Bearer" → ERR_TOKEN_MISSING (401), and the log says how to send it', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: token }), 'ERR_TOKEN_MISSING');
    const entry = logger.last();
    assert.equal(entry?.level, 'info');
    assert.match(String(entry?.fields.reason), /no Bearer scheme/);
    assert.equal(entry?.fields.hint, 'send `Authorization: Bearer <token>`');
    assert.ok(!logger.text().includes(token), 'the token must never be logged');
    assert.ok(!logger.text().includes(token.split('.')[2]!), 'no part of the token must be logged');
  });

  it('another scheme (Basic) → ERR_TOKEN_MISSING with the scheme named in the log', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: 'Basic dXNlcjpwYXNz' }), 'ERR_TOKEN_MISSING');
    assert.match(String(logger.last()?.fields.reason), /Basic scheme/);
    assert.ok(!logger.text().includes('dXNlcjpwYXNz'));
  });

  it('malformed Bearer credentials → ERR_INVALID_REQUEST', async () => {
    const { verifier, logger } = verifierFor(issuer);
    for (const authorization of ['Bearer', 'Bearer   ', `Bearer ${token} ${token}`, `Bearer Bearer ${token}`, 'Bearer "quoted"', 'Bearer a,b']) {
      await rejectsWith(verifier.verifyRequest({ authorization }), 'ERR_INVALID_REQUEST');
    }
    assert.ok(!logger.text().includes(token));
  });

  it('more than one Authorization header → ERR_INVALID_REQUEST', async () => {
    const { verifier } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: [`Bearer ${token}`, `Bearer ${token}`] }), 'ERR_INVALID_REQUEST');
  });

  it('a token in both the header and the query → ERR_INVALID_REQUEST', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: `Bearer ${token}`, url: `/api/leads?access_token=${token}` }), 'ERR_INVALID_REQUEST');
    assert.match(String(logger.last()?.fields.reason), /both/);
  });

  it('a token only in the query → ERR_TOKEN_MISSING, with a hint to use the header', async () => {
    const { verifier, logger } = verifierFor(issuer);
    await rejectsWith(verifier.verifyRequest({ authorization: undefined, url: `http://api.test/leads?access_token=${token}` }), 'ERR_TOKEN_MISSING');
    assert.match(String(logger.last()?.fields.hint), /Authorization: Bearer/);
    assert.ok(!logger.text().includes(token));
  });

  it('verify() takes the token itself, or a header value', async () => {
    const { verifier } = verifierFor(issuer);
    assert.equal((await verifier.verify(token)).subject, 'user-1');
    assert.equal((await verifier.verify(`Bearer ${token}`)).subject, 'user-1');
    await rejectsWith(verifier.verify(undefined), 'ERR_TOKEN_MISSING');
    await rejectsWith(verifier.verify(''), 'ERR_TOKEN_MISSING');
    await rejectsWith(verifier.verify('Bearer'), 'ERR_INVALID_REQUEST');
    await rejectsWith(verifier.verify(`Basic ${token}`), 'ERR_TOKEN_MISSING');
  });

  it('every failure is logged with a code, a reason and a fingerprint, never the token', async () => {
    const { verifier, logger } = verifierFor(issuer);
    const expired = await issuer.sign({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
    await rejectsWith(verifier.verify(expired), 'ERR_TOKEN_EXPIRED');
    const entry = logger.last();
    assert.equal(entry?.fields.code, 'ERR_TOKEN_EXPIRED');
    assert.match(String(entry?.fields.reason), /expired at/);
    assert.match(String(entry?.fields.tokenSha256), /^[0-9a-f]{12}$/);
    for (const part of expired.split('.')) assert.ok(!logger.text().includes(part));
  });
});
