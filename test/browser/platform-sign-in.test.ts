// `npm run demo -- --own-sign-in` in a browser: LeadSync connects, the platform's own sign-in and consent pages
// (examples/platform-sign-in) ask, the leads appear. axe-core finds nothing serious on those pages; screenshots of
// both go to test-artifacts/platform/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { freePort } from '../helpers/server.js';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { startTestDemo, type RunningDemo } from '../helpers/demo.js';
import { TestClock } from '../helpers/clock.js';

const skip = browserSkipReason();

/** Serious and critical axe-core violations (WCAG 2.x A and AA, best practices) on the page as it is now. */
async function axeProblems(page: Page): Promise<string[]> {
  const axeDir = dirname(createRequire(import.meta.url).resolve('axe-core/package.json'));
  await page.addScriptTag({ content: readFileSync(join(axeDir, 'axe.min.js'), 'utf8') });
  return page.evaluate(async () => {
    type Result = { violations: Array<{ id: string; impact: string | null; help: string }> };
    const axe = (window as unknown as { axe: { run(context: Document, options: unknown): Promise<Result> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.impact} ${v.id}: ${v.help}`);
  });
}

describe('the platform\'s own sign-in in a browser', { skip }, () => {
  let demo: RunningDemo;
  let closeDemo: () => Promise<void> = async () => {};
  let browser: Browser;
  const platformDir = mkdtempSync(join(tmpdir(), 'gatehouse-platform-'));
  const clock = new TestClock();
  const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath('platform', name), fullPage: true });

  before(async () => {
    ({ demo, close: closeDemo } = await startTestDemo({ clock, ownSignIn: true }, {
      PLATFORM_PORT: String(await freePort()),
      PLATFORM_DATABASE: join(platformDir, 'platform.db'),
    }));
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await closeDemo();
    rmSync(platformDir, { recursive: true, force: true });
  });

  test('sign in with the platform\'s own account, allow on its consent page: the leads appear', async () => {
    // bypassCSP only lets the test inject axe; the platform's pages run no script.
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    await page.goto(demo.appUrl);
    await page.getByRole('link', { name: 'Connect your account' }).click();
    await page.waitForURL(`${demo.platform!.url}/oauth/login?**`);
    assert.match((await page.textContent('h1'))!, /Sign in to Acme to continue to LeadSync/);
    await shot(page, '1-platform-login.png');
    assert.deepEqual(await axeProblems(page), []);

    await page.getByLabel('Username').fill('dana');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    assert.match((await page.textContent('[role="alert"]'))!, /do not match/);
    await shot(page, '2-platform-login-error.png');
    assert.deepEqual(await axeProblems(page), []);

    await page.getByLabel('Password').fill('dana-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${demo.platform!.url}/oauth/consent?**`);
    assert.match((await page.textContent('h1'))!, /LeadSync wants to use your Acme account/);
    assert.match((await page.textContent('ul.scopes'))!, /Read your leads/);
    await shot(page, '3-platform-consent.png');
    assert.deepEqual(await axeProblems(page), []);

    await page.getByRole('button', { name: 'Allow' }).click();
    await page.waitForURL(`${demo.appUrl}/`);
    const leads = await page.textContent('table');
    assert.match(leads!, /Ada Lovelace/);
    assert.match(leads!, /Grace Hopper/);
    await shot(page, '4-leads.png');
    await context.close();
  });
});
