// return_to and every other redirect built from input: only a proven same-origin path is ever redirected to,
// and everything else is a 400 page (with the security headers) that says what is wrong — never a redirect,
// never a silent substitute, never a 500.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describeOnBackends } from '../helpers/backends.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser } from '../helpers/fixtures.js';
import { SECURITY_HEADERS } from '../../src/http/security-headers.js';
import { MAX_RETURN_TO_LENGTH } from '../../src/http/same-origin-path.js';

const C0 = Array.from({ length: 0x20 }, (_, code) => String.fromCharCode(code));

/** Values a browser could be sent somewhere else with, or that cannot be sent in a Location header. */
function hostileValues(issuer: string): string[] {
  const host = new URL(issuer).host;
  return [
    // Every C0 control character, and DEL, where the open-redirect trick puts them (browsers drop tab, CR and LF).
    ...C0.map((c) => `/${c}/evil.example`),
    ...C0.map((c) => `${c}//evil.example`),
    '/\x7f/evil.example',
    '/\t/evil.example', '/\r\n/evil.example', '/\t\\evil.example', '/\n\\/evil.example',
    '//evil.example', '///evil.example', '/\\evil.example', '\\\\evil.example', '/\\/evil.example', '\\/evil.example',
    '/.//evil.example', '/..//evil.example', '/%2e//evil.example', '/a/..//evil.example',
    'https://evil.example/', 'https:evil.example', 'http://evil.example', `http://${host}@evil.example/`, `http://user:pass@${host}/account/apps`,
    'javascript:alert(1)', 'JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:msgbox(1)',
    ' /account/apps', '/account apps', '/€', '/é', '/account/apps?name=é',
    `/${'a'.repeat(MAX_RETURN_TO_LENGTH)}`,
  ];
}

/** Values that name a page here, and the normalised path and query they lead to. */
function friendlyValues(issuer: string): Array<[string, string]> {
  return [
    ['/account/apps', '/account/apps'],
    ['/account/apps?x=1&y=%2F%2Fevil.example', '/account/apps?x=1&y=%2F%2Fevil.example'],
    ['/oauth2/authorize?client_id=zapier-client&scope=read%3Aleads&state=a%20b', '/oauth2/authorize?client_id=zapier-client&scope=read%3Aleads&state=a%20b'],
    [`${issuer}/account/apps?from=absolute`, '/account/apps?from=absolute'],
    ['/%09/evil.example', '/%09/evil.example'],
    ['/a/../account/apps', '/account/apps'],
    ['/account/apps#section', '/account/apps'],
  ];
}

const show = (value: string) => JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);

function assertRefusalPage(response: Response, html: string, value: string): void {
  assert.equal(response.status, 400, `${show(value)} is refused with 400`);
  assert.equal(response.headers.get('location'), null, `${show(value)} is never redirected to`);
  for (const [name, expected] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(name), expected, `${name} on the refusal of ${show(value)}`);
  assert.match(html, /return_to/, `the page for ${show(value)} names the problem`);
  assert.doesNotMatch(html, /FST_|ERR_/, 'no framework error code leaks');
}

