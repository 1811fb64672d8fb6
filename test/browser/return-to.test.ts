// In a real browser, which drops tabs and newlines from URLs and reads "\" as "/": a return_to crafted that way
// never takes the user to another site, whether they sign in first or are signed in already.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, freePort, type TestServer } from '../helpers/server.js';
import { USER, createUser } from '../helpers/fixtures.js';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';

const skip = browserSkipReason();

describe('return_to in a real browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let evil: Server;
  let evilHost: string;
  const evilVisits: string[] = [];

  before(async () => {
    server = await startTestServer();
    await createUser(server);
    const port = await freePort();
    evilHost = `127.0.0.1:${port}`;
    // Another origin (another port), standing in for the attacker's site.
    evil = createServer((request, response) => {
      evilVisits.push(request.url!);
      response.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Please enter your password again</h1>');
    });
    await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    evil?.close();
    await server?.close();
  });

  const hostile = () => [`/\t/${evilHost}/landed`, `/\r\n/${evilHost}/landed`, `/\t\\${evilHost}/landed`, `/.//${evilHost}/landed`, `/\\${evilHost}/landed`];

  async function signInIfAsked(page: Page): Promise<void> {
    if (await page.getByLabel('Password').count() === 0) return;
    await page.getByLabel('Username').fill(USER.username);
    await page.getByLabel('Password').fill(USER.password);
    await page.getByRole('button', { name: /sign in/i }).click();
    await page.waitForLoadState();
  }

  test('signing in from a hostile link stays on Gatehouse, on a page that says the link is not valid', async () => {
    for (const value of hostile()) {
      const context = await browser.newContext();
      const page = await context.newPage();
      await page.goto(`${server.issuer}/login?return_to=${encodeURIComponent(value)}`);
      await signInIfAsked(page);
      assert.equal(new URL(page.url()).origin, server.issuer, `${JSON.stringify(value)}: still on Gatehouse`);
      assert.match((await page.textContent('h1'))!, /not valid/);
      await context.close();
    }
    assert.deepEqual(evilVisits, [], 'the other site was never reached');
  });

  test('already signed in, a hostile link stays on Gatehouse too; a good one goes where it says', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.issuer}/login`);
    await signInIfAsked(page);
    for (const value of hostile()) {
      await page.goto(`${server.issuer}/login?return_to=${encodeURIComponent(value)}`);
      assert.equal(new URL(page.url()).origin, server.issuer, `${JSON.stringify(value)}: still on Gatehouse`);
      assert.match((await page.textContent('h1'))!, /not valid/);
    }
    await page.goto(`${server.issuer}/login?return_to=${encodeURIComponent('/account/apps?from=link')}`);
    assert.equal(page.url(), `${server.issuer}/account/apps?from=link`);
    await context.close();
    assert.deepEqual(evilVisits, [], 'the other site was never reached');
  });
});
