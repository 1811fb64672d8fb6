// One suite every adapter must pass over real HTTP: the same app (GET /api/leads needs read:leads,
// POST /api/leads needs write:leads, both answer with the principal) built on each framework.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { TokenVerifier } from '../../../src/resource/index.js';
import { accessTokenHash } from '../../../src/jwt/dpop.js';
import { activeIntrospection, TestIssuer } from './issuer.js';
import type { CapturingLogger } from './logger.js';
import { verifierFor } from './verifier.js';

export interface RunningApp {
  baseUrl: string;
  close(): Promise<void>;
}

/** Builds the app on a framework and listens on port 0. */
export type StartApp = (verifier: TokenVerifier) => Promise<RunningApp>;

const RESOURCE_METADATA = 'resource_metadata="http://api.test/.well-known/oauth-protected-resource/leads"';
const REALM = 'realm="http://api.test/leads"';

export function adapterContract(name: string, startApp: StartApp): void {
  describe(`${name} adapter over HTTP`, () => {
    let issuer: TestIssuer;
    let app: RunningApp;
    let logger: CapturingLogger;
    let token: string;

    before(async () => {
      issuer = await TestIssuer.start();
      const made = verifierFor(issuer);
      logger = made.logger;
      app = await startApp(made.verifier);
      token = await issuer.sign();
      issuer.opaque.set('gha_opaque_read', activeIntrospection(issuer));
    });
    after(async () => {
      await app.close();
      await issuer.close();
    });

    const call = (path: string, init: RequestInit = {}) => fetch(`${app.baseUrl}${path}`, init);

    it('200 with the principal for a valid JWT', async () => {
      const response = await call('/api/leads', { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { subject: 'user-1', clientId: 'zapier-client', scopes: ['read:leads', 'openid'], tokenType: 'jwt' });
    });

    it('200 for an active opaque token (introspection)', async () => {
      const response = await call('/api/leads', { headers: { authorization: 'Bearer gha_opaque_read' } });
      assert.equal(response.status, 200);
      assert.equal(((await response.json()) as { tokenType: string }).tokenType, 'opaque');
    });

    it('401 with realm, the scope the route needs and resource_metadata, when no token is sent', async () => {
      const response = await call('/api/leads');
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), `Bearer ${REALM}, scope="read:leads", ${RESOURCE_METADATA}`);
    });

    it('401 for a bare token without "Bearer", and the log says how to send it', async () => {
      const response = await call('/api/leads', { headers: { authorization: token } });
      assert.equal(response.status, 401);
      assert.equal(response.headers.get('www-authenticate'), `Bearer ${REALM}, scope="read:leads", ${RESOURCE_METADATA}`);
      assert.equal(logger.last()?.fields.hint, 'send `Authorization: Bearer <token>`');
      assert.ok(!logger.text().includes(token));
    });

    it('401 invalid_token for an expired token, without saying why', async () => {
      const expired = await issuer.sign({ claims: { exp: Math.floor(Date.now() / 1000) - 3600 } });
      const response = await call('/api/leads', { headers: { authorization: `Bearer ${expired}` } });
      assert.equal(response.status, 401);
      const challenge = response.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /^Bearer realm="[^"]+", error="invalid_token", error_description="The access token is not valid\.", scope="read:leads", resource_metadata="[^"]+"$/);
      assert.ok(!(await response.text()).includes('expire'));
      assert.equal(logger.last()?.fields.code, 'ERR_TOKEN_EXPIRED');
    });

    it('403 insufficient_scope naming the scope, when the token lacks it', async () => {
      const response = await call('/api/leads', { method: 'POST', headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 403);
      const challenge = response.headers.get('www-authenticate') ?? '';
      assert.match(challenge, /error="insufficient_scope"/);
      assert.match(challenge, /scope="write:leads"/);
      assert.match(challenge, new RegExp(RESOURCE_METADATA.replace(/[.?/]/g, '\\$&')));
    });

    it('200 on POST once the token grants write:leads', async () => {
      const writer = await issuer.sign({ claims: { scope: 'read:leads write:leads' } });
      const response = await call('/api/leads', { method: 'POST', headers: { authorization: `Bearer ${writer}` } });
      assert.equal(response.status, 200);
    });

    it('400 invalid_request for a malformed Authorization header', async () => {
      const response = await call('/api/leads', { headers: { authorization: 'Bearer' } });
      assert.equal(response.status, 400);
      assert.match(response.headers.get('www-authenticate') ?? '', /^Bearer realm="[^"]+", error="invalid_request", .*resource_metadata=/);
    });

    it('400 invalid_request for a token in both the header and the query', async () => {
      const response = await call(`/api/leads?access_token=${token}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(response.status, 400);
      assert.match(response.headers.get('www-authenticate') ?? '', /error="invalid_request"/);
    });

    describe('DPoP-bound tokens (RFC 9449 §7)', () => {
      let key: CryptoKeyPair;
      let otherKey: CryptoKeyPair;
      let bound: string;

      /** A proof for GET /api/leads on this app and `forToken`, with these claims over good defaults. */
      async function proof(forToken: string, claims: Record<string, unknown> = {}, signer = key): Promise<string> {
        return new SignJWT({ jti: randomUUID(), htm: 'GET', htu: `${app.baseUrl}/api/leads`, iat: Math.floor(Date.now() / 1000), ath: accessTokenHash(forToken), ...claims })
          .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(signer.publicKey) })
          .sign(signer.privateKey);
      }
      const dpopCall = (value: string, dpop: string, path = '/api/leads?page=2') => call(path, { headers: { authorization: `DPoP ${value}`, dpop } });

      before(async () => {
        key = await generateKeyPair('ES256');
        otherKey = await generateKeyPair('ES256');
        const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey), 'sha256');
        bound = await issuer.sign({ claims: { cnf: { jkt } } });
        issuer.opaque.set('gha_opaque_bound', activeIntrospection(issuer, { cnf: { jkt }, token_type: 'DPoP' }));
      });

      it('200 for a bound JWT and for a bound opaque token, each with a good proof (htu without the query)', async () => {
        const response = await dpopCall(bound, await proof(bound));
        assert.equal(response.status, 200, await response.clone().text());
        assert.equal(((await response.json()) as { tokenType: string }).tokenType, 'jwt');
        const opaque = await dpopCall('gha_opaque_bound', await proof('gha_opaque_bound'));
        assert.equal(opaque.status, 200);
        assert.equal(((await opaque.json()) as { tokenType: string }).tokenType, 'opaque');
      });

      it('401 invalid_dpop_proof with a DPoP challenge naming the algorithms, for a replayed proof', async () => {
        const once = await proof(bound);
        assert.equal((await dpopCall(bound, once)).status, 200);
        const again = await dpopCall(bound, once);
        assert.equal(again.status, 401);
        const challenge = again.headers.get('www-authenticate') ?? '';
        assert.match(challenge, /^DPoP realm="[^"]+", error="invalid_dpop_proof", /);
        assert.match(challenge, /algs="ES256 /);
        assert.equal(logger.last()?.fields.code, 'ERR_DPOP_PROOF_INVALID');
        assert.match(String(logger.last()?.fields.reason), /used before/);
      });

      const broken: Array<[string, (token: string) => Promise<string>, RegExp]> = [
        ['ath of another token', (t) => proof(t, { ath: accessTokenHash('another-token') }), /ath/],
        ['htm of another method', (t) => proof(t, { htm: 'POST' }), /htm/],
        ['htu of another URL', (t) => proof(t, { htu: 'http://elsewhere.test/api/leads' }), /htu/],
        ['an old iat', (t) => proof(t, { iat: Math.floor(Date.now() / 1000) - 3600 }), /too old/],
      ];
      for (const [what, make, reason] of broken) {
        it(`401 invalid_dpop_proof for a proof with ${what}`, async () => {
          const response = await dpopCall(bound, await make(bound));
          assert.equal(response.status, 401);
          assert.match(response.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_dpop_proof"/);
          assert.match(String(logger.last()?.fields.reason), reason);
        });
      }

      it('401 invalid_token for a bound token sent as Bearer, and for a proof by another key', async () => {
        const asBearer = await call('/api/leads', { headers: { authorization: `Bearer ${bound}` } });
        assert.equal(asBearer.status, 401);
        assert.match(asBearer.headers.get('www-authenticate') ?? '', /^DPoP .*error="invalid_token"/);
        assert.equal(logger.last()?.fields.code, 'ERR_TOKEN_DPOP_BINDING');
        const otherSigner = await dpopCall(bound, await proof(bound, {}, otherKey));
        assert.equal(otherSigner.status, 401);
        assert.match(String(logger.last()?.fields.reason), /another key/);
        const noProof = await call('/api/leads', { headers: { authorization: `DPoP ${bound}` } });
        assert.equal(noProof.status, 401);
        assert.equal(logger.last()?.fields.code, 'ERR_DPOP_PROOF_INVALID');
      });
    });

    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/leads']) {
      it(`serves the protected resource metadata at ${path}`, async () => {
        const response = await call(path);
        assert.equal(response.status, 200);
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        assert.deepEqual(await response.json(), {
          resource: 'http://api.test/leads',
          authorization_servers: [issuer.url],
          bearer_methods_supported: ['header'],
          scopes_supported: ['read:leads', 'write:leads'],
        });
      });
    }
  });
}
