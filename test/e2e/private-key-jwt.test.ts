// private_key_jwt client authentication (RFC 7523 §2.2): a client registers public keys instead of getting a
// secret, and signs a short-lived assertion per request. openid-client is the client; hand-made assertions show
// each refusal (replay, wrong key, audience, lifetime, method).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { basic, createClient, oidcClient, postForm } from '../helpers/fixtures.js';
import { makeCertificate, startTlsServer, type TestCertificate } from '../helpers/tls.js';
import { TestClock } from '../helpers/clock.js';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

await describeOnBackends('private_key_jwt client authentication', (backend) => {
  let server: TestServer;
  let privateKey: CryptoKey;
  let otherKey: CryptoKey;

  /** An assertion signed with `key` (kid "k1"), with these claims over the good defaults. */
  async function assertion(claims: Record<string, unknown> = {}, key = privateKey): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ iss: 'agent', sub: 'agent', aud: server.issuer, jti: crypto.randomUUID(), iat: now, exp: now + 60, ...claims })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .sign(key);
  }

  async function tokenWith(signed: string, extra: Record<string, string> = {}) {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: signed, ...extra });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  }

  before(async () => {
    server = await startTestServer({ backend });
    ({ privateKey } = await generateKeyPair('ES256', { extractable: true }));
    ({ privateKey: otherKey } = await generateKeyPair('ES256'));
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', use: 'sig' } as Record<string, unknown>;
    delete jwk.d;
    const created = await createClient(server, { clientId: 'agent', name: 'Agent', grantTypes: ['client_credentials'], scopes: 'read:leads', tokenEndpointAuthMethod: 'private_key_jwt', jwks: { keys: [jwk] } });
    assert.equal(created.clientSecret, null, 'a private_key_jwt client gets no secret');
  });
  after(() => server.close());

  test('discovery announces private_key_jwt and the algorithms it checks', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, string[]>;
    assert.ok(metadata.token_endpoint_auth_methods_supported!.includes('private_key_jwt'));
    assert.deepEqual(metadata.token_endpoint_auth_signing_alg_values_supported, ['ES256', 'RS256']);
  });

  test('openid-client authenticates with its key: client_credentials, then introspection of its own token', async () => {
    const config = await oidcClient(server, 'agent', client.PrivateKeyJwt({ key: privateKey, kid: 'k1' }));
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:leads' });
    assert.equal(tokens.scope, 'read:leads');
    const introspected = await client.tokenIntrospection(config, tokens.access_token);
    assert.equal(introspected.active, true);
    assert.equal(introspected.client_id, 'agent');
  });

  test('an assertion authenticates once: the same jti again is invalid_client', async () => {
    const signed = await assertion();
    assert.equal((await tokenWith(signed)).status, 200);
    const again = await tokenWith(signed);
    assert.equal(again.status, 401);
    assert.equal(again.body.error, 'invalid_client');
    assert.match(again.body.error_description as string, /jti was used before/);
  });

  test('every broken assertion is invalid_client naming what is wrong', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, Promise<string>, RegExp]> = [
      ['another key', assertion({}, otherKey), /signature does not verify/],
      ['another audience', assertion({ aud: 'https://elsewhere.example' }), /aud/],
      ['expired', assertion({ iat: now - 600, exp: now - 60 }), /expired/],
      ['too long-lived', assertion({ exp: now + 3600 }), /expires more than 600 s from now/],
      ['sub not the client', assertion({ sub: 'someone-else' }), /sub must be the client_id/],
      ['no jti', assertion({ jti: undefined }), /jti claim is missing/],
    ];
    for (const [what, signed, description] of cases) {
      const answer = await tokenWith(await signed);
      assert.equal(answer.status, 401, what);
      assert.equal(answer.body.error, 'invalid_client', what);
      assert.match(answer.body.error_description as string, description, what);
    }
    const wrongType = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_assertion_type: 'urn:example:saml', client_assertion: await assertion() });
    assert.equal(wrongType.status, 401);
  });

  test('the registered method is the only one: a secret client cannot send an assertion, nor the key client a secret', async () => {
    const secret = (await createClient(server, { clientId: 'secretive', name: 'Secretive', grantTypes: ['client_credentials'], scopes: 'read:leads' })).clientSecret!;
    const asSecretClient = await tokenWith(await assertion({ iss: 'secretive', sub: 'secretive' }), { client_id: 'secretive' });
    assert.equal(asSecretClient.status, 401);
    assert.match(asSecretClient.body.error_description as string, /registered to authenticate with a client secret, not private_key_jwt/);
    const asKeyClient = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('agent', secret) });
    assert.equal(asKeyClient.status, 401);
    assert.equal((await asKeyClient.json() as { error: string }).error, 'invalid_client');
  });

  test('registering keys: private keys, small RSA keys and keys without kid are refused; no secret to rotate', async () => {
    // jose refuses to make a small RSA key; node:crypto still can.
    const small = { ...generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' }), kid: 'small' };
    const privateJwk = { ...(await exportJWK(privateKey)), kid: 'oops' };
    const cases: Array<[unknown, RegExp]> = [
      [{ keys: [privateJwk] }, /is private: register the public key only/],
      [{ keys: [small] }, /RSA key of 1024 bits/],
      [{ keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] }, /needs a kid/],
      [{ keys: [] }, /at least one public key/],
    ];
    for (const [jwks, message] of cases) {
      await assert.rejects(createClient(server, { name: 'Bad keys', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'private_key_jwt', jwks: jwks as never }), message);
    }
    await assert.rejects(createClient(server, { name: 'No keys', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'private_key_jwt' }), /private_key_jwt needs the client's public keys/);
    await assert.rejects(server.services.clients.rotateSecret('agent'), /authenticates with private_key_jwt and has no secret/);
  });
});

