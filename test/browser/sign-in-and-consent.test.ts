// A real browser signs in and consents on Gatehouse's own pages, on a desktop and a phone-width screen.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser } from 'playwright-core';
import { startTestServer, freePort, type TestServer } from '../helpers/server.js';
import { USER, createClient, createUser, postForm } from '../helpers/fixtures.js';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { s256 } from '../../src/oauth/pkce.js';

const skip = browserSkipReason();

await describeOnBackends('sign-in and consent in a browser', (backend) => {
  let server: TestServer;
  let browser: Browser;
  let callbackServer: Server;
  let callbackUrl: string;
  let secret: string;

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server);
    const port = await freePort();
    callbackUrl = `http://127.0.0.1:${port}/callback`;
    // The third-party app's callback: a real page the browser lands on.
    callbackServer = createServer((request, response) => {
      const query = new URL(request.url!, callbackUrl).searchParams;
      response.writeHead(200, { 'content-type': 'text/html' }).end(`<h1>${query.has('code') ? 'Connected' : `Not connected: ${query.get('error')}`}</h1>`);
    });
    await new Promise<void>((resolve) => callbackServer.listen(port, '127.0.0.1', resolve));
    secret = (await createClient(server, { clientId: 'zapier-client', redirectUris: [callbackUrl], scopes: 'read:leads write:leads' })).clientSecret!;
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    callbackServer?.close();
    await server?.close();
  });

  for (const viewport of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 375, height: 812 }]) {
    test(`${viewport.name}: the user signs in, sees "Zapier wants to: Read your leads", allows, and the app gets a code that works`, async () => {
      // Each test is a different person, so no remembered consent skips the page under test.
      const person = { username: `${viewport.name}-user`, password: USER.password };
      await createUser(server, person);
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      const verifier = 'x'.repeat(43) + viewport.name;
      const url = `${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: callbackUrl, response_type: 'code', scope: 'read:leads write:leads', state: 'st-' + viewport.name, code_challenge: s256(verifier), code_challenge_method: 'S256' })}`;
      await page.goto(url);
      await page.screenshot({ path: artifactPath('browser', `${viewport.name}-1-sign-in.png`), fullPage: true });
      await page.getByLabel('Username').fill(person.username);
      await page.getByLabel('Password').fill(person.password);
      await page.getByRole('button', { name: /sign in/i }).click();
      await page.waitForSelector('button[name="decision"][value="allow"]');
      const text = await page.textContent('body');
      assert.match(text!, /Zapier wants to/);
      assert.match(text!, /Read your leads/);
      assert.match(text!, /Write your leads|Create|leads/);
      await page.screenshot({ path: artifactPath('browser', `${viewport.name}-2-consent.png`), fullPage: true });
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL((target) => target.href.startsWith(callbackUrl));
      const landed = new URL(page.url());
      assert.equal(landed.searchParams.get('state'), 'st-' + viewport.name);
      assert.equal(landed.searchParams.get('iss'), server.issuer);
      const exchange = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'authorization_code', code: landed.searchParams.get('code')!, redirect_uri: callbackUrl, code_verifier: verifier, client_id: 'zapier-client', client_secret: secret });
      assert.equal(exchange.status, 200);
      await context.close();
    });
  }

  test('Deny brings the user back to the app with access_denied', async () => {
    await createUser(server, { username: 'deny-user', password: USER.password });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: callbackUrl, response_type: 'code', scope: 'read:leads', state: 'deny-me' })}`);
    await page.getByLabel('Username').fill('deny-user');
    await page.getByLabel('Password').fill(USER.password);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL((target) => target.href.startsWith(callbackUrl));
    assert.equal(new URL(page.url()).searchParams.get('error'), 'access_denied');
    await context.close();
  });

  test('a wrong password keeps the user on the sign-in page with a clear message, and focus order is username → password → submit', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.issuer}/login`);
    // The username field has autofocus; Tab then walks the form.
    const order: string[] = [];
    for (let i = 0; i < 3; i++) {
      order.push(await page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.name || document.activeElement?.textContent?.trim() || ''));
      await page.keyboard.press('Tab');
    }
    assert.deepEqual(order, ['username', 'password', 'Sign in'], 'focus starts on username, then password, then the button');
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForSelector('[role="alert"]');
    assert.match((await page.textContent('[role="alert"]'))!, /Wrong username or password/);
    await page.screenshot({ path: artifactPath('browser', 'sign-in-error.png'), fullPage: true });
    await context.close();
  });
}, { skip });
