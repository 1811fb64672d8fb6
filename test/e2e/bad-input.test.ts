// Bad input on every endpoint gets a 4xx that names the problem — never a 5xx, never a crash.
import { after, before, test } from 'node:test';
import { describeOnBackends } from '../helpers/backends.js';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CALLBACK, USER, basic, createClient, createUser, postForm } from '../helpers/fixtures.js';

await describeOnBackends('bad input', (backend) => {
  let server: TestServer;
  let auth: string;

  before(async () => {
    server = await startTestServer({ backend });
    await createUser(server);
    const { clientSecret } = await createClient(server, { clientId: 'zapier-client', scopes: 'openid read:leads', grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'] });
    auth = basic('zapier-client', clientSecret!);
  });
  after(() => server.close());

  async function oauthError(response: Response, status: number, error: string, description: RegExp) {
    assert.equal(response.status, status, `status for ${error}`);
    const body = await response.json() as { error: string; error_description: string };
    assert.equal(body.error, error);
    assert.match(body.error_description, description);
  }

  const raw = (path: string, body: string, headers: Record<string, string> = {}) =>
    fetch(`${server.issuer}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth, ...headers }, body });

  test('token endpoint: missing, unknown, duplicated, oversized and malformed parameters', async () => {
    await oauthError(await raw('/oauth2/token', ''), 400, 'invalid_request', /grant_type is required/);
    await oauthError(await raw('/oauth2/token', 'grant_type=password'), 400, 'unsupported_grant_type', /"password" is not supported/);
    await oauthError(await raw('/oauth2/token', 'grant_type=client_credentials&grant_type=client_credentials'), 400, 'invalid_request', /grant_type was sent more than once/);
    await oauthError(await raw('/oauth2/token', 'grant_type=authorization_code&redirect_uri=x'), 400, 'invalid_request', /code is required/);
    await oauthError(await raw('/oauth2/token', `grant_type=authorization_code&code=${'a'.repeat(5000)}&redirect_uri=x`), 400, 'invalid_request', /code is longer than 4096/);
    await oauthError(await raw('/oauth2/token', 'grant_type=refresh_token'), 400, 'invalid_request', /refresh_token is required/);
    await oauthError(await raw('/oauth2/token', 'grant_type=client_credentials&scope=bad"scope'), 400, 'invalid_scope', /not a valid scope token/);
    await oauthError(await raw('/oauth2/token', 'grant_type=authorization_code&code=nope&redirect_uri=x'), 400, 'invalid_grant', /code is not valid/);
    await oauthError(await raw('/oauth2/token', 'grant_type=%E0%A4%A'), 400, 'unsupported_grant_type', /not supported/);
    // A NUL reached PostgreSQL (which refuses it in text) and answered 500; no OAuth parameter may hold a control character.
    await oauthError(await raw('/oauth2/token', 'grant_type=client_credentials&scope=read%00leads'), 400, 'invalid_request', /scope contains a control character/);
    await oauthError(await raw('/oauth2/token', 'grant_type=refresh_token&refresh_token=a%0Db'), 400, 'invalid_request', /refresh_token contains a control character/);
    await oauthError(await raw('/oauth2/token', `grant_type=client_credentials&x=${'b'.repeat(70 * 1024)}`), 413, 'invalid_request', /too large/);
    await oauthError(await raw('/oauth2/token', '{"grant_type":"client_credentials"}', { 'content-type': 'application/json' }), 415, 'invalid_request', /x-www-form-urlencoded/);
    await oauthError(await raw('/oauth2/token?grant_type=client_credentials', 'grant_type=client_credentials'), 400, 'invalid_request', /form body, not in the URL/);
    await oauthError(await fetch(`${server.issuer}/oauth2/token`, { method: 'POST' }), 400, 'invalid_request', /body/);
  });

  test('token endpoint: how the body arrives does not matter, only what it says', async () => {
    // A media-type parameter, a trailing slash and a chunked body (no Content-Length) are all fine.
    const withCharset = await raw('/oauth2/token/', 'grant_type=client_credentials', { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' });
    assert.equal(withCharset.status, 200);
    assert.equal(withCharset.headers.get('cache-control'), 'no-store');
    assert.equal(withCharset.headers.get('x-frame-options'), 'DENY');
    const chunks = (text: string) => new ReadableStream({ start(controller) { for (const part of text.match(/.{1,7}/g)!) controller.enqueue(new TextEncoder().encode(part)); controller.close(); } });
    const chunked = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: chunks('grant_type=client_credentials&scope=read%3Aleads'), duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 200);
    assert.equal((await chunked.json() as { scope: string }).scope, 'read:leads');
    // Too large without a Content-Length to say so: refused once the limit is crossed.
    const large = await fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth }, body: chunks(`grant_type=client_credentials&x=${'c'.repeat(70 * 1024)}`), duplex: 'half',
    } as RequestInit).catch((error: unknown) => error as Error);
    // The server may close the connection before the client finished sending; either way nothing was issued.
    if (large instanceof Response) await oauthError(large, 413, 'invalid_request', /too large/);
    // Other methods are not allowed: 405 naming the one that is.
    const get = await fetch(`${server.issuer}/oauth2/token`, { headers: { authorization: auth } });
    await oauthError(get, 405, 'invalid_request', /GET is not allowed on \/oauth2\/token; use POST/);
    assert.equal(get.headers.get('allow'), 'OPTIONS, POST');
  });

  test('token endpoint: client authentication failures are invalid_client 401, with WWW-Authenticate after Basic', async () => {
    const wrong = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: basic('zapier-client', 'wrong') });
    await oauthError(wrong, 401, 'invalid_client', /client_secret is not correct/);
    assert.match(wrong.headers.get('www-authenticate')!, /^Basic/);
    await oauthError(await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { authorization: 'Basic !!!' }), 401, 'invalid_client', /Basic/);
    await oauthError(await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }), 401, 'invalid_client', /client authentication is required/);
    await oauthError(await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'ghost', client_secret: 'x' }), 401, 'invalid_client', /"ghost" is not registered/);
    await oauthError(await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'zapier-client' }), 401, 'invalid_client', /confidential/);
    await oauthError(await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_secret: 'x' }, { authorization: auth }), 400, 'invalid_request', /authenticated twice/);
  });

  test('introspection and revocation: missing token and bad hints', async () => {
    await oauthError(await raw('/oauth2/introspect', ''), 400, 'invalid_request', /token is required/);
    await oauthError(await raw('/oauth2/introspect', 'token=a&token=b'), 400, 'invalid_request', /token was sent more than once/);
    await oauthError(await raw('/oauth2/revoke', ''), 400, 'invalid_request', /token is required/);
    await oauthError(await raw('/oauth2/revoke', 'token=a&token_type_hint=id_token'), 400, 'unsupported_token_type', /token_type_hint "id_token"/);
    const ok = await raw('/oauth2/revoke', 'token=unknown-token');
    assert.equal(ok.status, 200);
  });

  test('userinfo: missing, malformed and unknown tokens answer per RFC 6750', async () => {
    const none = await fetch(`${server.issuer}/userinfo`);
    assert.equal(none.status, 401);
    assert.match(none.headers.get('www-authenticate')!, /^Bearer realm="gatehouse"$/);
    const malformed = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: 'Token abc' } });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('www-authenticate')!, /error="invalid_request"/);
    const unknown = await fetch(`${server.issuer}/userinfo`, { headers: { authorization: 'Bearer abc.def.ghi' } });
    assert.equal(unknown.status, 401);
    assert.match(unknown.headers.get('www-authenticate')!, /error="invalid_token"/);
  });

  test('authorize: each bad parameter is redirected with a precise description once client and redirect_uri are trusted', async () => {
    const base = { client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 'st' };
    const cases: Array<[Record<string, string>, string, RegExp]> = [
      [{ response_type: '' }, 'invalid_request', /response_type is required/],
      [{ response_type: 'token' }, 'unsupported_response_type', /"token" is not supported/],
      [{ scope: 'read:leads admin' }, 'invalid_scope', /"admin"/],
      [{ prompt: 'select_account' }, 'invalid_request', /prompt "select_account"/],
      [{ prompt: 'none login' }, 'invalid_request', /cannot be combined/],
      [{ max_age: '-1' }, 'invalid_request', /max_age/],
      [{ code_challenge: 'short', code_challenge_method: 'S256' }, 'invalid_request', /43-character/],
      [{ request: 'eyJ' }, 'request_not_supported', /request is not supported/],
    ];
    for (const [override, error, description] of cases) {
      const response = await fetch(`${server.issuer}/oauth2/authorize?${new URLSearchParams({ ...base, ...override })}`, { redirect: 'manual' });
      assert.equal(response.status, 303, JSON.stringify(override));
      const location = new URL(response.headers.get('location')!);
      assert.equal(location.origin + location.pathname, CALLBACK);
      assert.equal(location.searchParams.get('error'), error, JSON.stringify(override));
      assert.match(location.searchParams.get('error_description')!, description);
      assert.equal(location.searchParams.get('state'), 'st');
      assert.equal(location.searchParams.get('iss'), server.issuer);
    }
    const duplicated = await fetch(`${server.issuer}/oauth2/authorize?${new URLSearchParams(base)}&scope=openid`, { redirect: 'manual' });
    assert.match(new URL(duplicated.headers.get('location')!).searchParams.get('error_description')!, /scope was sent more than once/);
  });

  test('authorize: problems with client_id or redirect_uri get a 400 page that names them', async () => {
    const cases: Array<[string, RegExp]> = [
      ['', /client_id is missing/],
      // The page names the problem for the app's developer, never the client's registered redirect URIs.
      ['client_id=zapier-client', /For the app's developer:<\/strong> redirect_uri is missing for client "zapier-client" \(reference /],
      ['client_id=zapier-client&client_id=other', /client_id was sent more than once/],
      [`client_id=zapier-client&redirect_uri=${encodeURIComponent(CALLBACK)}&redirect_uri=x`, /redirect_uri was sent more than once/],
      [`client_id=${'z'.repeat(5000)}`, /longer than 4096/],
      ['client_id=%ZZ', /.+/],
    ];
    for (const [query, message] of cases) {
      const response = await fetch(`${server.issuer}/oauth2/authorize?${query}`, { redirect: 'manual' });
      assert.equal(response.status, 400, query.slice(0, 60));
      assert.equal(response.headers.get('location'), null);
      const html = await response.text();
      assert.match(html.replace(/&quot;/g, '"').replace(/&#x2F;|&#47;/g, '/'), message);
      assert.ok(!html.includes('zapier.com/oauth/callback'), 'no registered redirect URI on the page');
    }
  });

  test('pages: a bad form post to /login or /account is a 4xx page, not a crash', async () => {
    const login = await fetch(`${server.issuer}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'username=a&username=b' });
    assert.ok(login.status >= 400 && login.status < 500);
    const json = await fetch(`${server.issuer}/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(json.status, 415);
    const revoke = await fetch(`${server.issuer}/account/apps/x/revoke`, { method: 'POST', redirect: 'manual' });
    assert.equal(revoke.status, 303, 'not signed in: sent to sign in');
    void USER;
  });

  test('forms are decoded by one parser on every route: bytes that are not UTF-8 read as U+FFFD on authorize as on token', async () => {
    // The token endpoint's decoder: the truncated escape is kept, the bad bytes become U+FFFD.
    await oauthError(await raw('/oauth2/token', 'grant_type=%E0%A4%A'), 400, 'unsupported_grant_type', /"\uFFFD%A"/);
    const response = await fetch(`${server.issuer}/oauth2/authorize`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'client_id=%E0%A4%A' });
    assert.equal(response.status, 400);
    assert.match((await response.text()).replace(/&quot;/g, '"'), /client_id "\uFFFD%A" is not a registered application/);
  });
});
