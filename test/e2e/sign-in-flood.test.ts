// A sign-in flood: argon2 checks are capped, and beyond the queue POST /login answers 503 with Retry-After at
// once instead of stalling, while the rest of the server keeps answering.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { USER, basic, createClient, createUser } from '../helpers/fixtures.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { AccountService } from '../../src/domain/accounts.js';
import { PasswordCheckLimit } from '../../src/domain/password-check-limit.js';

let server: TestServer;
let auth: string;

before(async () => {
  // One check at a time and one waiting: tiny, so the test can fill both.
  server = await startTestServer({ env: { GATEHOUSE_PASSWORD_CHECKS: '1', GATEHOUSE_PASSWORD_CHECK_QUEUE: '1' } });
  // The same limit, but a queued sign-in never gives up waiting: on a loaded machine the flood's answers can take
  // longer than the real 5 s, and the queued one must still be the one that gets checked.
  server.services.accounts = new AccountService(server.services.store, server.clock, new PasswordCheckLimit({ concurrency: 1, queue: 1, maxWaitMs: 10 * 60_000 }));
  await createUser(server);
  const { clientSecret } = await createClient(server, { clientId: 'worker', scopes: 'read:leads', grantTypes: ['client_credentials'] });
  auth = basic('worker', clientSecret!);
});
after(() => server.close());

async function signInForm(agent: TestUserAgent): Promise<Record<string, string>> {
  const page = await agent.request('/login');
  assert.equal(page.status, 200);
  return hiddenFields(await page.text(), '/login');
}

/**
 * Takes the one password-check slot with a stand-in for a flood's check, held until letGo(). Resolves once the
 * stand-in is running: the slot may still be resting after an earlier check, and a stand-in that only queued
 * would take the queue place the test means to fill.
 */
async function holdTheSlot() {
  let letGo!: () => void;
  const held = new Promise<void>((resolve) => { letGo = resolve; });
  let started!: () => void;
  const running = new Promise<void>((resolve) => { started = resolve; });
  const limit = server.services.accounts.argon2Limit;
  const done = limit.runAlways(async () => {
    started();
    await held;
  });
  await running;
  return { limit, held, letGo, running: done };
}

test('with every password-check slot and queue place taken, POST /login answers 503 with Retry-After at once, and the server keeps serving', async () => {
  const agent = new TestUserAgent(server.issuer);
  const fields = await signInForm(agent);
  // Stand-ins for a flood's checks: one running, one waiting, both held until the test lets go.
  const { limit, held, letGo, running } = await holdTheSlot();
  const waiting = limit.runAlways(() => held); // never times out of the queue, however slow the machine
  try {
    const busy = await agent.request('/login', { form: { ...fields, username: USER.username, password: USER.password } });
    assert.equal(busy.status, 503);
    assert.match(busy.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    assert.equal(busy.headers.get('cache-control'), 'no-store');
    assert.equal(busy.headers.get('x-frame-options'), 'DENY');
    const html = await busy.text();
    assert.match(html, /busy/);
    assert.match(html, /name="password"/, 'the sign-in form is shown again');
    assert.equal(agent.cookies.has('gatehouse_session'), false, 'no session was started');

    // The token endpoint and the pages still answer while the checks are held.
    const token = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: 'grant_type=client_credentials',
    });
    assert.equal(token.status, 200);
    assert.equal((await signInForm(agent)).csrf, fields.csrf);
  } finally {
    letGo();
    await Promise.all([running, waiting]);
  }

  // Once the flood drains, the same person signs in.
  const signedIn = await agent.request('/login', { form: { ...fields, username: USER.username, password: USER.password } });
  assert.equal(signedIn.status, 303);
  assert.ok(agent.cookies.has('gatehouse_session'));
});

test('a flood of concurrent wrong sign-ins: one takes the free queue place, every other is answered 503 at once while the check is still running', { timeout: 30_000 }, async () => {
  const agent = new TestUserAgent(server.issuer);
  const fields = await signInForm(agent);
  const { limit, letGo, running } = await holdTheSlot();
  const flood = Array.from({ length: 6 }, () =>
    agent.request('/login', { form: { ...fields, username: USER.username, password: 'wrong password!' } }));
  // Five answers arrive while the running check is still held: nothing waits behind it but the one queued.
  const answered: Response[] = [];
  await new Promise<void>((resolve) => {
    for (const request of flood) void request.then((response) => { answered.push(response); if (answered.length === 5) resolve(); });
  });
  assert.equal(limit.queued, 1);
  for (const response of answered) {
    assert.equal(response.status, 503);
    assert.match(response.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    await response.body?.cancel();
  }
  letGo();
  await running;
  const statuses = (await Promise.all(flood)).map((response) => response.status).sort();
  assert.deepEqual(statuses, [401, 503, 503, 503, 503, 503], 'the queued one is checked (and wrong) once the slot frees');
  const again = await agent.request('/login', { form: { ...fields, username: USER.username, password: USER.password } });
  assert.equal(again.status, 303);
});