await describeOnBackends('return_to and redirects from input', (backend) => {
  let server: TestServer;
  let signedIn: TestUserAgent;
  let address = 0;

  before(async () => {
    // Each sign-in below comes from its own (forwarded) address, so the per-address sign-in limit stays out of the way.
    server = await startTestServer({ backend, env: { GATEHOUSE_TRUST_PROXY: '127.0.0.1' } });
    await createUser(server);
    await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads' });
    signedIn = new TestUserAgent(server.issuer);
    await signedIn.signIn((await signedIn.navigate('/login')).html, USER.username, USER.password);
    assert.ok(signedIn.cookies.get('gatehouse_session'));
  });
  after(() => server.close());

  /** POST /login with the right password and `returnTo`, from a fresh browser. */
  async function signInWith(returnTo: string | string[]): Promise<{ response: Response; html: string }> {
    const agent = new TestUserAgent(server.issuer);
    const fields = hiddenFields((await agent.navigate('/login')).html, '/login');
    const form = new URLSearchParams({ csrf: fields.csrf!, username: USER.username, password: USER.password });
    for (const value of [returnTo].flat()) form.append('return_to', value);
    address += 1;
    const response = await fetch(`${server.issuer}/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        cookie: [...agent.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        'x-forwarded-for': `10.9.${address >> 8}.${address & 255}`,
      },
      body: form.toString(),
    });
    return { response, html: await response.text() };
  }

  test('GET /login, signed out: every hostile return_to (each C0 control character included) is a 400 page, not a sign-in form', async () => {
    for (const value of hostileValues(server.issuer)) {
      const response = await fetch(`${server.issuer}/login?return_to=${encodeURIComponent(value)}`, { redirect: 'manual' });
      const html = await response.text();
      assertRefusalPage(response, html, value);
      assert.doesNotMatch(html, /name="password"/, 'no sign-in form that would come back to it');
    }
  });

  test('GET /login, signed in: every hostile return_to is a 400 page instead of a redirect (it used to redirect, or answer 500)', async () => {
    for (const value of hostileValues(server.issuer)) {
      const response = await signedIn.request(`/login?return_to=${encodeURIComponent(value)}`);
      assertRefusalPage(response, await response.text(), value);
    }
  });

  test('POST /login: a hostile return_to is a 400 page and nobody is signed in', async () => {
    for (const value of hostileValues(server.issuer)) {
      const { response, html } = await signInWith(value);
      assertRefusalPage(response, html, value);
      assert.ok(!response.headers.getSetCookie().some((cookie) => cookie.startsWith('gatehouse_session=')), `no session for ${show(value)}`);
    }
  });

  test('return_to sent twice is refused, on GET and POST', async () => {
    const get = await fetch(`${server.issuer}/login?return_to=%2Fa&return_to=%2Fb`, { redirect: 'manual' });
    assertRefusalPage(get, await get.text(), 'twice');
    const { response, html } = await signInWith(['/a', '/b']);
    assertRefusalPage(response, html, 'twice');
  });

  test('paths on this server, with their query strings, still work everywhere, normalised', async () => {
    for (const [value, expected] of friendlyValues(server.issuer)) {
      const form = await fetch(`${server.issuer}/login?return_to=${encodeURIComponent(value)}`);
      assert.equal(form.status, 200);
      assert.equal(hiddenFields(await form.text(), '/login').return_to, expected, `the sign-in form carries ${show(value)} normalised`);
      const already = await signedIn.request(`/login?return_to=${encodeURIComponent(value)}`);
      assert.equal(already.status, 303);
      assert.equal(already.headers.get('location'), expected, `signed in: ${show(value)}`);
      const { response } = await signInWith(value);
      assert.equal(response.status, 303);
      assert.equal(response.headers.get('location'), expected, `after signing in: ${show(value)}`);
    }
  });

  test('no return_to (or an empty one) still means connected apps', async () => {
    const already = await signedIn.request('/login');
    assert.equal(already.headers.get('location'), '/account/apps');
    const { response } = await signInWith('');
    assert.equal(response.status, 303);
    assert.equal(response.headers.get('location'), '/account/apps');
  });

  test('the sign-in page of an authorization request comes back to that request, whatever its parameters hold', async () => {
    const agent = new TestUserAgent(server.issuer);
    const state = 'état/ //evil.example\\x';
    const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state })}`;
    const page = await agent.navigate(authorize);
    const returnTo = hiddenFields(page.html, '/login').return_to!;
    assert.ok(returnTo.startsWith('/oauth2/authorize?'));
    const back = await agent.signIn(page.html, USER.username, USER.password);
    assert.match(back.html, /name="decision"/, 'after signing in, the consent page of the same request');
    assert.ok(back.html.includes('état'), 'with its state intact');
  });

  test('a request that is not valid HTTP gets a 400 with the security headers, not the framework\'s bare answer', async () => {
    const { hostname, port } = new URL(server.issuer);
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), hostname, () => socket.write('GET /login HTTP/1.1\r\nHost: x\r\nNot a header\r\n\r\n'));
      let data = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
      socket.on('error', reject).on('close', () => resolve(data));
    });
    assert.match(answer, /^HTTP\/1\.1 400 /);
    const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
    for (const [name, expected] of Object.entries(SECURITY_HEADERS)) assert.ok(head.includes(`${name}: ${expected}`.toLowerCase()), `${name} on a malformed request`);
    assert.doesNotMatch(answer, /FST_|ERR_/);
  });

  test('a malformed URL is a 400 page with the security headers, not the framework\'s JSON with its error code', async () => {
    for (const path of ['/login%', '/oauth2/authorize%zz', '/%', '/account/apps%E0%A4%A']) {
      const response = await fetch(`${server.issuer}${path}`, { redirect: 'manual' });
      const html = await response.text();
      assert.equal(response.status, 400, path);
      assert.match(response.headers.get('content-type')!, /text\/html/);
      for (const [name, expected] of Object.entries(SECURITY_HEADERS)) assert.equal(response.headers.get(name), expected, `${name} on ${path}`);
      assert.doesNotMatch(html, /FST_|ERR_/, 'no framework error code leaks');
      assert.match(html, /not a valid URL/);
    }
  });
});

describe('return_to with an issuer that has a path', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { GATEHOUSE_ISSUER: 'https://auth.example.com/tenant' } });
  });
  after(() => server.close());

  test('must lie under the issuer\'s path, on the issuer\'s origin', async () => {
    const origin = server.server.publicUrl;
    const under = await fetch(`${origin}/login?return_to=${encodeURIComponent('/tenant/account/apps?x=1')}`);
    assert.equal(under.status, 200);
    assert.equal(hiddenFields(await under.text(), '/login').return_to, '/tenant/account/apps?x=1');
    const absolute = await fetch(`${origin}/login?return_to=${encodeURIComponent('https://auth.example.com/tenant/x')}`);
    assert.equal(hiddenFields(await absolute.text(), '/login').return_to, '/tenant/x');
    for (const value of ['/other/account/apps', '/tenantx/account', '/tenant/../other', 'https://auth.example.com/other', `http://auth.example.com/tenant/x`]) {
      const response = await fetch(`${origin}/login?return_to=${encodeURIComponent(value)}`, { redirect: 'manual' });
      assertRefusalPage(response, await response.text(), value);
    }
  });
});
