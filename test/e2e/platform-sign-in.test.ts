// `npm run demo -- --own-sign-in`: the platform keeps its own users and sign-in page (examples/platform-sign-in)
// and Gatehouse only does OAuth. Real HTTP through all four servers; a small cookie-keeping browser follows every
// redirect (Gatehouse, the platform, LeadSync), as a person's browser would.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/server.js';
import { hiddenFields } from '../helpers/user-agent.js';
import { TestClock } from '../helpers/clock.js';
import { startTestDemo, type RunningDemo } from '../helpers/demo.js';
import { buildPlatformApp } from '../../examples/platform-sign-in/app.js';
import { PlatformDb } from '../../examples/platform-sign-in/platform-db.js';

/** Every server runs on localhost, and cookies do not tell ports apart: one jar, as in a real browser. */
class Browser {
  readonly cookies = new Map<string, string>();
  /** Every page that answered 200 on the way, for "no page was shown" checks. */
  readonly pagesShown: string[] = [];

  async go(url: string, form?: Record<string, string>): Promise<{ url: string; status: number; html: string }> {
    let current = url;
    let init: RequestInit = form
      ? { method: 'POST', body: new URLSearchParams(form).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } }
      : { method: 'GET' };
    for (let hops = 0; hops < 15; hops++) {
      const response = await fetch(current, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), cookie: [...this.cookies].map(([n, v]) => `${n}=${v}`).join('; ') } });
      for (const line of response.headers.getSetCookie()) {
        const [pair] = line.split(';');
        const eq = pair!.indexOf('=');
        this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
      }
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        current = new URL(location, current).href;
        init = { method: 'GET' };
        continue;
      }
      const html = await response.text();
      if (response.status === 200) this.pagesShown.push(new URL(current).origin + new URL(current).pathname);
      return { url: current, status: response.status, html };
    }
    throw new Error('too many redirects');
  }
}

