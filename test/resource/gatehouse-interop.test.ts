// The SDK against the real Gatehouse server (not the test issuer): the tokens it issues, its discovery,
// its introspection and its revocation are what the SDK expects.
import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { createTokenVerifier, type TokenVerifier } from '../../src/resource/index.js';
import { basic, CALLBACK, createClient, createUser, oidcClient, postForm, USER } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
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

  it('a grant revoked in connected apps: a locally verified JWT is still accepted until its exp (the client\'s access-token lifetime), introspectJwts refuses it at once', async () => {
    await createUser(server);
    const secret = (await createClient(server, {
      clientId: 'zapier', scopes: 'read:leads', grantTypes: ['authorization_code', 'refresh_token'], accessTokenTtl: 600,
    })).clientSecret!;
    const config = await oidcClient(server, 'zapier', client.ClientSecretPost(secret));
    const pkce = client.randomPKCECodeVerifier();
    const agent = new TestUserAgent(server.issuer);
    const callback = await agent.authorize(client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'read:leads', code_challenge: await client.calculatePKCECodeChallenge(pkce), code_challenge_method: 'S256',
    }).href, USER);
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: pkce });
    const token = tokens.access_token;
    const { iat, exp } = decodeJwt(token);
    assert.equal(exp! - iat!, 600, 'the JWT lives the client\'s access-token lifetime');
    const strict = verifier({ introspectJwts: true });
    const local = verifier();
    await strict.verify(token);
    await local.verify(token);

    // What the user does: Revoke access on the connected-apps page.
    const page = await (await agent.request('/account/apps')).text();
    assert.match(page, /access it already holds may keep working for up to 10 minutes/, 'the page says what the measurement below shows');
    assert.doesNotMatch(page, /takes effect right away/);
    const confirmation = await (await agent.request('/account/apps/zapier/revoke', { form: hiddenFields(page, '/account/apps/zapier/revoke') })).text();
    const revoke = await agent.request('/account/apps/zapier/revoke', { form: hiddenFields(confirmation, '/account/apps/zapier/revoke') });
    assert.equal(revoke.status, 303);

    await rejectsWith(strict.verify(token), 'ERR_TOKEN_INACTIVE');
    const refreshed = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { authorization: basic('zapier', secret) });
    assert.equal(refreshed.status, 400, 'no new access token from the revoked grant');
    await local.verify(token);

    // Move the verifier's clock (Date only): accepted one second before exp, refused once exp and its tolerance passed.
    mock.timers.enable({ apis: ['Date'], now: (exp! - 1) * 1000 });
    try {
      await local.verify(token);
      mock.timers.setTime((exp! + 6) * 1000);
      await rejectsWith(local.verify(token), 'ERR_TOKEN_EXPIRED');
    } finally {
      mock.timers.reset();
    }
  });
});
