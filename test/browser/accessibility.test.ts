// axe-core on every page a person sees (sign-in, sign-in with an error, consent, connected apps, error, the device
// verification form, its error, device consent and "connected", signed out), in light and dark mode, at desktop and
// phone width: any serious or critical violation fails.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CALLBACK, USER, createClient, createUser, oidcClient, postForm } from '../helpers/fixtures.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { artifactPath, browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { s256 } from '../../src/oauth/pkce.js';
import { describeViolations, seriousViolations } from '../helpers/axe.js';

const skip = browserSkipReason();

describe('accessibility (axe) of every page, light and dark, desktop and phone', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let authorizeUrl: string;

  before(async () => {
    server = await startTestServer();
    await createUser(server);
    const { clientSecret } = await createClient(server, { clientId: 'zapier-client', scopes: 'read:leads write:leads' });
    // An app already connected, so that Connected apps lists one (with its scopes and revoke button).
    const config = await oidcClient(server, 'zapier-client', client.ClientSecretPost(clientSecret!));
    const pkce = client.randomPKCECodeVerifier();
    const connectUrl = client.buildAuthorizationUrl(config, { redirect_uri: CALLBACK, scope: 'read:leads', code_challenge: await client.calculatePKCECodeChallenge(pkce), code_challenge_method: 'S256' });
    await client.authorizationCodeGrant(config, await new TestUserAgent(server.issuer).authorize(connectUrl.href, USER), { pkceCodeVerifier: pkce });
    // The consent page asks for more than was allowed, so it shows every time.
    authorizeUrl = `${server.issuer}/oauth2/authorize?${new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads write:leads', state: 'a11y',
      code_challenge: s256('y'.repeat(43)), code_challenge_method: 'S256',
    })}`;
    await createClient(server, { name: 'Living-room TV', clientId: 'tv-app', public: true, redirectUris: [], grantTypes: ['urn:ietf:params:oauth:grant-type:device_code'], scopes: 'read:leads' });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  for (const colorScheme of ['light', 'dark'] as const) {
    for (const viewport of [{ name: 'desktop', width: 1280, height: 800 }, { name: 'phone', width: 375, height: 812 }]) {
      test(`${colorScheme}, ${viewport.name}: sign-in, sign-in error, consent, connected apps, error, device verification (form, error, consent, connected), sign-out confirmation and signed-out pages have no serious or critical violation`, async () => {
        // bypassCSP only lets the test inject axe; the pages themselves run no script.
        const context = await browser.newContext({ viewport, colorScheme, bypassCSP: true });
        const page = await context.newPage();
        const found: string[] = [];
        const check = async (name: string) => {
          await page.screenshot({ path: artifactPath('a11y', `${colorScheme}-${viewport.name}-${name}.png`), fullPage: true });
          const violations = await seriousViolations(page);
          if (violations.length > 0) found.push(`${name} (${page.url()}):\n${describeViolations(violations)}`);
        };
        try {
          await page.goto(authorizeUrl);
          await page.waitForSelector('input[name="password"]');
          await check('sign-in');

          await page.getByLabel('Username').fill(USER.username);
          await page.getByLabel('Password').fill('not the password');
          await page.getByRole('button', { name: /sign in/i }).click();
          await page.waitForSelector('#login-error');
          await check('sign-in-error');

          await page.getByLabel('Password').fill(USER.password);
          await page.getByRole('button', { name: /sign in/i }).click();
          await page.waitForSelector('button[name="decision"][value="allow"]');
          await check('consent');

          await page.goto(`${server.issuer}/account/apps`);
          await page.waitForSelector('h1:has-text("Connected apps")');
          assert.ok(await page.getByRole('button', { name: 'Revoke access for Zapier' }).count() === 1, 'the connected app is listed');
          await check('connected-apps');

          await page.goto(`${server.issuer}/oauth2/authorize?client_id=no-such-client&response_type=code`);
          await page.waitForSelector('h1');
          await check('error');

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
          await check('logout-confirm');

          await page.goto(`${server.issuer}/account/apps`);
          await page.getByRole('button', { name: 'Sign out' }).click();
          await page.waitForSelector('h1:has-text("signed out")');
          await check('signed-out');
        } finally {
          await context.close();
        }
        if (found.length > 0) assert.fail(`axe found serious or critical violations:\n${found.join('\n\n')}`);
      });
    }
  }
});
