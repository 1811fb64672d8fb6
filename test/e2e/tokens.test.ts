// Refresh rotation and reuse, code replay, client credentials, introspection and revocation, through openid-client.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, basic, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';

await describeOnBackends('tokens', (backend) => {
  let server: TestServer;
  let secret: string;
  let graceSecret: string;
  let rsSecret: string;
  let opaqueSecret: string;
  const clock = new TestClock();

  before(async () => {
    server = await startTestServer({ backend, clock });
    await createUser(server);
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads write:leads' })).clientSecret!;
    graceSecret = (await createClient(server, { name: 'Worker pool', clientId: 'workers', scopes: 'read:leads', refreshTokenGrace: 30 })).clientSecret!;
    rsSecret = (await createClient(server, {
      name: 'Leads API', clientId: 'leads-api', grantTypes: ['client_credentials'], scopes: 'read:leads reports:run', resourceServerFor: [server.config.defaultAudience],
    })).clientSecret!;
    opaqueSecret = (await createClient(server, { name: 'Opaque', clientId: 'opaque-app', scopes: 'read:leads', accessTokenFormat: 'opaque' })).clientSecret!;
  });
  after(() => server.close());

  async function connect(clientId: string, clientSecret: string, scope = 'read:leads') {
    const config = await oidcClient(server, clientId, client.ClientSecretPost(clientSecret));
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope, code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const callback = await new TestUserAgent(server.issuer).authorize(url.href, USER);
    return { config, callback, verifier, tokens: await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier }) };
  }

  /** A client_credentials access token for the client. */
  async function clientToken(clientId: string, secret: string): Promise<string> {
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic(clientId, secret) });
    return ((await response.json()) as { access_token: string }).access_token;
  }

  async function introspect(token: string) {
    const config = await oidcClient(server, 'leads-api', client.ClientSecretBasic(rsSecret));
    return client.tokenIntrospection(config, token);
  }

  test('a refresh token rotates on every use and the new pair works', async () => {
    const { config, tokens } = await connect('zapier-client', secret);
    const first = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.notEqual(first.refresh_token, tokens.refresh_token);
    const second = await client.refreshTokenGrant(config, first.refresh_token!);
    assert.ok(second.access_token);
    assert.equal((await introspect(second.access_token)).active, true);
  });

  test('a rotated refresh token presented again after its successor was used revokes the grant', async () => {
    const { config, tokens } = await connect('zapier-client', secret);
    const rotated = await client.refreshTokenGrant(config, tokens.refresh_token!);
    const current = await client.refreshTokenGrant(config, rotated.refresh_token!);
    await assert.rejects(client.refreshTokenGrant(config, tokens.refresh_token!), (error: client.ResponseBodyError) => error.error === 'invalid_grant');
    await assert.rejects(client.refreshTokenGrant(config, current.refresh_token!), (error: client.ResponseBodyError) => error.error === 'invalid_grant', 'the current refresh token dies with the grant');
    assert.equal((await introspect(current.access_token)).active, false, 'access tokens of the grant are revoked, JWTs included');
    assert.equal((await introspect(tokens.access_token)).active, false);
  });

  test('within the reuse grace window a racing process gets the same current tokens; after it, reuse revokes', async () => {
    const { config, tokens } = await connect('workers', graceSecret);
    const winner = await client.refreshTokenGrant(config, tokens.refresh_token!);
    const racer = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.equal(racer.refresh_token, winner.refresh_token, 'same refresh token');
    assert.equal(racer.access_token, winner.access_token, 'same access token');
    const next = await client.refreshTokenGrant(config, winner.refresh_token!);
    assert.equal((await introspect(next.access_token)).active, true, 'the grant lives on');
    // Outside the window, reuse revokes the grant.
    const { tokens: other } = await connect('workers', graceSecret);
    const rotated = await client.refreshTokenGrant(config, other.refresh_token!);
    await client.refreshTokenGrant(config, rotated.refresh_token!); // used, so the reuse is no lost answer either
    // The window is set per client: shrinking it to 0 s puts the reuse outside it.
    await server.services.clients.update('workers', { refreshTokenGrace: 0 });
    await assert.rejects(client.refreshTokenGrant(config, other.refresh_token!), (error: client.ResponseBodyError) => error.error === 'invalid_grant');
    assert.equal((await introspect(rotated.access_token)).active, false);
    await server.services.clients.update('workers', { refreshTokenGrace: 30 });
  });

  test('a narrower scope may be asked on refresh; a wider one is invalid_scope', async () => {
    const { config, tokens } = await connect('zapier-client', secret, 'read:leads write:leads');
    const narrower = await client.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'read:leads' });
    assert.equal(narrower.scope, 'read:leads');
    await assert.rejects(client.refreshTokenGrant(config, narrower.refresh_token!, { scope: 'read:leads openid' }), (error: client.ResponseBodyError) => error.error === 'invalid_scope');
  });

  test('a replayed authorization code fails with invalid_grant and revokes the tokens it issued', async () => {
    const { tokens, callback, verifier } = await connect('zapier-client', secret);
    const replay = await postForm(`${server.issuer}/oauth2/token`, {
      grant_type: 'authorization_code', code: callback.searchParams.get('code')!, redirect_uri: CALLBACK, code_verifier: verifier,
      client_id: 'zapier-client', client_secret: secret,
    });
    assert.equal(replay.status, 400);
    assert.equal((await replay.json() as { error: string }).error, 'invalid_grant');
    assert.equal((await introspect(tokens.access_token)).active, false);
    const refresh = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token!, client_id: 'zapier-client', client_secret: secret });
    assert.equal(refresh.status, 400);
  });

  test('client_credentials issues only allowed scopes', async () => {
    const config = await oidcClient(server, 'leads-api', client.ClientSecretBasic(rsSecret));
    const all = await client.clientCredentialsGrant(config);
    assert.equal(all.scope, 'read:leads reports:run');
    assert.equal(all.refresh_token, undefined);
    const one = await client.clientCredentialsGrant(config, { scope: 'reports:run' });
    assert.equal(one.scope, 'reports:run');
    assert.equal((await introspect(one.access_token)).client_id, 'leads-api');
    await assert.rejects(client.clientCredentialsGrant(config, { scope: 'write:leads' }), (error: client.ResponseBodyError) => error.error === 'invalid_scope');
    const zapier = await oidcClient(server, 'zapier-client', client.ClientSecretBasic(secret));
    await assert.rejects(client.clientCredentialsGrant(zapier), (error: client.ResponseBodyError) => error.error === 'unauthorized_client');
  });

  test('introspection reports active tokens with their claims, and requires client authentication', async () => {
    const { tokens } = await connect('opaque-app', opaqueSecret);
    assert.match(tokens.access_token, /^gha_/, 'opaque access tokens when the client asks for them');
    const answer = await introspect(tokens.access_token);
    assert.equal(answer.active, true);
    assert.equal(answer.client_id, 'opaque-app');
    assert.equal(answer.scope, 'read:leads');
    assert.equal(answer.username, 'alice');
    assert.equal((await introspect('not-a-token')).active, false);
    const anonymous = await postForm(`${server.issuer}/oauth2/introspect`, { token: tokens.access_token });
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json() as { error: string }).error, 'invalid_client');
  });

  test('introspection answers only the token\'s own client and the resource servers of its audience; any other client hears active: false', async () => {
    const { tokens } = await connect('zapier-client', secret);
    const other = await createClient(server, { name: 'Elsewhere API', clientId: 'elsewhere-api', grantTypes: ['client_credentials'], scopes: 'read:leads', resourceServerFor: ['https://elsewhere.example'] });
    const ask = async (clientId: string, clientSecret: string, token: string) => {
      const response = await postForm(`${server.issuer}/oauth2/introspect`, { token }, { authorization: basic(clientId, clientSecret) });
      assert.equal(response.status, 200);
      return (await response.json()) as Record<string, unknown>;
    };
    const own = await ask('zapier-client', secret, tokens.access_token);
    assert.equal(own.active, true, 'its own client');
    assert.equal(own.username, 'alice');
    assert.equal((await ask('leads-api', rsSecret, tokens.access_token)).active, true, 'the resource server of its audience');
    for (const [clientId, clientSecret] of [['opaque-app', opaqueSecret], ['elsewhere-api', other.clientSecret!]] as const) {
      assert.deepEqual(await ask(clientId, clientSecret, tokens.access_token), { active: false }, `${clientId} learns nothing`);
    }
    const { tokens: opaque } = await connect('opaque-app', opaqueSecret);
    assert.deepEqual(await ask('zapier-client', secret, opaque.access_token), { active: false }, 'opaque tokens alike');
    assert.deepEqual(await ask('leads-api', rsSecret, tokens.refresh_token!), { active: false }, 'refresh tokens only to their own client');
    // Registered later, through the same domain update the CLI and the admin API use: told at once.
    await server.services.clients.update('elsewhere-api', { resourceServerFor: ['https://elsewhere.example', server.config.defaultAudience] });
    assert.equal((await ask('elsewhere-api', other.clientSecret!, tokens.access_token)).active, true);
  });

  test('revoking an access token ends it; revoking a refresh token ends the grant; unknown tokens are fine', async () => {
    const { config, tokens } = await connect('zapier-client', secret);
    await client.tokenRevocation(config, tokens.access_token);
    assert.equal((await introspect(tokens.access_token)).active, false);
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    await client.tokenRevocation(config, refreshed.refresh_token!, { token_type_hint: 'refresh_token' });
    assert.equal((await introspect(refreshed.access_token)).active, false, 'the grant ended with its refresh token');
    await assert.rejects(client.refreshTokenGrant(config, refreshed.refresh_token!));
    await client.tokenRevocation(config, 'no-such-token');
    const bad = await postForm(`${server.issuer}/oauth2/revoke`, { token: 'x', client_id: 'zapier-client', client_secret: 'wrong' });
    assert.equal(bad.status, 401);
  });

  test('a client_credentials JWT needs no row to be honoured: revoking it, or deleting its client, ends it', async () => {
    const made = await createClient(server, { name: 'Batch job', clientId: 'batch-job', grantTypes: ['client_credentials'], scopes: 'read:leads' });
    const issue = () => clientToken('batch-job', made.clientSecret!);
    const first = await issue();
    const second = await issue();
    assert.equal((await introspect(first)).active, true);
    const revoked = await postForm(`${server.issuer}/oauth2/revoke`, { token: first }, { authorization: basic('batch-job', made.clientSecret!) });
    assert.equal(revoked.status, 200);
    assert.equal((await introspect(first)).active, false, 'revocation is recorded for a token that had no row');
    assert.equal((await introspect(second)).active, true, 'other tokens of the client are untouched');
    await server.services.clients.delete('batch-job');
    assert.equal((await introspect(second)).active, false, "a deleted client's tokens are no longer active");
  });

  test('introspection checks a JWT signature once per token, yet a changed copy or an unpublished key is never trusted', async () => {
    const made = await createClient(server, { name: 'Cache probe', clientId: 'cache-probe', grantTypes: ['client_credentials'], scopes: 'read:leads write:leads' });
    const issue = () => clientToken('cache-probe', made.clientSecret!);
    const token = await issue();
    assert.equal((await introspect(token)).active, true);
    assert.equal((await introspect(token)).active, true, 'a second look at the same token');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const flipped = signature.slice(0, 10) + (signature[10] === 'A' ? 'B' : 'A') + signature.slice(11);
    assert.equal((await introspect(`${header}.${payload}.${flipped}`)).active, false, 'a changed signature');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'read:leads write:leads admin' })).toString('base64url');
    assert.equal((await introspect(`${header}.${widened}.${signature}`)).active, false, 'a changed payload under the old signature');
    // The key that signed it stops being published (rotated, then past its retention): its tokens end at once.
    await server.services.keys.rotate(['ES256']);
    assert.equal((await introspect(token)).active, true, 'a retired key still verifies while published');
    await server.services.store.cleanup(Math.floor(Date.now() / 1000) + 400 * 86400, 1000);
    // An instance rereads its keys every GATEHOUSE_KEY_REFRESH; rotating again makes this one reread now.
    await server.services.keys.rotate(['ES256']);
    assert.equal((await introspect(token)).active, false, 'no longer published: not active, though verified before');
    assert.equal((await introspect(await issue())).active, true, 'tokens from the new key are active');
  });

  test('expired tokens introspect as inactive', async (t) => {
    const short = await createClient(server, { name: 'Short', clientId: 'short-lived', grantTypes: ['client_credentials'], scopes: 'read:leads', accessTokenTtl: 1 });
    // Times are whole seconds: frozen, the clock cannot cross into the token's expiry second between the two calls.
    clock.freeze();
    t.after(() => clock.reset());
    const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('short-lived', short.clientSecret!) });
    const { access_token, expires_in } = await response.json() as { access_token: string; expires_in: number };
    assert.equal(expires_in, 1, 'the per-client lifetime is used');
    assert.equal((await introspect(access_token)).active, true);
    clock.advanceSeconds(1);
    assert.equal((await introspect(access_token)).active, false);
  });
});
