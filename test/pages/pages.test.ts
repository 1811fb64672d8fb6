import { test } from 'node:test';
import assert from 'node:assert/strict';
import { html, escapeHtml, unsafeRaw } from '../../src/http/pages/html.js';
import { formatRelative, formatUtc } from '../../src/http/pages/format.js';
import {
  renderConnectedAppsPage, renderConsentPage, renderDeviceCodePage, renderErrorPage, renderLandingPage, renderLoginPage,
  renderLogoutConfirmPage, renderMessagePage, renderRevokeConfirmPage, renderSignedOutPage,
} from './rendered.js';
import { PAGE_SCRIPT_CSP_SOURCE, PAGE_STYLE_CSP_SOURCE } from '../../src/http/pages/layout.js';

const EVIL = '<script>alert(1)</script>';
const EVIL_ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;';
const NOW = 1_795_635_600; // 25 Nov 2026, 19:40 UTC

const scopes = [
  { scope: 'read:leads', description: 'Read your leads' },
  { scope: 'write:leads', description: 'Create leads' },
];

function consent(overrides: Partial<Parameters<typeof renderConsentPage>[0]> = {}): string {
  return renderConsentPage({
    csrfToken: 'csrf-123',
    clientName: 'Zapier',
    clientId: 'zapier-client',
    username: 'demo',
    scopes,
    redirectHost: 'zapier.com',
    hiddenFields: {
      client_id: 'zapier-client',
      redirect_uri: 'https://zapier.com/cb?a=1&b=2',
      response_type: 'code',
      scope: 'read:leads write:leads',
      state: 'st"ate',
      code_challenge: 'abc',
      code_challenge_method: 'S256',
    },
    ...overrides,
  });
}

function apps(overrides: Partial<Parameters<typeof renderConnectedAppsPage>[0]> = {}): string {
  return renderConnectedAppsPage({
    csrfToken: 'csrf-123',
    username: 'demo',
    now: NOW,
    apps: [
      { clientId: 'zapier-client', clientName: 'Zapier', scopes, connectedAt: NOW - 86400 * 3, lastUsedAt: NOW - 7200 },
    ],
    ...overrides,
  });
}

/** Every input's name, type and value, in order. */
function inputs(page: string): Array<Record<string, string>> {
  return [...page.matchAll(/<input\b([^>]*)>/g)].map((m) => attributes(m[1] ?? ''));
}

function attributes(source: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of source.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) out[m[1]!] = m[2] ?? '';
  return out;
}

const unescape = (s: string) =>
  s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&#96;/g, '`').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

test('html escapes interpolated values and keeps nested templates and unsafeRaw', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&\``), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&#96;');
  assert.equal(html`<p>${EVIL}</p>`.toString(), `<p>${EVIL_ESCAPED}</p>`);
  assert.equal(html`<p>${html`<b>${'&'}</b>`}</p>`.toString(), '<p><b>&amp;</b></p>');
  assert.equal(html`${['<', unsafeRaw('<br>'), null, undefined, false, 3]}`.toString(), '&lt;<br>3');
  assert.equal(html`<p title="${'" onmouseover="x'}">`.toString(), '<p title="&quot; onmouseover=&quot;x">');
});

