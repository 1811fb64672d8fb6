// Sessions end when they should: on a password change (CLI and admin API alike) and when another sign-in
// happens in the same browser.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { createUser } from '../helpers/fixtures.js';
import { runCli } from '../cli/helpers.js';

await describeOnBackends('sessions', (backend) => {
  let server: TestServer;
  // Each suite its own copies: the tests change the passwords.
  const ALICE = { username: 'alice', password: 'correct horse battery staple' };
  const BOB = { username: 'bob', password: 'bob-password-123' };

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server, ALICE);
    await createUser(server, BOB);
  });
  after(() => server.close());

  async function signedIn(user: { username: string; password: string }): Promise<TestUserAgent> {
    const agent = new TestUserAgent(server.issuer);
    await agent.signIn((await agent.navigate('/login')).html, user.username, user.password);
    assert.equal(await whoIsSignedIn(agent), user.username);
    return agent;
  }

  /** The username connected apps greets, or undefined when it sends the browser to sign in. */
  async function whoIsSignedIn(agent: TestUserAgent): Promise<string | undefined> {
    const response = await agent.request('/account/apps');
    if (response.status === 303) {
      assert.match(response.headers.get('location')!, /^\/login/);
      return undefined;
    }
    const html = await response.text();
    if (html.includes(ALICE.username)) return ALICE.username;
    if (html.includes(BOB.username)) return BOB.username;
    throw new Error('connected apps names neither user');
  }

  /** A browser that presents only this session cookie, as someone who copied it would. */
  function withSessionOf(agent: TestUserAgent): TestUserAgent {
    const copy = new TestUserAgent(server.issuer);
    copy.cookies.set('gatehouse_session', agent.cookies.get('gatehouse_session')!);
    return copy;
  }

  test('users set-password (CLI) signs the user out of every browser, and no one else', async () => {
    const laptop = await signedIn(ALICE);
    const phone = await signedIn(ALICE);
    const bob = await signedIn(BOB);
    const result = await runCli(['users', 'set-password', ALICE.username, '--password-stdin'], {
      GATEHOUSE_DATABASE_URL: server.config.databaseUrl,
      GATEHOUSE_SECRET: TEST_SECRET,
      GATEHOUSE_ISSUER: server.issuer,
      GATEHOUSE_LOG_LEVEL: 'silent',
    }, 'a brand new password\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /signed out everywhere/);
    assert.equal(await whoIsSignedIn(laptop), undefined);
    assert.equal(await whoIsSignedIn(phone), undefined);
    assert.equal(await whoIsSignedIn(bob), BOB.username, "another user's session goes on");
    ALICE.password = 'a brand new password';
    await signedIn(ALICE);
  });

  test('a password change through the admin API signs the user out of every browser', async () => {
    const laptop = await signedIn(BOB);
    const phone = await signedIn(BOB);
    const alice = await signedIn(ALICE);
    const response = await fetch(`${server.adminUrl}/admin/users/${BOB.username}/password`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ password: 'bob-new-password' }),
    });
    assert.equal(response.status, 204);
    assert.equal(await whoIsSignedIn(laptop), undefined);
    assert.equal(await whoIsSignedIn(phone), undefined);
    assert.equal(await whoIsSignedIn(alice), ALICE.username, "another user's session goes on");
    BOB.password = 'bob-new-password';
    await signedIn(BOB);
  });

  test('signing in as another user in the same browser ends the first session', async () => {
    const browser = await signedIn(ALICE);
    const aliceSession = withSessionOf(browser);
    // The sign-in form as a shared computer would show it (prompt=login, or a bookmarked page): the browser's own CSRF cookie.
    const response = await browser.request('/login', {
      form: { csrf: browser.cookies.get('gatehouse_csrf')!, username: BOB.username, password: BOB.password },
    });
    assert.equal(response.status, 303);
    assert.equal(await whoIsSignedIn(browser), BOB.username);
    assert.equal(await whoIsSignedIn(aliceSession), undefined, "alice's session cookie no longer works anywhere");
  });

  test('signing in again as the same user replaces the session rather than adding one', async () => {
    const browser = await signedIn(ALICE);
    const before = withSessionOf(browser);
    const page = await browser.request('/login?return_to=%2Faccount%2Fapps');
    assert.equal(page.status, 303, 'already signed in');
    const fields = hiddenFields((await new TestUserAgent(server.issuer).navigate('/login')).html, '/login');
    const again = await browser.request('/login', {
      form: { csrf: browser.cookies.get('gatehouse_csrf')!, return_to: fields.return_to!, username: ALICE.username, password: ALICE.password },
    });
    assert.equal(again.status, 303);
    assert.equal(await whoIsSignedIn(browser), ALICE.username);
    assert.equal(await whoIsSignedIn(before), undefined, 'the earlier session cookie is dead');
  });
});