describe('the platform\'s own sign-in (npm run demo -- --own-sign-in)', () => {
  let demo: RunningDemo;
  let closeDemo: () => Promise<void> = async () => {};
  const platformDir = mkdtempSync(join(tmpdir(), 'gatehouse-platform-'));
  const clock = new TestClock();
  let platformUrl: string;

  before(async () => {
    ({ demo, close: closeDemo } = await startTestDemo({ clock, ownSignIn: true }, {
      PLATFORM_PORT: String(await freePort()),
      PLATFORM_DATABASE: join(platformDir, 'platform.db'),
    }));
    platformUrl = demo.platform!.url;
  });
  after(async () => {
    await closeDemo();
    rmSync(platformDir, { recursive: true, force: true });
  });

  const signIn = (browser: Browser, page: { html: string }, password: string) =>
    browser.go(`${platformUrl}/oauth/login`, { ...hiddenFields(page.html, '/oauth/login'), username: 'dana', password });
  const decide = (browser: Browser, page: { html: string }, decision: 'allow' | 'deny') =>
    browser.go(`${platformUrl}/oauth/consent`, { ...hiddenFields(page.html, '/oauth/consent'), decision });

  test('Gatehouse sends the browser to the platform\'s sign-in page, which names the platform and the app', async () => {
    const login = await new Browser().go(`${demo.appUrl}/connect`);
    assert.equal(new URL(login.url).origin, platformUrl);
    assert.equal(new URL(login.url).pathname, '/oauth/login');
    assert.match(login.html, /Sign in to Acme to continue to LeadSync/);
  });

  test('a wrong password shows the form again with an error; the right one leads to consent, then the leads appear', async () => {
    const browser = new Browser();
    const login = await browser.go(`${demo.appUrl}/connect`);
    const wrong = await signIn(browser, login, 'not-the-password');
    assert.equal(wrong.status, 200);
    assert.match(wrong.html, /do not match/);
    assert.match(wrong.html, /name="password"/);
    assert.match(wrong.html, /value="dana"/, 'the username is kept');

    const consent = await signIn(browser, wrong, 'dana-password');
    assert.equal(new URL(consent.url).pathname, '/oauth/consent');
    assert.match(consent.html, /LeadSync wants to use your Acme account/);
    assert.match(consent.html, /Signed in as Dana Whitfield/);
    assert.match(consent.html, /Read your leads/);
    const home = await decide(browser, consent, 'allow');
    assert.equal(home.url, `${demo.appUrl}/`);
    assert.match(home.html, /Ada Lovelace/);
    assert.match(home.html, /Grace Hopper/);

    // The consent the platform gave, as Gatehouse keeps it: the platform's subject and the user's claims.
    const sessions = await (await fetch(`${demo.adminUrl}/admin/oauth2/auth/sessions/consent?subject=platform-user-1`)).json() as
      Array<{ grant_scope: string[]; remember: boolean; session: { id_token: Record<string, string> } }>;
    assert.equal(sessions.length, 1);
    assert.deepEqual(sessions[0]!.grant_scope, ['read:leads']);
    assert.equal(sessions[0]!.remember, true);
    assert.deepEqual(sessions[0]!.session.id_token, { name: 'Dana Whitfield', email: 'dana@acme.example' });

    // Connecting again skips both pages: Gatehouse remembers the sign-in and the consent.
    browser.pagesShown.length = 0;
    const again = await browser.go(`${demo.appUrl}/connect`);
    assert.equal(again.url, `${demo.appUrl}/`);
    assert.match(again.html, /Ada Lovelace/);
    assert.deepEqual(browser.pagesShown, [`${demo.appUrl}/`], 'no sign-in or consent page was shown');

    // Gatehouse's sessions ended, the platform's own still there: the platform signs in without asking.
    const ended = await fetch(`${demo.adminUrl}/admin/oauth2/auth/sessions/login?subject=platform-user-1`, { method: 'DELETE' });
    assert.equal(ended.status, 204);
    browser.pagesShown.length = 0;
    const platformSession = await browser.go(`${demo.appUrl}/connect`);
    assert.match(platformSession.html, /Ada Lovelace/);
    assert.deepEqual(browser.pagesShown, [`${demo.appUrl}/`]);
  });

  test('Deny: LeadSync says access was denied', async () => {
    // dana allowed LeadSync above and Gatehouse remembers it: withdraw that first (as her "connected apps" page would).
    const withdrawn = await fetch(`${demo.adminUrl}/admin/oauth2/auth/sessions/consent?subject=platform-user-1&client=leadsync`, { method: 'DELETE' });
    assert.equal(withdrawn.status, 204);
    const browser = new Browser();
    const consent = await signIn(browser, await browser.go(`${demo.appUrl}/connect`), 'dana-password');
    assert.equal(new URL(consent.url).pathname, '/oauth/consent');
    const home = await decide(browser, consent, 'deny');
    assert.equal(home.url, `${demo.appUrl}/`);
    assert.match(home.html, /chose not to connect/);
    assert.doesNotMatch(home.html, /Ada Lovelace/);
  });

  test('a missing, made-up or used challenge shows a clear page, never a crash', async () => {
    const missing = await new Browser().go(`${platformUrl}/oauth/login`);
    assert.equal(missing.status, 400);
    assert.match(missing.html, /has no login_challenge/);
    const madeUp = await new Browser().go(`${platformUrl}/oauth/consent?consent_challenge=made-up`);
    assert.equal(madeUp.status, 400);
    assert.match(madeUp.html, /has expired/);
    const tooLong = await new Browser().go(`${platformUrl}/oauth/login?login_challenge=${'x'.repeat(5000)}`);
    assert.equal(tooLong.status, 400);

    const browser = new Browser();
    const login = await browser.go(`${demo.appUrl}/connect`);
    const fields = hiddenFields(login.html, '/oauth/login');
    await signIn(browser, login, 'dana-password');
    const replayed = await browser.go(`${platformUrl}/oauth/login`, { ...fields, username: 'dana', password: 'dana-password' });
    assert.equal(replayed.status, 403, 'the CSRF token belonged to the session before sign-in');
    const guessed = await browser.go(`${platformUrl}/oauth/consent`, { consent_challenge: 'x', csrf: 'y', decision: 'allow' });
    assert.equal(guessed.status, 403);
  });

  test('a form without the session\'s CSRF token is refused', async () => {
    const browser = new Browser();
    const login = await browser.go(`${demo.appUrl}/connect`);
    const fields = hiddenFields(login.html, '/oauth/login');
    const forged = await new Browser().go(`${platformUrl}/oauth/login`, { ...fields, username: 'dana', password: 'dana-password' });
    assert.equal(forged.status, 403, 'another browser (no session cookie) cannot post the form');
    assert.match(forged.html, /This form has expired/);
    const wrongToken = await browser.go(`${platformUrl}/oauth/login`, { ...fields, csrf: 'guess', username: 'dana', password: 'dana-password' });
    assert.equal(wrongToken.status, 403);
  });

  test('the client\'s name is shown as text on both pages, never as HTML', async () => {
    const hostile = '<img src=x onerror=alert(1)> "Leads" & Co';
    await demo.services.clients.create({ clientId: 'hostile-app', name: hostile, redirectUris: [`${demo.appUrl}/callback`], scopes: 'read:leads' });
    const verifier = 'v'.repeat(50);
    const url = new URL(`${demo.issuer}/oauth2/authorize`);
    for (const [name, value] of Object.entries({
      response_type: 'code', client_id: 'hostile-app', redirect_uri: `${demo.appUrl}/callback`, scope: 'read:leads', state: 's',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    })) url.searchParams.set(name, value);
    const browser = new Browser();
    const login = await browser.go(url.href);
    const escaped = '&lt;img src=x onerror=alert(1)&gt; &quot;Leads&quot; &amp; Co';
    assert.ok(login.html.includes(`continue to ${escaped}`), login.html);
    assert.doesNotMatch(login.html, /<img/);
    const consent = await signIn(browser, login, 'dana-password');
    assert.equal(new URL(consent.url).pathname, '/oauth/consent');
    assert.ok(consent.html.includes(`${escaped} wants to use your Acme account`));
    assert.doesNotMatch(consent.html, /<img/);
    await decide(browser, consent, 'deny');
  });

  test('the platform\'s own session ends after 8 hours: then its sign-in form asks again', async () => {
    const browser = new Browser();
    await signIn(browser, await browser.go(`${demo.appUrl}/connect`), 'dana-password');
    assert.ok(browser.cookies.has('platform_session'));
    // Gatehouse's sessions ended too, so only the platform's own session could sign dana in without asking.
    const end = () => fetch(`${demo.adminUrl}/admin/oauth2/auth/sessions/login?subject=platform-user-1`, { method: 'DELETE' });
    assert.equal((await end()).status, 204);
    clock.advanceSeconds(8 * 3600 - 60);
    assert.notEqual(new URL((await browser.go(`${demo.appUrl}/connect`)).url).pathname, '/oauth/login', 'still signed in on the platform');
    assert.equal((await end()).status, 204);
    clock.advanceSeconds(61);
    const again = await browser.go(`${demo.appUrl}/connect`);
    assert.equal(new URL(again.url).pathname, '/oauth/login');
    assert.match(again.html, /name="password"/);
  });

  test('Gatehouse\'s admin API out of reach: a clear page, not a crash', async () => {
    const db = new PlatformDb(':memory:');
    const app = await buildPlatformApp({ adminUrl: `http://127.0.0.1:${await freePort()}`, db });
    try {
      const address = await app.listen({ port: 0, host: '127.0.0.1' });
      const page = await new Browser().go(`${address}/oauth/login?login_challenge=abc`);
      assert.equal(page.status, 502);
      assert.match(page.html, /could not reach the sign-in service/);
    } finally {
      await app.close();
      db.close();
    }
  });
});
