// Resource indicators (RFC 8707) with a real OAuth client (openid-client), over real HTTP: the resources named at
// the authorization endpoint become the access token's audience; the token endpoint may narrow, never widen.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { basic, CALLBACK, USER, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';

const LEADS = 'https://api.example.com/leads';
const REPORTS = 'https://reports.example.com';
const UNREGISTERED = 'https://unknown.example.com';

const invalidTarget = (pattern?: RegExp) => (error: client.ResponseBodyError) => {
  assert.equal(error.error, 'invalid_target', String(error));
  if (pattern) assert.match(error.error_description ?? '', pattern);
  return true;
};

/** An authorization URL for the client, with each resource as its own `resource` parameter. */
async function authorizationUrl(config: client.Configuration, scope: string, resources: string[], extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const params = new URLSearchParams({ redirect_uri: CALLBACK, scope, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', ...extra });
  for (const resource of resources) params.append('resource', resource);
  return { url: client.buildAuthorizationUrl(config, params), verifier };
}

await describeOnBackends('resource indicators (RFC 8707)', (backend) => {
  let server: TestServer;
  let secret: string;
  let config: client.Configuration;

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server, USER);
    const made = await createClient(server, { clientId: 'leadsync', name: 'LeadSync', scopes: 'openid read:leads write:leads read:reports', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    secret = made.clientSecret!;
    config = await oidcClient(server, 'leadsync', client.ClientSecretBasic(secret));
    await server.services.resources.create({ uri: LEADS, name: 'Leads API', scopes: 'read:leads write:leads' });
    await server.services.resources.create({ uri: REPORTS, scopes: '' });
  });
  after(() => server.close());

  test('discovery announces resource indicators', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    assert.equal(metadata.resource_indicators_supported, true);
    const oidc = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
    assert.equal(oidc.resource_indicators_supported, true);
  });

  test('the consent page names the resource; the access token and introspection carry it as aud', async () => {
    const { url, verifier } = await authorizationUrl(config, 'read:leads', [LEADS], { state: 'one' });
    const agent = new TestUserAgent(server.issuer);
    let step = await agent.navigate(url.href);
    step = await agent.signIn(step.html, USER.username, USER.password);
    assert.match(step.html, /LeadSync wants to access your account/);
    assert.match(step.html, /Read your leads/);
    assert.match(step.html, /<p class="resources">on <strong>Leads API<\/strong><\/p>/);
    step = await agent.consent(step.html, 'allow');
    const tokens = await client.authorizationCodeGrant(config, new URL(step.location!), { pkceCodeVerifier: verifier, expectedState: 'one' });
    assert.equal(decodeJwt(tokens.access_token).aud, LEADS);

    const introspected = await postForm(`${server.issuer}/oauth2/introspect`, { token: tokens.access_token }, { authorization: basic('leadsync', secret) });
    const body = await introspected.json() as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.aud, LEADS);

    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(decodeJwt(refreshed.access_token).aud, LEADS, 'the refresh token remembers the resource');

    const apps = await agent.navigate('/account/apps');
    assert.match(apps.html, /LeadSync/);
    assert.match(apps.html, /on <strong>Leads API<\/strong>/, 'the connected-apps page names the resource');
  });

  test('two resources: aud is both; the code exchange and a refresh may narrow to one, never widen', async () => {
    const { url, verifier } = await authorizationUrl(config, 'read:leads', [LEADS, REPORTS]);
    const consentPage = await (async () => {
      const agent = new TestUserAgent(server.issuer);
      const first = await agent.navigate(url.href);
      const page = await agent.signIn(first.html, USER.username, USER.password);
      return { agent, page };
    })();
    assert.match(consentPage.page.html, /on <strong>Leads API<\/strong>, <strong>https:\/\/reports\.example\.com<\/strong>/, 'a resource without a name is shown by its URI');
    const done = await consentPage.agent.consent(consentPage.page.html, 'allow');
    const callback = new URL(done.location!);

    // Widening at the code exchange is refused, and leaves the code usable.
    await assert.rejects(client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, { resource: UNREGISTERED }), invalidTarget(/was not granted/));
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }, { resource: REPORTS });
    assert.equal(decodeJwt(tokens.access_token).aud, REPORTS, 'the code exchange narrowed the audience');

    const both = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.deepEqual(decodeJwt(both.access_token).aud, [LEADS, REPORTS], 'the grant keeps every resource');
    const narrowed = await client.refreshTokenGrant(config, both.refresh_token!, { resource: LEADS });
    assert.equal(decodeJwt(narrowed.access_token).aud, LEADS);
    await assert.rejects(client.refreshTokenGrant(config, narrowed.refresh_token!, { resource: UNREGISTERED }), invalidTarget(/was not granted with this grant/));
    // Nothing was rotated by the refused request: the same refresh token still works.
    const after = await client.refreshTokenGrant(config, narrowed.refresh_token!);
    assert.deepEqual(decodeJwt(after.access_token).aud, [LEADS, REPORTS]);
  });

  test('a remembered consent covers fewer resources without asking, and its code is for exactly those', async () => {
    const { url, verifier } = await authorizationUrl(config, 'read:leads', [REPORTS]);
    const agent = new TestUserAgent(server.issuer);
    const first = await agent.navigate(url.href);
    const done = await agent.signIn(first.html, USER.username, USER.password);
    assert.ok(done.location, 'no consent page: Leads API and the reports API were both allowed before');
    const tokens = await client.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier });
    assert.equal(decodeJwt(tokens.access_token).aud, REPORTS);
  });

  test('without resource: the default audience as before; naming it at refresh is allowed, another is not', async () => {
    const { url, verifier } = await authorizationUrl(config, 'read:leads', []);
    const tokens = await client.authorizationCodeGrant(config, await new TestUserAgent(server.issuer).authorize(url.href, USER), { pkceCodeVerifier: verifier });
    assert.equal(decodeJwt(tokens.access_token).aud, server.config.defaultAudience);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!, { resource: LEADS }), invalidTarget());
  });

  test('an unregistered, malformed or scope-refusing resource is invalid_target, redirected with state and iss', async () => {
    const cases: Array<[string[], string, RegExp]> = [
      [[UNREGISTERED], 'read:leads', /"https:\/\/unknown\.example\.com" is not registered/],
      [['https://api.example.com/leads#x'], 'read:leads', /must not contain a fragment/],
      [['/relative'], 'read:leads', /is not an absolute URI/],
      [[LEADS], 'read:leads read:reports', /resource "https:\/\/api\.example\.com\/leads" does not accept scope "read:reports"/],
      [[REPORTS, UNREGISTERED], 'read:reports', /unknown\.example\.com" is not registered/],
    ];
    for (const [resources, scope, message] of cases) {
      const { url } = await authorizationUrl(config, scope, resources, { state: 'xyz' });
      const response = await fetch(url, { redirect: 'manual' });
      assert.equal(response.status, 303, `${resources.join(' ')}: ${response.status}`);
      const location = new URL(response.headers.get('location')!);
      assert.equal(`${location.origin}${location.pathname}`, CALLBACK);
      assert.equal(location.searchParams.get('error'), 'invalid_target', `${resources.join(' ')}`);
      assert.match(location.searchParams.get('error_description')!, message);
      assert.equal(location.searchParams.get('state'), 'xyz');
      assert.equal(location.searchParams.get('iss'), server.issuer);
    }
  });

  test('openid and offline_access need no place in a resource\'s scope list', async () => {
    const { url, verifier } = await authorizationUrl(config, 'openid read:leads', [LEADS], { nonce: 'n' });
    const tokens = await client.authorizationCodeGrant(config, await new TestUserAgent(server.issuer).authorize(url.href, USER), { pkceCodeVerifier: verifier, expectedNonce: 'n', idTokenExpected: true });
    assert.equal(decodeJwt(tokens.access_token).aud, LEADS);
    assert.equal(tokens.claims()!.aud, 'leadsync', 'the ID token is still for the client');
  });

  test('client_credentials: the resource is the audience; unregistered or scope-refusing is invalid_target (JSON 400)', async () => {
    const tokens = await client.clientCredentialsGrant(config, { scope: 'read:leads', resource: LEADS });
    assert.equal(decodeJwt(tokens.access_token).aud, LEADS);
    const unscoped = await client.clientCredentialsGrant(config, { resource: LEADS });
    assert.equal(unscoped.scope, 'read:leads write:leads', 'without scope: the client\'s scopes that the resource accepts');
    assert.equal(decodeJwt(unscoped.access_token).aud, LEADS);
    const plain = await client.clientCredentialsGrant(config, { scope: 'read:leads' });
    assert.equal(decodeJwt(plain.access_token).aud, server.config.defaultAudience);
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:leads', resource: UNREGISTERED }), invalidTarget(/is not registered/));
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:reports', resource: LEADS }), invalidTarget(/does not accept scope "read:reports"/));

    const raw = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read:leads', resource: UNREGISTERED }, { authorization: basic('leadsync', secret) });
    assert.equal(raw.status, 400);
    assert.equal(raw.headers.get('cache-control'), 'no-store');
    assert.equal((await raw.json() as { error: string }).error, 'invalid_target');

    const twice = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('leadsync', secret) },
      body: `grant_type=client_credentials&scope=read%3Aleads&resource=${encodeURIComponent(LEADS)}&resource=${encodeURIComponent(REPORTS)}`,
    });
    assert.equal(twice.status, 200);
    assert.deepEqual(decodeJwt((await twice.json() as { access_token: string }).access_token).aud, [LEADS, REPORTS], 'resource may repeat');
    const scopeTwice = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('leadsync', secret) },
      body: 'grant_type=client_credentials&scope=read%3Aleads&scope=read%3Aleads',
    });
    assert.equal(scopeTwice.status, 400, 'other parameters still may not');
    const tooMany = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic('leadsync', secret) },
      body: `grant_type=client_credentials&${Array.from({ length: 11 }, () => `resource=${encodeURIComponent(LEADS)}`).join('&')}`,
    });
    assert.equal(tooMany.status, 400);
    assert.deepEqual(await tooMany.json(), { error: 'invalid_request', error_description: 'resource was sent 11 times; at most 10 are accepted' });
    const control = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', resource: `${LEADS}\u0000` }, { authorization: basic('leadsync', secret) });
    assert.equal(control.status, 400);
    assert.equal((await control.json() as { error: string }).error, 'invalid_request');
  });

  test('the API registered as resource server for its resource URI may introspect tokens meant for it, another may not', async () => {
    const leadsApi = await createClient(server, { clientId: 'leads-api', name: 'Leads API', redirectUris: [], grantTypes: ['client_credentials'], scopes: '', resourceServerFor: [LEADS] });
    const reportsApi = await createClient(server, { clientId: 'reports-api', name: 'Reports API', redirectUris: [], grantTypes: ['client_credentials'], scopes: '', resourceServerFor: ['https://other.example.com'] });
    const token = (await client.clientCredentialsGrant(config, { scope: 'read:leads', resource: LEADS })).access_token;
    const asLeads = await postForm(`${server.issuer}/oauth2/introspect`, { token }, { authorization: basic('leads-api', leadsApi.clientSecret!) });
    const body = await asLeads.json() as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.aud, LEADS);
    const asOther = await postForm(`${server.issuer}/oauth2/introspect`, { token }, { authorization: basic('reports-api', reportsApi.clientSecret!) });
    assert.deepEqual(await asOther.json(), { active: false });
  });

  test('a resource registered or deleted is seen at once on this instance', async () => {
    const uri = 'https://late.example.com';
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:leads', resource: uri }), invalidTarget());
    await server.services.resources.create({ uri });
    assert.equal(decodeJwt((await client.clientCredentialsGrant(config, { scope: 'read:leads', resource: uri })).access_token).aud, uri);
    await server.services.resources.delete(uri);
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:leads', resource: uri }), invalidTarget());
  });
});

