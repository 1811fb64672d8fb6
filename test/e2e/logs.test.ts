// No secret or token is ever written to a log: a whole story at trace level, then the log is searched.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hiddenFields, TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, basic, createClient, createUser, postForm } from '../helpers/fixtures.js';

await describeOnBackends('logs', (backend) => {
  let server: TestServer;
  let log = '';
  const stream = new PassThrough();
  stream.on('data', (chunk: Buffer) => { log += chunk.toString('utf8'); });

  before(async () => {
    server = await startTestServer({ backend, env: { GATEHOUSE_LOG_LEVEL: 'trace' }, logStream: stream });
    await createUser(server);
  });
  after(() => server.close());

  test('no secret, code, token, password or session cookie appears in the log at trace level', async () => {
    const { clientSecret } = await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads' });
    const agent = new TestUserAgent(server.issuer);
    const callback = await agent.authorize(`${server.issuer}/oauth2/authorize?client_id=zapier-client&redirect_uri=${encodeURIComponent(CALLBACK)}&response_type=code&scope=openid%20read:leads&state=st`, USER);
    const code = callback.searchParams.get('code')!;
    const tokens = await (await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: 'zapier-client', client_secret: clientSecret! })).json() as Record<string, string>;
    const refreshed = await (await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! }, { authorization: basic('zapier-client', clientSecret!) })).json() as Record<string, string>;
    await fetch(`${server.issuer}/userinfo`, { headers: { authorization: `Bearer ${refreshed.access_token}` } });
    await postForm(`${server.issuer}/oauth2/introspect?token=${refreshed.access_token}`, { token: refreshed.access_token! }, { authorization: basic('zapier-client', clientSecret!) });
    await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, client_id: 'zapier-client', client_secret: clientSecret! });
    // The server logs a request once its answer is sent: wait (for I/O, not for time) until all three token requests are in.
    const tokenRequestsLogged = () => log.split('\n').filter((line) => line.includes('"request completed"') && line.includes('"/oauth2/token"')).length;
    for (const deadline = Date.now() + 10_000; tokenRequestsLogged() < 3 && Date.now() < deadline; ) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(log.length > 1000, 'the server logged the requests');
    const entries = log.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { msg?: string; req?: { path?: string }; res?: { statusCode?: number } });
    const logged = (path: string) => entries.some((entry) => entry.req?.path === path);
    // Both edges (the direct OAuth endpoints and the Fastify routes) log one line per request, with its status.
    for (const path of ['/oauth2/token', '/oauth2/introspect', '/userinfo', '/oauth2/authorize', '/login']) {
      assert.ok(entries.some((entry) => entry.msg === 'request completed' && entry.req?.path === path && typeof entry.res?.statusCode === 'number'), `a request to ${path} was logged with its status`);
    }
    assert.ok(!entries.some((entry) => entry.msg === 'incoming request'), 'one line per request, not a pair');
    const secrets = { clientSecret, code, access: tokens.access_token, refresh: tokens.refresh_token, idToken: tokens.id_token, refreshed: refreshed.refresh_token, password: USER.password, session: agent.cookies.get('gatehouse_session') };
    for (const [what, value] of Object.entries(secrets)) {
      assert.ok(value, `${what} was issued`);
      assert.ok(!log.includes(value!), `the ${what} does not appear in the log`);
    }
  });

  test('the device flow logs neither the device code nor the user code (its verification link included) nor the tokens', async () => {
    await createClient(server, { name: 'TV', clientId: 'tv-app', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], scopes: 'read:leads' });
    const started = await (await postForm(`${server.issuer}/oauth2/device/auth`, { client_id: 'tv-app', scope: 'read:leads' })).json() as Record<string, string>;
    const agent = new TestUserAgent(server.issuer);
    const form = await agent.navigate(started.verification_uri_complete!);
    const login = await agent.navigate('/oauth2/device/verify', { form: { ...hiddenFields(form.html, '/oauth2/device/verify'), user_code: started.user_code! } });
    const consent = await agent.signIn(login.html, USER.username, USER.password);
    await agent.navigate('/oauth2/device/verify', { form: { ...hiddenFields(consent.html, '/oauth2/device/verify'), decision: 'allow' } });
    const tokens = await (await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code!, client_id: 'tv-app' })).json() as Record<string, string>;
    assert.ok(tokens.access_token, JSON.stringify(tokens));
    const tokenLines = () => log.split('\n').filter((line) => line.includes('"request completed"') && line.includes('"/oauth2/token"')).length;
    const before = tokenLines();
    await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code!, client_id: 'tv-app' });
    for (const deadline = Date.now() + 10_000; tokenLines() <= before && Date.now() < deadline; ) await new Promise((resolve) => setImmediate(resolve));
    assert.ok(log.includes('"/oauth2/device/verify"'), 'the verification page was logged, by its path');
    const secrets = { deviceCode: started.device_code, userCode: started.user_code, bareUserCode: started.user_code!.replace('-', ''), access: tokens.access_token };
    for (const [what, value] of Object.entries(secrets)) assert.ok(!log.includes(value!), `the ${what} does not appear in the log`);
  });
});
