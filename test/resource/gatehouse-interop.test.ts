// The SDK against the real Gatehouse server (not the test issuer): the tokens it issues, its discovery,
// its introspection and its revocation are what the SDK expects.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTokenVerifier, type TokenVerifier } from '../../src/resource/index.js';
import { basic, createClient, postForm } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { rejectsWith } from './helpers/assert.js';

describe('the SDK against a real Gatehouse', () => {
  let server: TestServer;
  let apiSecret: string;
  let opaqueSecret: string;

  before(async () => {
    server = await startTestServer();
    apiSecret = (await createClient(server, { name: 'Leads API', clientId: 'leads-api', grantTypes: ['client_credentials'], scopes: 'read:leads', resourceServerFor: [server.config.defaultAudience] })).clientSecret!;
    opaqueSecret = (await createClient(server, { name: 'Opaque', clientId: 'opaque-app', grantTypes: ['client_credentials'], scopes: 'read:leads', accessTokenFormat: 'opaque' })).clientSecret!;
  });
  after(() => server.close());

  async function accessToken(clientId: string, secret: string): Promise<string> {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read:leads' }, { authorization: basic(clientId, secret) });
    assert.equal(response.status, 200);
    return ((await response.json()) as { access_token: string }).access_token;
  }

  function verifier(extra: { introspectJwts?: boolean } = {}): TokenVerifier {
    return createTokenVerifier({
      issuer: server.issuer,
      audience: server.issuer, // Gatehouse's default audience
      resource: 'http://localhost:4000',
      introspection: { clientId: 'leads-api', clientSecret: apiSecret },
      introspectionCacheSeconds: 0,
      ...extra,
    });
  }

  it('verifies Gatehouse JWT access tokens locally', async () => {
    const principal = await verifier().verify(await accessToken('leads-api', apiSecret), { requiredScopes: ['read:leads'] });
    assert.equal(principal.tokenType, 'jwt');
    assert.equal(principal.clientId, 'leads-api');
    assert.deepEqual(principal.scopes, ['read:leads']);
  });

  it('checks Gatehouse opaque access tokens through its introspection endpoint', async () => {
    const principal = await verifier().verify(await accessToken('opaque-app', opaqueSecret), { requiredScopes: ['read:leads'] });
    assert.equal(principal.tokenType, 'opaque');
    assert.equal(principal.clientId, 'opaque-app');
  });

  it('a revoked JWT: refused at once with introspectJwts, accepted until exp without (the trade-off)', async () => {
    const token = await accessToken('leads-api', apiSecret);
    const strict = verifier({ introspectJwts: true });
    const local = verifier();
    await strict.verify(token);
    const revoked = await postForm(`${server.issuer}/oauth2/revoke`, { token }, { authorization: basic('leads-api', apiSecret) });
    assert.equal(revoked.status, 200);
    await rejectsWith(strict.verify(token), 'ERR_TOKEN_INACTIVE');
    await local.verify(token);
  });
});