test('a hostile client name, username, scope or message is escaped on every page', () => {
  const pages = {
    login: renderLoginPage({ csrfToken: EVIL, returnTo: EVIL, clientName: EVIL, error: EVIL, username: EVIL }),
    consent: consent({
      clientName: EVIL,
      clientId: EVIL,
      username: EVIL,
      redirectHost: EVIL,
      scopes: [{ scope: EVIL, description: EVIL }],
      hiddenFields: { [EVIL]: EVIL },
    }),
    consentEmpty: consent({ clientName: EVIL, scopes: [] }),
    error: renderErrorPage({ title: EVIL, message: EVIL, developerNote: EVIL, reference: EVIL }),
    apps: apps({
      username: EVIL,
      notice: EVIL,
      apps: [{ clientId: EVIL, clientName: EVIL, scopes: [{ scope: EVIL, description: EVIL }], connectedAt: NOW, lastUsedAt: NOW }],
    }),
    message: renderMessagePage({ title: EVIL, message: EVIL }),
    device: renderDeviceCodePage({ csrfToken: EVIL, action: '/oauth2/device/verify', userCode: EVIL, error: EVIL }),
    deviceConsent: consent({ clientName: EVIL, device: { userCode: EVIL, action: '/oauth2/device/verify' }, hiddenFields: { user_code: EVIL } }),
    logoutConfirm: renderLogoutConfirmPage({ csrfToken: EVIL, action: EVIL, username: EVIL, client: { name: EVIL, clientId: EVIL }, hiddenFields: { [EVIL]: EVIL }, productName: EVIL }),
    signedOut: renderSignedOutPage({ frames: [EVIL], next: EVIL, productName: EVIL }),
    signedOutBack: renderSignedOutPage({ frames: [], next: undefined, productName: EVIL, client: { name: EVIL, clientUri: 'https://zapier.com/' } }),
    revokeConfirm: renderRevokeConfirmPage({ csrfToken: EVIL, clientId: EVIL, clientName: EVIL }),
    landing: renderLandingPage({ name: EVIL }),
    branded: renderLoginPage({ csrfToken: 'c', returnTo: '/x' }, { name: EVIL, supportUrl: 'https://help.example/?a="<', privacyUrl: 'https://help.example/p' }),
  };
  for (const [name, page] of Object.entries(pages)) {
    assert.ok(!page.replace(/<script>[^<]*<\/script>/, (script) => (script.includes('data-local') ? '' : script)).includes('<script'), `${name} contains a raw <script`);
    assert.ok(page.includes(EVIL_ESCAPED), `${name} does not show the escaped value`);
  }
});

test('the signed-out page frames only the front-channel URIs it is given, invisibly and sandboxed, and refreshes to the next URI', () => {
  const page = renderSignedOutPage({ frames: ['https://rp.example/fc?iss=a&sid=b'], next: 'https://rp.example/bye?state=s', productName: 'Gatehouse' });
  assert.match(page, /<div class="logout-frames" aria-hidden="true">\n<iframe src="https:\/\/rp\.example\/fc\?iss=a&amp;sid=b" title="Signing out" tabindex="-1" sandbox="allow-scripts allow-same-origin"><\/iframe>/);
  assert.match(page, /<meta http-equiv="refresh" content="2;url=https:\/\/rp\.example\/bye\?state=s">/);
  assert.match(page, /href="https:\/\/rp\.example\/bye\?state=s">Continue<\/a>/);
  assert.equal(page.split('<iframe').length, 2);
});

