// Every end-user page under a platform's branding (GATEHOUSE_CONFIG "branding"), in a real browser: screenshots at
// desktop (1280 px) and phone (390 px) width, light and dark, into test-artifacts/branded/; axe finds no serious or
// critical violation; no page says "Gatehouse" (text or <title>); nothing scrolls sideways; the brand's name, logo,
// colour and links are there; the connected-apps times are shown in the viewer's own time zone.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CALLBACK, USER, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { describeViolations, seriousViolations } from '../helpers/axe.js';
import { s256 } from '../../src/oauth/pkce.js';

const skip = browserSkipReason();
const LOGO_SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="28" viewBox="0 0 120 28"><rect width="28" height="28" rx="6" fill="#0f766e"/><text x="36" y="20" font-family="sans-serif" font-size="16" fill="#0f766e">Acme</text></svg>';
const BRANDING = {
  name: 'Acme Accounts',
  logo: `data:image/svg+xml;base64,${Buffer.from(LOGO_SVG).toString('base64')}`,
  primaryColor: '#0f766e',
  supportUrl: 'https://help.acme.example/',
  privacyUrl: 'https://acme.example/privacy',
};

describe('branded end-user pages in a browser', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let authorizeUrl: string;
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-branding-'));

  before(async () => {
    const configFile = join(dir, 'config.json');
    writeFileSync(configFile, JSON.stringify({ branding: BRANDING }));
    server = await startTestServer({ env: { GATEHOUSE_CONFIG: configFile } });
    await createUser(server);
    const { clientSecret } = await createClient(server, { clientId: 'zapier-client', name: 'Zapier', scopes: 'read:leads write:leads' });
    // An app already connected, so that Connected apps lists one.
    const config = await oidcClient(server, 'zapier-client', client.ClientSecretPost(clientSecret!));
    const pkce = client.randomPKCECodeVerifier();
    const connectUrl = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'read:leads', code_challenge: await client.calculatePKCECodeChallenge(pkce), code_challenge_method: 'S256' });
    await client.authorizationCodeGrant(config, await new TestUserAgent(server.issuer).authorize(connectUrl.href, USER), { pkceCodeVerifier: pkce });
    authorizeUrl = `${server.issuer}/oauth2/authorize?${new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads write:leads', state: 'brand',
      code_challenge: s256('y'.repeat(43)), code_challenge_method: 'S256',
    })}`;
    await createClient(server, { name: 'Living-room TV', clientId: 'tv-app', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], scopes: 'read:leads' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 390, height: 844 }]) {
      test(`${colorScheme}, ${viewport.name}: every page carries the brand, never "Gatehouse", fits the screen and has no serious axe violation`, async () => {
        // bypassCSP only lets the test inject axe. The viewer is in Tokyo: times must not stay in UTC.
        const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true, timezoneId: 'Asia/Tokyo', locale: 'en-GB' });
        const page = await context.newPage();
        const problems: string[] = [];
        const seen: string[] = [];
        const check = async (name: string) => {
          seen.push(name);
          await page.screenshot({ path: artifactPath('branded', `${colorScheme}-${viewport.name}-${name}.png`), fullPage: true });
          const html = await page.content();
          const title = await page.title();
          const text = await page.evaluate(() => document.body.innerText);
          if (/gatehouse/i.test(title) || /gatehouse/i.test(text)) problems.push(`${name}: says "Gatehouse" (title "${title}")`);
          if (!title.endsWith(' · Acme Accounts')) problems.push(`${name}: title "${title}" does not name the brand`);
          if (!html.includes(`<img src="${BRANDING.logo}" alt="Acme Accounts">`)) problems.push(`${name}: no brand logo`);
          if (!html.includes('href="https://help.acme.example/">Help</a>') || !html.includes('href="https://acme.example/privacy">Privacy</a>')) problems.push(`${name}: no support and privacy links`);
          const { scroll, client: width } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
          if (scroll > width) problems.push(`${name}: ${scroll} px wide on a ${width} px screen`);
          const violations = await seriousViolations(page);
          if (violations.length > 0) problems.push(`${name} (${page.url()}):\n${describeViolations(violations)}`);
        };
        try {
          await page.goto(`${server.issuer}/`);
          await check('landing');

          await page.goto(authorizeUrl);
          await page.waitForSelector('input[name="password"]');
          await check('sign-in');
          await page.getByLabel('Username').fill(USER.username);
          await page.getByLabel('Password').fill('not the password');
          await page.getByRole('button', { name: /sign in/i }).click();
          await page.waitForSelector('#login-error');
          assert.match((await page.textContent('main'))!, /to continue to Zapier/, 'a wrong password keeps which app the sign-in is for');
          await check('sign-in-error');

          await page.getByLabel('Password').fill(USER.password);
          await page.getByRole('button', { name: /sign in/i }).click();
          await page.waitForSelector('button[name="decision"][value="allow"]');
          assert.match((await page.textContent('h1'))!, /Zapier wants to access your account, alice/);
          // The brand colour is the primary button's, with text that contrasts with it.
          const allow = await page.evaluate(() => getComputedStyle(document.querySelector('button[value="allow"]')!).backgroundColor);
          assert.equal(allow, 'rgb(15, 118, 110)');
          await check('consent');

          await page.goto(`${server.issuer}/account/apps`);
          await page.waitForSelector('h1:has-text("Connected apps")');
          const connected = (await page.textContent('time[data-local]'))!;
          assert.doesNotMatch(connected, /UTC/, 'the script put the time in the viewer\'s zone');
          const iso = (await page.getAttribute('time[data-local]', 'datetime'))!;
          const tokyoHour = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', hour12: false }).format(new Date(iso));
          assert.ok(connected.includes(`${tokyoHour}:`), `"${connected}" is ${iso} in Tokyo (hour ${tokyoHour})`);
          await check('connected-apps');
          await page.getByRole('button', { name: 'Revoke access for Zapier' }).click();
          await page.waitForSelector('h1:has-text("Revoke access for Zapier?")');
          await check('revoke-confirm');
          await page.getByRole('link', { name: 'Cancel' }).click();
          await page.waitForSelector('h1:has-text("Connected apps")');

          await page.goto(`${server.issuer}/oauth2/authorize?client_id=no-such-client&response_type=code`);
          await page.waitForSelector('h1');
          assert.match((await page.textContent('.dev-note'))!, /For the app's developer: client_id/);
          await check('error');
          await page.goto(`${server.issuer}/oauth2/authorize?client_id=zapier-client&response_type=code&redirect_uri=${encodeURIComponent('https://evil.example/cb')}`);
          await page.waitForSelector('h1');
          assert.ok(!(await page.content()).includes(CALLBACK), 'the registered redirect URI is not shown');
          await check('error-redirect-uri');
          await page.goto(`${server.issuer}/no/such/page`);
          await check('not-found');

          const device = await (await postForm(`${server.issuer}/oauth2/device/auth`, { client_id: 'tv-app', scope: 'read:leads' })).json() as { verification_uri: string; user_code: string };
          await page.goto(device.verification_uri);
          await page.waitForSelector('input[name="user_code"]');
          await check('device-code');
          await page.getByLabel('Code').fill('BCDF-GHJK');
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.waitForSelector('#user-code-error');
          await check('device-code-error');
          await page.getByLabel('Code').fill(device.user_code);
          await page.getByRole('button', { name: 'Continue' }).click();
          await page.waitForSelector('button[name="decision"][value="allow"]');
          await check('device-consent');
          await page.getByRole('button', { name: 'Allow' }).click();
          await page.waitForSelector('h1:has-text("Your device is connected")');
          await check('device-connected');

          await page.goto(`${server.issuer}/oauth2/logout?client_id=zapier-client`);
          await page.waitForSelector('button[name="decision"][value="logout"]');
          assert.match((await page.textContent('h1'))!, /Sign out of Acme Accounts\?/);
          await check('logout-confirm');
          await page.getByRole('button', { name: 'Stay signed in' }).click();
          await page.waitForSelector('h1:has-text("still signed in")');
          await check('still-signed-in');

          await page.goto(`${server.issuer}/account/apps`);
          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForSelector('h1:has-text("signed out")');
          assert.ok(await page.getByRole('link', { name: 'Sign in again' }).isVisible(), 'a way back');
          await check('signed-out');
        } finally {
          await context.close();
        }
        assert.equal(seen.length, 16, seen.join(", "));
        if (problems.length > 0) assert.fail(problems.join('\n\n'));
      });
    }
  }
});