await describeOnBackends('GATEHOUSE_UNREGISTERED_RESOURCES=allow', (backend) => {
  let server: TestServer;
  let config: client.Configuration;

  before(async () => {
    server = await startTestServer({ backend, env: { GATEHOUSE_UNREGISTERED_RESOURCES: 'allow' } });
    await createUser(server, USER);
    const made = await createClient(server, { clientId: 'agent', name: 'Agent', scopes: 'read:leads', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    config = await oidcClient(server, 'agent', client.ClientSecretBasic(made.clientSecret!));
    await server.services.resources.create({ uri: LEADS, name: 'Leads API', scopes: 'write:leads' });
  });
  after(() => server.close());

  test('an unregistered resource becomes the audience; a registered one still has its scope rule; malformed is still refused', async () => {
    const { url, verifier } = await authorizationUrl(config, 'read:leads', [UNREGISTERED]);
    const agent = new TestUserAgent(server.issuer);
    let step = await agent.navigate(url.href);
    step = await agent.signIn(step.html, USER.username, USER.password);
    assert.match(step.html, /on <strong>https:\/\/unknown\.example\.com<\/strong>/);
    step = await agent.consent(step.html, 'allow');
    const tokens = await client.authorizationCodeGrant(config, new URL(step.location!), { pkceCodeVerifier: verifier });
    assert.equal(decodeJwt(tokens.access_token).aud, UNREGISTERED);

    assert.equal(decodeJwt((await client.clientCredentialsGrant(config, { scope: 'read:leads', resource: UNREGISTERED })).access_token).aud, UNREGISTERED);
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:leads', resource: LEADS }), invalidTarget(/does not accept scope "read:leads"/));
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'read:leads', resource: 'https://x.example/#frag' }), invalidTarget(/fragment/));
  });
});
