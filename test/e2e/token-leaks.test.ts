// Refresh tokens whose answer was lost, and leaks: a retry after a lost rotation keeps the grant; a real second
// holder of a token chain (or of a code) ends the grant and its consent; another client cannot end a grant with a
// code it does not own. Through HTTP, with the server's clock moved by the test rather than waited for.
import { after, before, test } from 'node:test';
import { loadConfig } from '../../src/config.js';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describeOnBackends } from '../helpers/backends.js';
import { createTestDatabase } from '../helpers/databases.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser, postForm } from '../helpers/fixtures.js';

interface Tokens {
  access_token: string;
  refresh_token: string;
}

await describeOnBackends('lost refresh answers and leaked tokens', (backend) => {
  let server: TestServer;
  let secret: string;
  let otherSecret: string;
  /** Seconds the server's clock is ahead of the real one. */
  let skew = 0;
  const clock = { now: (): number => Date.now() + skew * 1000 };

  before(async () => {
    server = await startTestServer({ backend, clock });
    await createUser(server);
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'read:leads' })).clientSecret!;
    otherSecret = (await createClient(server, { name: 'Other app', clientId: 'other-app', scopes: 'read:leads' })).clientSecret!;
  });
  after(() => server.close());

  function authorizationUrl(issuer: string, challenge: string): string {
    const query = new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 'st',
      code_challenge: challenge, code_challenge_method: 'S256',
    });
    return `${issuer}/oauth2/authorize?${query}`;
  }

  async function tokenRequest(issuer: string, form: Record<string, string>, clientId = 'zapier-client', clientSecret = secret): Promise<Response> {
    return postForm(`${issuer}/oauth2/token`, { ...form, client_id: clientId, client_secret: clientSecret });
  }

  /** Signs in, allows, and redeems the code: a fresh grant for zapier-client. */
  async function connect(agent = new TestUserAgent(server.issuer), issuer = server.issuer) {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const callback = await agent.authorize(authorizationUrl(issuer, challenge), USER);
    const code = callback.searchParams.get('code')!;
    const response = await tokenRequest(issuer, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(response.status, 200);
    return { agent, code, verifier, tokens: (await response.json()) as Tokens };
  }

  async function refresh(refreshToken: string, issuer = server.issuer): Promise<Response> {
    return tokenRequest(issuer, { grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  async function refreshed(refreshToken: string, issuer = server.issuer): Promise<Tokens> {
    const response = await refresh(refreshToken, issuer);
    assert.equal(response.status, 200, await response.clone().text());
    return (await response.json()) as Tokens;
  }

  async function assertInvalidGrant(response: Response): Promise<void> {
    assert.equal(response.status, 400);
    assert.equal(((await response.json()) as { error: string }).error, 'invalid_grant');
  }

  /** Whether a token is live, asked by the client it was issued to. */
  async function active(token: string, issuer = server.issuer): Promise<boolean> {
    const response = await postForm(`${issuer}/oauth2/introspect`, { token, client_id: 'zapier-client', client_secret: secret });
    return ((await response.json()) as { active: boolean }).active;
  }

  /** Whether the next authorization by this signed-in browser shows the consent page again. */
  async function asksConsentAgain(agent: TestUserAgent): Promise<boolean> {
    const step = await agent.navigate(authorizationUrl(server.issuer, createHash('sha256').update('x').digest('base64url')));
    if (step.location) return false;
    assert.match(step.html, /name="decision"/, 'the consent page, not the sign-in page: the session is still there');
    return true;
  }

  test('a refresh whose answer was lost may be retried: the retry gets a working pair, the unused successor stops working, the grant goes on', async () => {
    const { agent, tokens } = await connect();
    const lost = await refreshed(tokens.refresh_token); // committed, but the client never saw it
    const retried = await refreshed(tokens.refresh_token);
    assert.notEqual(retried.refresh_token, lost.refresh_token);
    assert.equal(await active(lost.refresh_token), false, 'the unused successor no longer works');
    assert.equal(await active(retried.access_token), true);
    const next = await refreshed(retried.refresh_token);
    assert.equal(await active(next.access_token), true, 'the grant goes on');
    assert.equal(await asksConsentAgain(agent), false, 'the consent stays');
  });

  test('a retry after a crash, at another server over the same database, gets a working pair', async () => {
    const db = await createTestDatabase(backend);
    let first: TestServer | undefined = await startTestServer({ databaseUrl: db.url });
    let second: TestServer | undefined;
    const mainSecret = secret;
    try {
      await createUser(first);
      secret = (await createClient(first, { clientId: 'zapier-client', scopes: 'read:leads' })).clientSecret!;
      const { tokens } = await connect(new TestUserAgent(first.issuer), first.issuer);
      const lost = await refreshed(tokens.refresh_token, first.issuer);
      // The server dies after the rotation committed and before its answer left; another one takes the retry.
      await first.close();
      first = undefined;
      second = await startTestServer({ databaseUrl: db.url });
      const retried = await refreshed(tokens.refresh_token, second.issuer);
      assert.equal(await active(lost.refresh_token, second.issuer), false);
      const next = await refreshed(retried.refresh_token, second.issuer);
      assert.equal(await active(next.refresh_token, second.issuer), true, 'the grant goes on');
    } finally {
      await first?.close();
      await second?.close();
      await db.drop();
      secret = mainSecret;
    }
  });

  test('a rotated token presented after its successor was used revokes the grant and withdraws the consent', async () => {
    const { agent, tokens } = await connect();
    const second = await refreshed(tokens.refresh_token);
    const third = await refreshed(second.refresh_token); // the successor was used: someone else holds the chain
    await assertInvalidGrant(await refresh(tokens.refresh_token));
    await assertInvalidGrant(await refresh(third.refresh_token));
    assert.equal(await active(third.access_token), false, 'every token of the grant is revoked');
    assert.equal(await asksConsentAgain(agent), true, 'the next authorization asks the user again');
  });

  test('a retry after the retry window revokes the grant', async () => {
    const { agent, tokens } = await connect();
    const lost = await refreshed(tokens.refresh_token);
    skew = server.config.refreshRetryWindowSeconds + 1;
    try {
      await assertInvalidGrant(await refresh(tokens.refresh_token));
      await assertInvalidGrant(await refresh(lost.refresh_token));
    } finally {
      // Later tests run on the real time again.
      skew = 0;
    }
    assert.equal(await asksConsentAgain(agent), true);
  });

  test('a rotation is retried once: a second retry of it revokes the grant', async () => {
    const { tokens } = await connect();
    await refreshed(tokens.refresh_token);
    const retried = await refreshed(tokens.refresh_token);
    await assertInvalidGrant(await refresh(tokens.refresh_token));
    assert.equal(await active(retried.access_token), false);
  });

  test('with GATEHOUSE_REFRESH_RETRY_WINDOW=0s a retry is reuse and revokes the grant', async () => {
    const strict = await startTestServer({ backend, env: { GATEHOUSE_REFRESH_RETRY_WINDOW: '0s' } });
    const mainSecret = secret;
    try {
      await createUser(strict);
      secret = (await createClient(strict, { clientId: 'zapier-client', scopes: 'read:leads' })).clientSecret!;
      const { tokens } = await connect(new TestUserAgent(strict.issuer), strict.issuer);
      const lost = await refreshed(tokens.refresh_token, strict.issuer);
      await assertInvalidGrant(await refresh(tokens.refresh_token, strict.issuer));
      await assertInvalidGrant(await refresh(lost.refresh_token, strict.issuer));
    } finally {
      secret = mainSecret;
      await strict.close();
    }
  });

  test('a successor replaced by a retry and presented later revokes the grant: two parties held the chain', async () => {
    const { tokens } = await connect();
    const first = await refreshed(tokens.refresh_token);
    const retried = await refreshed(tokens.refresh_token);
    await assertInvalidGrant(await refresh(first.refresh_token));
    assert.equal(await active(retried.access_token), false);
    await assertInvalidGrant(await refresh(retried.refresh_token));
  });

  test('another client replaying a code already redeemed gets invalid_grant and does not end the owner\'s grant', async () => {
    const { code, verifier, tokens } = await connect();
    const replay = await tokenRequest(server.issuer, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }, 'other-app', otherSecret);
    await assertInvalidGrant(replay);
    assert.equal(await active(tokens.access_token), true);
    await refreshed(tokens.refresh_token);
  });

  test('a code replayed by its own client revokes its grant and withdraws the consent', async () => {
    const { agent, code, verifier, tokens } = await connect();
    await assertInvalidGrant(await tokenRequest(server.issuer, { grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier }));
    assert.equal(await active(tokens.access_token), false);
    assert.equal(await asksConsentAgain(agent), true);
  });
});

test('GATEHOUSE_REFRESH_RETRY_WINDOW is a duration of at most 10m, 60s by default', () => {
  const window = (value?: string) =>
    loadConfig({ GATEHOUSE_DATABASE_URL: 'sqlite::memory:', ...(value === undefined ? {} : { GATEHOUSE_REFRESH_RETRY_WINDOW: value }) }).refreshRetryWindowSeconds;
  assert.equal(window(), 60);
  assert.equal(window('0s'), 0);
  assert.equal(window('10m'), 600);
  assert.throws(() => window('11m'), /GATEHOUSE_REFRESH_RETRY_WINDOW must be at most 10m/);
  assert.throws(() => window('soon'), /GATEHOUSE_REFRESH_RETRY_WINDOW must be a duration/);
});
