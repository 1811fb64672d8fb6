// No secret or token is ever written to a log: a whole story at trace level, then the log is searched.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
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
});