describe('private_key_jwt with keys at a jwks_uri (fetched under the outbound rules)', () => {
  let certificate: TestCertificate;
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  let server: TestServer;
  let key: CryptoKey;
  let jwks: { keys: Array<Record<string, unknown>> };
  let fetches = 0;
  const clock = new TestClock();

  before(async () => {
    certificate = makeCertificate();
    ({ privateKey: key } = await generateKeyPair('ES256', { extractable: true }));
    const jwk = { ...(await exportJWK(key)), kid: 'remote-1' } as Record<string, unknown>;
    delete jwk.d;
    jwks = { keys: [jwk] };
    tls = await startTlsServer(certificate, (request, response) => {
      if (request.url === '/jwks.json') {
        fetches++;
        response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' });
        return response.end(JSON.stringify(jwks));
      }
      if (request.url === '/moved') {
        response.writeHead(301, { location: '/jwks.json' });
        return response.end();
      }
      response.writeHead(404);
      response.end();
    });
    server = await startTestServer({ clock, env: { GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'true', GATEHOUSE_FETCH_CA_FILE: certificate.certFile } });
    await createClient(server, { clientId: 'remote-agent', name: 'Remote agent', grantTypes: ['client_credentials'], scopes: 'read:leads', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${tls.origin}/jwks.json` });
    await createClient(server, { clientId: 'moved-agent', name: 'Moved agent', grantTypes: ['client_credentials'], scopes: 'read:leads', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${tls.origin}/moved` });
  });
  after(async () => {
    await server.close();
    await tls.close();
    certificate.remove();
  });

  async function signed(clientId: string, kid: string, signingKey = key): Promise<string> {
    const now = Math.floor(clock.now() / 1000);
    return new SignJWT({ iss: clientId, sub: clientId, aud: server.issuer, jti: crypto.randomUUID(), iat: now, exp: now + 60 })
      .setProtectedHeader({ alg: 'ES256', kid })
      .sign(signingKey);
  }
  const token = async (assertion: string) => {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };

  test('openid-client authenticates; the key set is fetched once and reused while its Cache-Control allows', async () => {
    const config = await oidcClient(server, 'remote-agent', client.PrivateKeyJwt({ key, kid: 'remote-1' }));
    await client.clientCredentialsGrant(config, { scope: 'read:leads' });
    await client.clientCredentialsGrant(config, { scope: 'read:leads' });
    assert.equal(fetches, 1);
  });

  test('a rotated key is fetched again, at most once a minute for kids the copy lacks', async () => {
    const { privateKey: next } = await generateKeyPair('ES256', { extractable: true });
    const nextJwk = { ...(await exportJWK(next)), kid: 'remote-2' } as Record<string, unknown>;
    delete nextJwk.d;
    jwks = { keys: [jwks.keys[0]!, nextJwk] };
    const before = fetches;
    clock.advanceSeconds(61);
    assert.equal((await token(await signed('remote-agent', 'remote-2', next))).status, 200);
    assert.equal(fetches, before + 1);
    const unknown = await token(await signed('remote-agent', 'nobody'));
    assert.equal(unknown.status, 401);
    assert.equal(fetches, before + 1, 'an unknown kid right after a fetch does not fetch again');
  });

  test('a jwks_uri that redirects is refused, naming why', async () => {
    const answer = await token(await signed('moved-agent', 'remote-1'));
    assert.equal(answer.status, 401);
    assert.match(answer.body.error_description as string, /redirects are not followed/);
  });

  test('without the development setting, a loopback jwks_uri is refused before any connection', async () => {
    const strict = await startTestServer({ env: { GATEHOUSE_FETCH_CA_FILE: certificate.certFile } });
    try {
      await createClient(strict, { clientId: 'remote-agent', name: 'Remote agent', grantTypes: ['client_credentials'], scopes: 'read:leads', tokenEndpointAuthMethod: 'private_key_jwt', jwksUri: `${tls.origin}/jwks.json` });
      const before = fetches;
      const now = Math.floor(Date.now() / 1000);
      const assertion = await new SignJWT({ iss: 'remote-agent', sub: 'remote-agent', aud: strict.issuer, jti: crypto.randomUUID(), iat: now, exp: now + 60 }).setProtectedHeader({ alg: 'ES256', kid: 'remote-1' }).sign(key);
      const response = await postForm(`${strict.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion });
      assert.equal(response.status, 401);
      assert.match((await response.json() as { error_description: string }).error_description, /loopback address/);
      assert.equal(fetches, before);
    } finally {
      await strict.close();
    }
  });
});
