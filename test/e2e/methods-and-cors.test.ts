// Wrong methods on known paths answer 405 with Allow (unknown paths stay 404); discovery, JWKS, token,
// revocation and userinfo answer any origin without credentials; introspection and the pages do not.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { basic, createClient, postForm } from '../helpers/fixtures.js';

describe('methods and CORS on the public port', () => {
  let server: TestServer;
  let secret: string;

  before(async () => {
    server = await startTestServer();
    secret = (await createClient(server, { clientId: 'spa', grantTypes: ['client_credentials'], scopes: 'read:leads' })).clientSecret!;
  });
  after(() => server.close());

  const at = (path: string, init: RequestInit = {}) => fetch(`${server.issuer}${path}`, { redirect: 'manual', ...init });

  test('a wrong method on a direct OAuth endpoint is 405 with Allow, in RFC 6749 JSON', async () => {
    const cases: Array<[string, string, string]> = [
      ['GET', '/oauth2/token', 'OPTIONS, POST'],
      ['PUT', '/oauth2/token/', 'OPTIONS, POST'],
      ['GET', '/oauth2/revoke', 'OPTIONS, POST'],
      ['GET', '/oauth2/introspect', 'POST'],
      ['OPTIONS', '/oauth2/introspect', 'POST'],
      ['DELETE', '/oauth2/introspect?x=1', 'POST'],
    ];
    for (const [method, path, allow] of cases) {
      const response = await at(path, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      const body = await response.json() as { error: string; error_description: string };
      assert.equal(body.error, 'invalid_request');
      assert.match(body.error_description, new RegExp(`${method} is not allowed on /oauth2/\\w+; use POST`));
    }
  });

  test('a wrong method on a known Fastify path is 405 with Allow; unknown paths stay 404', async () => {
    const json: Array<[string, string, string]> = [
      ['POST', '/.well-known/openid-configuration', 'GET, HEAD, OPTIONS'],
      ['DELETE', '/.well-known/oauth-authorization-server', 'GET, HEAD, OPTIONS'],
      ['PUT', '/.well-known/jwks.json', 'GET, HEAD, OPTIONS'],
      ['PUT', '/oauth2/authorize', 'GET, HEAD, POST'],
      ['DELETE', '/userinfo', 'GET, HEAD, OPTIONS, POST'],
    ];
    for (const [method, path, allow] of json) {
      const response = await at(path, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.equal((await response.json() as { error: string }).error, 'invalid_request');
    }
    const pages: Array<[string, string, string]> = [
      ['PUT', '/login', 'GET, HEAD, POST'],
      ['GET', '/logout', 'POST'],
      ['DELETE', '/account/apps', 'GET, HEAD'],
      ['GET', '/account/apps/zapier-client/revoke', 'POST'],
      ['PATCH', '/', 'GET, HEAD'],
    ];
    for (const [method, path, allow] of pages) {
      const response = await at(path, { method });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
      assert.match(response.headers.get('content-type')!, /^text\/html/);
      assert.equal(response.headers.get('x-frame-options'), 'DENY');
      assert.match(await response.text(), /This page cannot be used that way/);
    }
    assert.equal((await at('/oauth2/nowhere')).status, 404);
    assert.equal((await at('/oauth2/nowhere', { method: 'POST' })).status, 404);
    assert.equal((await at('/no-such-page', { method: 'DELETE' })).status, 404);
    assert.equal((await at('/account/apps/x/y/revoke')).status, 404);
  });

  test('a CORS preflight to token, PAR, revocation, userinfo, discovery and JWKS is 204 with the methods and headers, never credentials', async () => {
    const cases: Array<[string, string, string]> = [
      ['/oauth2/token', 'POST', 'POST'],
      ['/oauth2/par', 'POST', 'POST'],
      ['/oauth2/revoke', 'POST', 'POST'],
      ['/userinfo', 'GET', 'GET, HEAD, POST'],
      ['/.well-known/openid-configuration', 'GET', 'GET, HEAD'],
      ['/.well-known/oauth-authorization-server', 'GET', 'GET, HEAD'],
      ['/.well-known/jwks.json', 'GET', 'GET, HEAD'],
    ];
    for (const [path, method, methods] of cases) {
      const response = await at(path, {
        method: 'OPTIONS',
        headers: { origin: 'https://spa.example', 'access-control-request-method': method, 'access-control-request-headers': 'authorization, content-type, dpop' },
      });
      assert.equal(response.status, 204, path);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(response.headers.get('access-control-allow-methods'), methods, path);
      assert.equal(response.headers.get('access-control-allow-headers'), 'Authorization, Content-Type, DPoP', path);
      assert.equal(response.headers.get('access-control-allow-credentials'), null, path);
    }
  });

  test('answers on CORS paths let any origin read them, the error challenge included; introspection and pages do not', async () => {
    const origin = { origin: 'https://spa.example' };
    const token = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { ...origin, authorization: basic('spa', secret) });
    assert.equal(token.status, 200);
    assert.equal(token.headers.get('access-control-allow-origin'), '*');
    const accessToken = (await token.json() as { access_token: string }).access_token;
    const failed = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials' }, { ...origin, authorization: basic('spa', 'wrong') });
    assert.equal(failed.status, 401);
    assert.equal(failed.headers.get('access-control-allow-origin'), '*');
    assert.match(failed.headers.get('access-control-expose-headers')!, /WWW-Authenticate/);
    const revoke = await postForm(`${server.issuer}/oauth2/revoke`, { token: 'unknown' }, { ...origin, authorization: basic('spa', secret) });
    assert.equal(revoke.headers.get('access-control-allow-origin'), '*');
    // A pushed authorization request's answer (and its refusal) is readable cross-origin too.
    const pushed = await postForm(`${server.issuer}/oauth2/par`, { response_type: 'code' }, { ...origin, authorization: basic('spa', secret) });
    assert.equal(pushed.status, 400);
    assert.equal(pushed.headers.get('access-control-allow-origin'), '*');
    const userinfo = await at('/userinfo', { headers: origin });
    assert.equal(userinfo.status, 401);
    assert.equal(userinfo.headers.get('access-control-allow-origin'), '*');
    assert.match(userinfo.headers.get('access-control-expose-headers')!, /WWW-Authenticate/);
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server', '/.well-known/jwks.json']) {
      const response = await at(path, { headers: origin });
      assert.equal(response.status, 200);
      assert.equal(response.headers.get('access-control-allow-origin'), '*', path);
      assert.equal(response.headers.get('access-control-allow-credentials'), null, path);
    }
    const introspect = await postForm(`${server.issuer}/oauth2/introspect`, { token: accessToken }, { ...origin, authorization: basic('spa', secret) });
    assert.equal(introspect.status, 200);
    assert.equal(introspect.headers.get('access-control-allow-origin'), null, 'introspection is for resource servers, not browsers');
    for (const path of ['/oauth2/authorize?client_id=spa', '/login', '/account/apps']) {
      const response = await at(path, { headers: origin });
      assert.equal(response.headers.get('access-control-allow-origin'), null, path);
    }
    for (const path of ['/login', '/oauth2/authorize']) {
      const preflight = await at(path, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'POST' } });
      assert.equal(preflight.status, 405, path);
      assert.equal(preflight.headers.get('access-control-allow-origin'), null, path);
    }
  });
});
