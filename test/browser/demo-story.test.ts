// The whole story in a browser, on `npm run demo`'s three servers: connect, sign in, consent, the leads appear;
// Deny shows a clear message in the app; revoking in Connected apps makes the app ask to connect again.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { startTestDemo, type RunningDemo } from '../helpers/demo.js';
import { TestClock } from '../helpers/clock.js';

const skip = browserSkipReason();

describe('the demo story in a browser', { skip }, () => {
  let demo: RunningDemo;
  let closeDemo: () => Promise<void> = async () => {};
  let browser: Browser;
  const clock = new TestClock();
  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath('story', name), fullPage: true });

  before(async () => {
    ({ demo, close: closeDemo } = await startTestDemo({ clock }, {}));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await closeDemo();
  });

  async function signIn(page: Page) {
    await page.getByLabel('Username').fill('demo');
    await page.getByLabel('Password').fill('demo-password');
    await page.getByRole('button', { name: /sign in/i }).click();
  }

  test('Deny brings the user back to the app with a clear message and nothing shared', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(demo.appUrl);
    await page.getByRole('link', { name: 'Connect your account' }).click();
    await signIn(page);
    await page.getByRole('button', { name: 'Deny' }).click();
    await page.waitForURL(`${demo.appUrl}/`);
    assert.match((await page.textContent('[role="status"]'))!, /chose not to connect/);
    await shot(page, '0-denied.png');
    await page.context().close();
  });

  /** The page is no wider than the screen: nothing to scroll sideways (a 390 px phone). */
  async function fitsWidth(page: Page, where: string) {
    const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    assert.ok(scroll <= client, `${where}: ${scroll} px wide on a ${client} px screen`);
  }

  for (const viewport of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }]) {
    test(`${viewport.name}: connect, sign in, consent: the leads appear; revoke in Connected apps (confirmed): the app says access was revoked and asks to connect again`, async () => {
      const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
      const page = await context.newPage();
      const name = (file: string) => `${viewport.name}-${file}`;
      await page.goto(demo.appUrl);
      await fitsWidth(page, 'app home');
      await shot(page, name('1-app-home.png'));
      await page.getByRole('link', { name: 'Connect your account' }).click();
      await shot(page, name('2-sign-in.png'));
      await signIn(page);
      assert.match((await page.textContent('body'))!, /LeadSync wants to access your account, demo/);
      assert.match((await page.textContent('body'))!, /Read your leads/);
      await fitsWidth(page, 'consent');
      await shot(page, name('3-consent.png'));
      await page.getByRole('button', { name: 'Allow' }).click();
      await page.waitForURL(`${demo.appUrl}/`);
      const leads = await page.textContent('table');
      assert.match(leads!, /Ada Lovelace/);
      assert.match(leads!, /Grace Hopper/);
      await fitsWidth(page, 'leads');
      await shot(page, name('4-leads.png'));

      await page.goto(`${demo.issuer}/account/apps`);
      assert.match((await page.textContent('body'))!, /LeadSync/);
      await fitsWidth(page, 'connected apps');
      await shot(page, name('5-connected-apps.png'));
      await page.getByRole('button', { name: /Revoke access/ }).click();
      // Asked first; nothing is revoked until confirmed.
      assert.match((await page.textContent('h1'))!, /Revoke access for LeadSync\?/);
      await shot(page, name('6-confirm-revoke.png'));
      await page.getByRole('button', { name: 'Revoke access' }).click();
      assert.match((await page.textContent('[role="status"]'))!, /LeadSync no longer has access/);
      await shot(page, name('7-revoked.png'));

      // The leads API asks Gatehouse about tokens (cached 2 s), so the revocation shows within seconds.
      clock.advanceMs(2500);
      await page.goto(demo.appUrl);
      assert.match((await page.textContent('[role="status"]'))!, /Access was revoked/);
      assert.ok(await page.getByRole('link', { name: 'Connect your account' }).isVisible());
      await fitsWidth(page, 'app after revocation');
      await shot(page, name('8-asks-to-connect-again.png'));
      await context.close();
    });
  }
});