test('pages are complete documents with no script, no external resources and no style attributes', () => {
  const all = [
    renderLoginPage({ csrfToken: 'c', returnTo: '/x' }),
    consent(),
    renderErrorPage({ title: 't', message: 'm' }),
    apps(),
    renderMessagePage({ title: 't', message: 'm' }),
    renderMessagePage({ title: 't', message: 'm', tone: 'success' }),
    renderDeviceCodePage({ csrfToken: 'c', action: '/oauth2/device/verify' }),
    consent({ device: { userCode: 'BCDF-GHJK', action: '/oauth2/device/verify' } }),
    renderLogoutConfirmPage({ csrfToken: 'c', action: '/oauth2/logout', username: 'demo', client: undefined, hiddenFields: { state: 's' }, productName: 'Gatehouse' }),
    renderSignedOutPage({ frames: [], next: undefined, productName: 'Gatehouse' }),
    renderRevokeConfirmPage({ csrfToken: 'c', clientId: 'zapier-client', clientName: 'Zapier', accessTokenTtlSeconds: 600 }),
    renderLandingPage({ name: 'Gatehouse' }),
  ];
  for (const page of all) {
    assert.match(page, /^<!doctype html>\n<html lang="en">/);
    assert.match(page, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(page, /<title>[^<]+ · Gatehouse<\/title>/);
    assert.match(page, /<style>[^<]+<\/style>/);
    assert.match(page, /<main class="card[^"]*">/);
    // The one script allowed (by its hash): times in the viewer's zone, only on pages that show times.
    const scripts = page.match(/<script>[^<]*<\/script>/g) ?? [];
    assert.ok(scripts.length <= 1 && scripts.every((s) => s.includes('time[data-local]')), page);
    assert.equal(scripts.length === 1, page.includes(' data-local>'));
    assert.ok(!/<script|<link|<img|<iframe|\son[a-z]+=|style="|https?:\/\/(?!zapier\.com)/i.test(page.replace(/<script>[^<]*<\/script>/, '')), page);
    assert.equal(page.split('<main').length, 2);
  }
  assert.match(PAGE_SCRIPT_CSP_SOURCE, /^'sha256-[A-Za-z0-9+/]+=*'$/);
  assert.match(PAGE_STYLE_CSP_SOURCE, /^'sha256-[A-Za-z0-9+/]+=*'$/);
});

test('login form has username and password inputs tied to labels, csrf and return_to', () => {
  const page = renderLoginPage({ csrfToken: 'csrf-123', returnTo: '/oauth2/authorize?client_id=a&x=1', clientName: 'Zapier' });
  assert.match(page, /<form method="post" action="\/login">/);
  assert.match(page, /<h1>Sign in<\/h1>/);
  assert.match(page, /to continue to <strong>Zapier<\/strong>/);
  const byName = Object.fromEntries(inputs(page).map((i) => [i.name, i]));
  assert.equal(byName.username?.autocomplete, 'username');
  assert.ok('autofocus' in (byName.username ?? {}));
  assert.equal(byName.password?.type, 'password');
  assert.equal(byName.password?.autocomplete, 'current-password');
  assert.equal(byName.csrf?.type, 'hidden');
  assert.equal(byName.csrf?.value, 'csrf-123');
  assert.equal(byName.return_to?.type, 'hidden');
  assert.equal(unescape(byName.return_to?.value ?? ''), '/oauth2/authorize?client_id=a&x=1');
  for (const name of ['username', 'password']) {
    const id = byName[name]?.id;
    assert.ok(id, `${name} has an id`);
    assert.match(page, new RegExp(`<label for="${id}">`), `${name} has a label`);
  }
  assert.ok(!page.includes('role="alert"'));
  assert.ok(!page.includes('continue to') || page.includes('Zapier'));
  assert.ok(!renderLoginPage({ csrfToken: 'c', returnTo: '/' }).includes('continue to'));
});

test('login shows an error in an alert above the form and keeps the username', () => {
  const page = renderLoginPage({ csrfToken: 'c', returnTo: '/', error: 'Wrong username or password', username: 'demo' });
  const alertAt = page.indexOf('role="alert"');
  assert.ok(alertAt > 0 && alertAt < page.indexOf('<form'));
  assert.match(page, /Wrong username or password/);
  assert.equal(inputs(page).find((i) => i.name === 'username')?.value, 'demo');
  assert.equal(inputs(page).find((i) => i.name === 'password')?.value, undefined);
});

test('consent page has both decision buttons, csrf and every hidden field', () => {
  const page = consent();
  assert.match(page, /<h1[^>]*>Zapier wants to access your account, demo<\/h1>/);
  assert.match(page, /Read your leads/);
  assert.match(page, /Create leads/);
  assert.match(page, /Signed in as <strong>demo<\/strong>/);
  assert.match(page, /You'll be sent back to <strong>zapier\.com<\/strong>/);
  assert.match(page, /<a href="\/account\/apps">Connected apps<\/a>/);

  const form = /<form class="decision" method="post" action="\/oauth2\/authorize">([\s\S]*?)<\/form>/.exec(page)?.[1];
  assert.ok(form, 'decision form');
  assert.match(form, /<button type="submit" name="decision" value="allow" class="button primary">Allow<\/button>/);
  assert.match(form, /<button type="submit" name="decision" value="deny" class="button secondary">Deny<\/button>/);
  const fields = Object.fromEntries(inputs(form).map((i) => [i.name, unescape(i.value ?? '')]));
  assert.deepEqual(fields, {
    csrf: 'csrf-123',
    client_id: 'zapier-client',
    redirect_uri: 'https://zapier.com/cb?a=1&b=2',
    response_type: 'code',
    scope: 'read:leads write:leads',
    state: 'st"ate',
    code_challenge: 'abc',
    code_challenge_method: 'S256',
  });
  for (const i of inputs(form)) assert.equal(i.type, 'hidden');

  const logout = /<form method="post" action="\/logout">([\s\S]*?)<\/form>/.exec(page)?.[1];
  assert.ok(logout, 'sign-out form');
  assert.equal(inputs(logout).find((i) => i.name === 'csrf')?.value, 'csrf-123');
});

test('consent with no scopes asks only to confirm who you are', () => {
  const page = consent({ scopes: [] });
  assert.match(page, /<h1[^>]*>Zapier wants to confirm who you are<\/h1>/);
  assert.ok(!page.includes('wants to access'));
  assert.match(page, /You're signed in as <strong>demo<\/strong>/);
  assert.ok(!page.includes('class="scopes"'));
  assert.match(page, /value="allow"/);
});

test("error page talks to the person, gives the app's developer one line, and links nowhere", () => {
  const page = renderErrorPage({
    title: 'This sign-in link is not valid',
    message: 'The app that sent you here asked for something that cannot be done.',
    developerNote: 'redirect_uri "https://evil.example/cb" is not registered for client "zapier-client"',
    reference: 'req-7',
  });
  assert.match(page, /<h1>This sign-in link is not valid<\/h1>/);
  assert.match(page, /<p class="message">The app that sent you here asked for something that cannot be done.<\/p>/);
  assert.match(page, /<p class="dev-note"><strong>For the app's developer:<\/strong> redirect_uri &quot;https:\/\/evil\.example\/cb&quot; is not registered for client &quot;zapier-client&quot; \(reference req-7\)<\/p>/);
  assert.ok(!/<a\b|<form\b|http-equiv/i.test(page));
  assert.ok(!renderErrorPage({ title: 't', message: 'm' }).includes('class="dev-note"'));
});

test('connected apps lists each app with a revoke form whose action encodes the client id', () => {
  const clientId = 'weird id/ä?&#';
  const page = apps({
    notice: 'Slack no longer has access',
    apps: [
      { clientId: 'zapier-client', clientName: 'Zapier', scopes, connectedAt: NOW - 86400 * 3, lastUsedAt: NOW - 7200 },
      { clientId, clientName: 'Odd App', scopes: [], connectedAt: NOW - 60, lastUsedAt: 0 },
    ],
  });
  assert.match(page, /<h1>Connected apps<\/h1>/);
  assert.match(page, /<div class="alert success" role="status">[\s\S]*?Slack no longer has access/);
  assert.match(page, /<form method="post" action="\/account\/apps\/zapier-client\/revoke"><input type="hidden" name="csrf" value="csrf-123">/);
  assert.ok(page.includes(`action="/account/apps/${escapeHtml(encodeURIComponent(clientId))}/revoke"`));
  assert.ok(page.includes('action="/account/apps/weird%20id%2F%C3%A4%3F%26%23/revoke"'));
  assert.match(page, /aria-label="Revoke access for Zapier">Revoke access<\/button>/);
  assert.match(page, /aria-label="Revoke access for Odd App">Revoke access<\/button>/);
  // The server's UTC text, which the page's one script turns into the viewer's own time zone.
  assert.match(page, /Connected <time datetime="2026-11-22T19:40:00Z" data-local>22 Nov 2026, 19:40 UTC<\/time>/);
  assert.match(page, /Last used <time datetime="2026-11-25T17:40:00Z" title="25 Nov 2026, 17:40 UTC">2 hours ago<\/time>/);
  assert.match(page, /Not used yet/);
  assert.match(page, /Read your leads[\s\S]*Create leads/);
  assert.match(page, /<form method="post" action="\/logout">/);
});

test('connected apps says how long access an app already holds may outlast a revocation (its access-token lifetime)', () => {
  const lifetimes: Array<[number, string]> = [[30, '30 seconds'], [600, '10 minutes'], [3600, '1 hour'], [5400, '2 hours'], [86400 * 2, '2 days']];
  for (const [ttl, words] of lifetimes) {
    const page = apps({ apps: [{ clientId: 'zapier-client', clientName: 'Zapier', scopes, connectedAt: NOW, lastUsedAt: NOW, accessTokenTtlSeconds: ttl }] });
    assert.ok(page.includes(`Zapier can't get new access, but access it already holds may keep working for up to ${words}.`), words);
    assert.ok(!page.includes('takes effect right away'));
  }
});

test('connected apps empty state', () => {
  const page = apps({ apps: [] });
  assert.match(page, /No apps have access to your account\./);
  assert.ok(!page.includes('/revoke'));
  assert.ok(!page.includes('role="status"'));
});

test('message page', () => {
  const page = renderMessagePage({ title: 'You have been signed out', message: 'You can close this page.' });
  assert.match(page, /<h1>You have been signed out<\/h1>/);
  assert.match(page, /You can close this page\./);
});

test('times are formatted in UTC, relative when recent', () => {
  assert.equal(formatUtc(1_795_635_600), '25 Nov 2026, 19:40 UTC');
  assert.equal(formatUtc(0), '1 Jan 1970, 00:00 UTC');
  assert.equal(formatUtc(Number.NaN), 'an unknown date');
  assert.equal(formatRelative(NOW - 10, NOW), 'just now');
  assert.equal(formatRelative(NOW - 60, NOW), '1 minute ago');
  assert.equal(formatRelative(NOW - 3599, NOW), '59 minutes ago');
  assert.equal(formatRelative(NOW - 3600, NOW), '1 hour ago');
  assert.equal(formatRelative(NOW - 86400, NOW), 'yesterday');
  assert.equal(formatRelative(NOW - 86400 * 6, NOW), '6 days ago');
  assert.equal(formatRelative(NOW - 86400 * 7, NOW), '18 Nov 2026, 19:40 UTC');
  assert.equal(formatRelative(NOW + 86400, NOW), '26 Nov 2026, 19:40 UTC');
});

test('device verification form: one code input tied to its label, csrf, prefilled; an error marks the input', () => {
  const page = renderDeviceCodePage({ csrfToken: 'csrf-123', action: '/oauth2/device/verify', userCode: 'BCDF-GHJK' });
  assert.match(page, /<form method="post" action="\/oauth2\/device\/verify">/);
  assert.match(page, /<label for="user_code">/);
  const byName = Object.fromEntries(inputs(page).map((i) => [i.name, i]));
  assert.equal(byName.user_code?.value, 'BCDF-GHJK');
  assert.equal(byName.csrf?.value, 'csrf-123');
  const failed = renderDeviceCodePage({ csrfToken: 'c', action: '/oauth2/device/verify', error: 'That code is not valid' });
  assert.match(failed, /role="alert" id="user-code-error"/);
  assert.match(failed, /aria-invalid="true" aria-describedby="user-code-error"/);
});

test('device consent posts to the verification page and names the code to compare, not a redirect', () => {
  const page = consent({ device: { userCode: 'BCDF-GHJK', action: '/oauth2/device/verify' }, hiddenFields: { user_code: 'BCDF-GHJK' } });
  assert.match(page, /<form class="decision" method="post" action="\/oauth2\/device\/verify">/);
  assert.match(page, /the code <strong class="user-code">BCDF-GHJK<\/strong>/);
  assert.doesNotMatch(page, /sent back to/);
  assert.match(page, /name="decision" value="allow"/);
});

test('the consent and connected-apps pages name the resources (RFC 8707), escaped, and repeat `resource` as hidden fields', () => {
  const page = consent({
    resources: ['Leads API', EVIL],
    hiddenFields: { client_id: 'zapier-client', resource: ['https://api.example.com/leads', 'https://x.example/"q'] },
  });
  assert.match(page, /<p class="resources">on <strong>Leads API<\/strong>, <strong>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/strong><\/p>/);
  assert.doesNotMatch(page, /<script>alert/);
  const hidden = inputs(page).filter((input) => input.name === 'resource').map((input) => unescape(input.value!));
  assert.deepEqual(hidden, ['https://api.example.com/leads', 'https://x.example/"q']);
  assert.doesNotMatch(consent(), /class="resources"/, 'no resources, no line');

  const listed = apps({ apps: [{ clientId: 'zapier-client', clientName: 'Zapier', scopes, resources: ['Leads API'], connectedAt: NOW - 60, lastUsedAt: 0 }] });
  assert.match(listed, /<p class="meta resources">on <strong>Leads API<\/strong><\/p>/);
  assert.doesNotMatch(apps(), /class="meta resources"/);
});

test('consent shows what the app says about itself when the client record has it: logo, home page, privacy policy, terms', () => {
  const page = consent({
    logoUri: 'https://cdn.zapier.com/logo.png',
    clientUri: 'https://zapier.com/',
    policyUri: 'https://zapier.com/privacy?a=1&b=2',
    tosUri: 'https://zapier.com/terms',
  });
  // The logo replaces the initial and is decorative: the heading names the app.
  assert.match(page, /<img class="logo" src="https:\/\/cdn\.zapier\.com\/logo\.png" alt="">/);
  assert.ok(!page.includes('class="avatar'), 'no initial when there is a logo');
  assert.match(page, /<a href="https:\/\/zapier\.com\/">About Zapier<\/a>/);
  assert.match(page, /<a href="https:\/\/zapier\.com\/privacy\?a=1&amp;b=2">Privacy policy<\/a>/);
  assert.match(page, /<a href="https:\/\/zapier\.com\/terms">Terms of service<\/a>/);
  const plain = consent();
  assert.ok(!plain.includes('class="client-links"') && !plain.includes('<img'), 'nothing when the client has none');
  assert.match(plain, /<span class="avatar[^"]*" aria-hidden="true">Z<\/span>/);
});

test('the signed-out page offers a way back: sign in again, and the app\'s home page when it has one', () => {
  const page = renderSignedOutPage({ frames: [], next: undefined, productName: 'Acme Accounts', client: { name: 'Zapier', clientUri: 'https://zapier.com/' } });
  assert.match(page, /You have been signed out of Acme Accounts\./);
  assert.match(page, /<a class="button primary block" href="\/login">Sign in again<\/a>/);
  assert.match(page, /<a class="button secondary block" href="https:\/\/zapier\.com\/">Back to Zapier<\/a>/);
  const without = renderSignedOutPage({ frames: [], next: undefined, productName: 'Acme Accounts', client: { name: 'Zapier' } });
  assert.ok(!without.includes('Back to Zapier'));
  assert.match(without, /Sign in again/);
});

test('branding: name in the title and mark, logo as the mark, colour only as #rrggbb in the page\'s CSS, support and privacy links', () => {
  const branded = renderLoginPage({ csrfToken: 'c', returnTo: '/x' }, {
    name: 'Acme Accounts', logo: 'data:image/png;base64,AAAA', primaryColor: '#0f766e',
    supportUrl: 'https://help.acme.example/', privacyUrl: 'https://acme.example/privacy',
  });
  assert.match(branded, /<title>Sign in · Acme Accounts<\/title>/);
  assert.match(branded, /<header class="brand"><img src="data:image\/png;base64,AAAA" alt="Acme Accounts"><\/header>/);
  assert.match(branded, /<style>:root\{--primary:#0f766e;--primary-hover:#0f766e;--on-primary:#ffffff\}/);
  assert.match(branded, /<footer class="links"><a href="https:\/\/help\.acme\.example\/">Help<\/a><a href="https:\/\/acme\.example\/privacy">Privacy<\/a><\/footer>/);
  assert.ok(!/gatehouse/i.test(branded.replace(/<style>[\s\S]*?<\/style>/g, '')), 'no "Gatehouse" anywhere in a branded page');
  // A light brand colour gets dark text; a value that is not #rrggbb never reaches the CSS.
  assert.match(renderLoginPage({ csrfToken: 'c', returnTo: '/x' }, { name: 'A', primaryColor: '#fde68a' }), /--on-primary:#111827/);
  assert.ok(!renderLoginPage({ csrfToken: 'c', returnTo: '/x' }, { name: 'A', primaryColor: 'red}body{x' }).includes('red}'));
  const plain = renderLoginPage({ csrfToken: 'c', returnTo: '/x' });
  assert.match(plain, /<header class="brand"><svg[^]*<span>Gatehouse<\/span><\/header>/);
  assert.ok(!plain.includes('<footer'), 'no links when none are configured');
});

test('a page\'s own CSP widens img-src or frame-src only by well-formed origins', async () => {
  const { pageCsp, SECURITY_HEADERS } = await import('../../src/http/security-headers.js');
  const base = SECURITY_HEADERS['content-security-policy']!;
  assert.match(base, new RegExp(`script-src ${PAGE_SCRIPT_CSP_SOURCE.replace(/[+/]/g, '\\$&')};`));
  assert.equal(pageCsp({}), base);
  const withLogo = pageCsp({ images: ['https://cdn.zapier.com/logo.png?x=1'] });
  assert.match(withLogo, /img-src 'self' data: https:\/\/cdn\.zapier\.com;/);
  assert.equal(withLogo.split('img-src').length, 2, 'one img-src directive');
  assert.equal(pageCsp({ images: ['not a url', 'https://a;b.example/x'] }), base);
  assert.match(pageCsp({ frames: ['https://rp.example/fc'] }), /; frame-src https:\/\/rp\.example$/);
});
