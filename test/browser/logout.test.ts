// Front-Channel Logout in a real browser: after the user confirms "Sign out of Gatehouse?", the signed-out page's
// Content-Security-Policy lets the client's front-channel logout URI load in its iframe (with iss and sid), and the
// page then goes on to the client's registered post_logout_redirect_uri with state.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { startTestServer, freePort, type TestServer } from '../helpers/server.js';
import { USER, createClient, createUser } from '../helpers/fixtures.js';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

describe('front-channel logout in a real browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let rp: Server;
  let rpUrl: string;
  const visits: URL[] = [];

  before(async () => {
    server = await startTestServer();
    await createUser(server);
    const port = await freePort();
    rpUrl = `http://127.0.0.1:${port}`;
    // The relying party: its callback, its front-channel logout page and its signed-out page.
    rp = createServer((request, response) => {
      visits.push(new URL(request.url!, rpUrl));
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>RP</h1>');
    });
    await new Promise<void>((resolve) => rp.listen(port, '127.0.0.1', resolve));
    await createClient(server, {
      clientId: 'fc-client', redirectUris: [`${rpUrl}/callback`], scopes: 'openid',
      postLogoutRedirectUris: [`${rpUrl}/signed-out`],
      frontchannelLogoutUri: `${rpUrl}/frontchannel`, frontchannelLogoutSessionRequired: true,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    rp?.close();
    await server?.close();
  });

  test('the iframe loads the front-channel URI with iss and sid, then the page goes on to the registered URI', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const verifier = 'v'.repeat(50);
    await page.goto(`${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'fc-client', redirect_uri: `${rpUrl}/callback`, response_type: 'code', scope: 'openid', state: 'in', code_challenge: s256(verifier), code_challenge_method: 'S256' })}`);
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL((target) => target.href.startsWith(`${rpUrl}/callback`));
    assert.ok((await context.cookies()).find((c) => c.name === 'gatehouse_session'), 'signed in');

    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(`${server.issuer}/oauth2/logout?${new URLSearchParams({ client_id: 'fc-client', post_logout_redirect_uri: `${rpUrl}/signed-out`, state: 'bye' })}`);
    assert.match((await page.textContent('h1'))!, /Sign out of Gatehouse\?/);
    await page.screenshot({ path: artifactPath('browser', 'logout-1-confirm.png'), fullPage: true });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForSelector('text=You are signed out');
    await page.screenshot({ path: artifactPath('browser', 'logout-2-signed-out.png'), fullPage: true });
    await page.waitForURL((target) => target.href.startsWith(`${rpUrl}/signed-out`), { timeout: 10_000 });
    assert.equal(new URL(page.url()).searchParams.get('state'), 'bye');

    const frame = visits.find((visit) => visit.pathname === '/frontchannel');
    assert.ok(frame, 'the browser loaded the front-channel logout URI');
    assert.equal(frame.searchParams.get('iss'), server.issuer);
    assert.match(frame.searchParams.get('sid') ?? '', /^[A-Za-z0-9_-]{22}$/);
    assert.deepEqual(violations, [], 'no Content-Security-Policy violation');
    assert.equal((await context.cookies()).find((c) => c.name === 'gatehouse_session'), undefined, 'the session cookie is gone');
    await context.close();
  });
});
