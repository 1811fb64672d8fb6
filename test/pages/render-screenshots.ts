// Renders every page with realistic data to test-artifacts/pages/*.html and screenshots each one
// with Debian's chromium at phone (390x844) and desktop (1280x800) sizes, light and dark.
// Pages are served (through request interception) under a CSP stricter than the server's — styles
// allowed only by hash — and the run fails on any CSP violation or any other request.
//   node --import tsx test/pages/render-screenshots.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';
import {
  renderConnectedAppsPage, renderConsentPage, renderDeviceCodePage, renderErrorPage, renderLandingPage, renderLoginPage,
  renderMessagePage, renderRevokeConfirmPage, renderSignedOutPage,
} from './rendered.js';
import { PAGE_SCRIPT_CSP_SOURCE, PAGE_STYLE_CSP_SOURCE } from '../../src/http/pages/layout.js';

const OUT = resolve('test-artifacts/pages');
const NOW = 1_795_635_600; // 25 Nov 2026, 19:40 UTC
const scopes = [
  { scope: 'read:leads', description: 'Read your leads' },
  { scope: 'write:leads', description: 'Create leads' },
];
const hiddenFields = {
  client_id: 'zapier-client',
  redirect_uri: 'https://zapier.com/dashboard/auth/oauth/return/App123CLIAPI/',
  response_type: 'code',
  scope: 'read:leads write:leads',
  state: 'af0ifjsldkj',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
};
const csrfToken = 'q3m9Jx2v8KpZrT0yW5nB';

const pages: Record<string, string> = {
  'login': renderLoginPage({ csrfToken, returnTo: '/oauth2/authorize?client_id=zapier-client', clientName: 'Zapier' }),
  'login-error': renderLoginPage({
    csrfToken, returnTo: '/oauth2/authorize?client_id=zapier-client', clientName: 'Zapier',
    error: 'That username and password don’t match. Check them and try again.', username: 'demo',
  }),
  'consent': renderConsentPage({
    csrfToken, clientName: 'Zapier', clientId: 'zapier-client', username: 'demo', scopes, redirectHost: 'zapier.com', hiddenFields,
  }),
  'consent-no-scopes': renderConsentPage({
    csrfToken, clientName: 'Slack', clientId: 'slack-app', username: 'demo', scopes: [], redirectHost: 'slack.com', hiddenFields,
  }),
  'error': renderErrorPage({
    title: 'This sign-in link is not valid',
    message: 'The app that sent you here asked for something that cannot be done, so you cannot continue to it from this page.',
    developerNote: 'redirect_uri "https://evil.example/cb" is not registered for client "zapier-client"; it must match exactly',
    reference: 'req-1f',
  }),
  'apps': renderConnectedAppsPage({
    csrfToken, username: 'demo', now: NOW, notice: 'Slack no longer has access to your account.',
    apps: [
      { clientId: 'zapier-client', clientName: 'Zapier', scopes, connectedAt: NOW - 86400 * 12, lastUsedAt: NOW - 7200 },
      { clientId: 'hubspot-sync', clientName: 'HubSpot Sync', scopes: [scopes[0]!], connectedAt: NOW - 86400 * 40, lastUsedAt: NOW - 86400 * 20 },
      { clientId: 'ai-agent', clientName: 'Lead Research Agent', scopes: [], connectedAt: NOW - 300, lastUsedAt: 0 },
    ],
  }),
  'apps-empty': renderConnectedAppsPage({ csrfToken, username: 'demo', now: NOW, apps: [] }),
  'message': renderMessagePage({ title: 'You have been signed out', message: 'You can close this page, or go back to the app you came from.' }),
  'device-code': renderDeviceCodePage({ csrfToken, action: '/oauth2/device/verify', userCode: 'WDJB-MJHT' }),
  'device-code-error': renderDeviceCodePage({
    csrfToken, action: '/oauth2/device/verify', userCode: 'WDJB-MJHX',
    error: 'That code is not valid, or it has expired or been used already. Check the code on your device and try again.',
  }),
  'device-consent': renderConsentPage({
    csrfToken, clientName: 'Living-room TV', clientId: 'tv-app', username: 'demo', scopes,
    hiddenFields: { user_code: 'WDJB-MJHT' }, device: { userCode: 'WDJB-MJHT', action: '/oauth2/device/verify' },
  }),
  'consent-client-links': renderConsentPage({
    csrfToken, clientName: 'Zapier', clientId: 'zapier-client', username: 'demo', scopes, redirectHost: 'zapier.com', hiddenFields,
    clientUri: 'https://zapier.com/', policyUri: 'https://zapier.com/privacy', tosUri: 'https://zapier.com/terms',
  }),
  'revoke-confirm': renderRevokeConfirmPage({ csrfToken, clientId: 'zapier-client', clientName: 'Zapier', accessTokenTtlSeconds: 600 }),
  'landing': renderLandingPage({ name: 'Gatehouse' }),
  'signed-out': renderSignedOutPage({ frames: [], next: undefined, productName: 'Gatehouse', client: { name: 'Zapier', clientUri: 'https://zapier.com/' } }),
  'device-connected': renderMessagePage({ title: 'Your device is connected', message: 'You can close this page and return to your device.', tone: 'success' }),
};

const ORIGIN = 'http://gatehouse.test';
const CSP = `default-src 'none'; script-src ${PAGE_SCRIPT_CSP_SOURCE}; style-src ${PAGE_STYLE_CSP_SOURCE}; frame-ancestors 'none'; base-uri 'none'`;
const problems: string[] = [];

const viewports = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 800 } } as const;

await mkdir(OUT, { recursive: true });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const only = process.argv.slice(2);
  for (const scheme of ['light', 'dark'] as const) {
    for (const [viewportName, viewport] of Object.entries(viewports)) {
      const context = await browser.newContext({ viewport, colorScheme: scheme, deviceScaleFactor: viewportName === 'phone' ? 2 : 1 });
      await context.route('**/*', async (route) => {
        const url = new URL(route.request().url());
        const markup = url.origin === ORIGIN ? pages[url.pathname.slice(1)] : undefined;
        if (markup === undefined) {
          problems.push(`unexpected request ${url.href}`);
          return route.abort();
        }
        return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': CSP }, body: markup });
      });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error' || /content security policy/i.test(message.text())) problems.push(`${page.url()}: ${message.text()}`);
      });
      for (const [name, markup] of Object.entries(pages)) {
        if (only.length && !only.includes(name)) continue;
        await writeFile(join(OUT, `${name}.html`), markup);
        await page.goto(`${ORIGIN}/${name}`);
        const suffix = scheme === 'dark' ? '-dark' : '';
        await page.screenshot({ path: join(OUT, `${name}-${viewportName}${suffix}.png`), fullPage: true });
        if (name === 'login' && scheme === 'light') {
          // The autofocused username field shows its focus ring; tab to the button for another.
          await page.keyboard.press('Tab');
          await page.keyboard.press('Tab');
          await page.screenshot({ path: join(OUT, `${name}-${viewportName}-focus.png`), fullPage: true });
        }
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exitCode = 1;
} else {
  console.log(`wrote ${OUT} (no CSP violations, no outside requests)`);
}
