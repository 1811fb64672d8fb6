// Issuer discovery: RFC 8414 first, OpenID configuration as the fallback, the issuer checked, failures reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTokenVerifier } from '../../src/resource/index.js';
import { discoveryUrls } from '../../src/resource/discovery.js';
import { rejectsWith } from './helpers/assert.js';
import { AUDIENCE, TestIssuer } from './helpers/issuer.js';
import { CapturingLogger } from './helpers/logger.js';
import { verifierFor } from './helpers/verifier.js';

describe('issuer discovery', () => {
  it('looks at RFC 8414 then OpenID locations, inserting the well-known segment before an issuer path', () => {
    assert.deepEqual(discoveryUrls('http://localhost:4444'), ['http://localhost:4444/.well-known/oauth-authorization-server', 'http://localhost:4444/.well-known/openid-configuration']);
    assert.deepEqual(discoveryUrls('https://id.example.com/tenant-a'), [
      'https://id.example.com/.well-known/oauth-authorization-server/tenant-a',
      'https://id.example.com/tenant-a/.well-known/openid-configuration',
    ]);
  });

  it('falls back to /.well-known/openid-configuration', async () => {
    const issuer = await TestIssuer.start({ discovery: 'oidc' });
    try {
      const { verifier } = verifierFor(issuer);
      await verifier.verify(await issuer.sign());
      await verifier.verify(await issuer.sign());
      assert.deepEqual([issuer.hits.oauthMetadata, issuer.hits.oidcMetadata], [1, 1]);
    } finally {
      await issuer.close();
    }
  });

  it('refuses metadata that names another issuer (ERR_ISSUER_METADATA_INVALID, 503, logged as a warning)', async () => {
    const issuer = await TestIssuer.start({ advertisedIssuer: (url) => `${url}/` });
    try {
      const { verifier, logger } = verifierFor(issuer);
      const error = await rejectsWith(verifier.verify(await issuer.sign()), 'ERR_ISSUER_METADATA_INVALID');
      assert.equal(error.status, 503);
      assert.equal(issuer.hits.jwks, 0, 'nothing the metadata says is used');
      assert.equal(logger.last()?.level, 'warn');
      assert.match(String(logger.last()?.fields.reason), /not the configured/);
    } finally {
      await issuer.close();
    }
  });

  it('an unreachable issuer → ERR_ISSUER_UNREACHABLE, and the next request asks again', async () => {
    const issuer = await TestIssuer.start();
    const token = await issuer.sign();
    const url = issuer.url;
    await issuer.close();
    const logger = new CapturingLogger();
    const verifier = createTokenVerifier({ issuer: url, audience: AUDIENCE, logger, httpTimeoutSeconds: 1 });
    await rejectsWith(verifier.verify(token), 'ERR_ISSUER_UNREACHABLE');
    assert.match(String(logger.last()?.fields.reason), /could not be reached/);
  });

  it('times out a hanging issuer after httpTimeoutSeconds', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)));
    const issuer = await TestIssuer.start();
    try {
      const verifier = createTokenVerifier({ issuer: issuer.url, audience: AUDIENCE, fetch: hanging, httpTimeoutSeconds: 0.05 });
      const error = await rejectsWith(verifier.verify(await issuer.sign()), 'ERR_ISSUER_UNREACHABLE');
      assert.match(error.message, /did not answer within 50 ms/);
    } finally {
      await issuer.close();
    }
  });

  it('uses the fetch it is given', async () => {
    const issuer = await TestIssuer.start();
    try {
      const seen: string[] = [];
      const verifier = createTokenVerifier({
        issuer: issuer.url,
        audience: AUDIENCE,
        fetch: (input, init) => {
          seen.push(String(input));
          return fetch(input, init);
        },
      });
      await verifier.verify(await issuer.sign());
      assert.deepEqual(seen, [`${issuer.url}/.well-known/oauth-authorization-server`, `${issuer.url}/jwks`]);
    } finally {
      await issuer.close();
    }
  });
});

describe('createTokenVerifier options', () => {
  it('refuses configuration it cannot work with, saying what to set', () => {
    assert.throws(() => createTokenVerifier({ issuer: 'not a url', audience: AUDIENCE }), /issuer must be an absolute URL/);
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: [] }), /audience/);
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: 'leads-api' }), /set `resource`/);
    // Gatehouse's default audience is the issuer URL: that is no resource identifier for this API
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: 'http://localhost:4444' }), /set `resource`/);
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: 'leads-api', resource: 'http://api.test/?x=1' }), /query or fragment/);
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: AUDIENCE, introspectJwts: true }), /introspectJwts needs/);
    assert.throws(() => createTokenVerifier({ issuer: 'http://localhost:4444', audience: AUDIENCE, jwksCacheSeconds: -1 }), /jwksCacheSeconds/);
  });

  it('takes a non-URL audience when `resource` is given', () => {
    const verifier = createTokenVerifier({ issuer: 'http://localhost:4444', audience: 'leads-api', resource: 'http://localhost:4000' });
    assert.equal(verifier.resource, 'http://localhost:4000');
    assert.deepEqual(verifier.audience, ['leads-api']);
  });
});
