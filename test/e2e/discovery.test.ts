// Discovery (RFC 8414, OpenID Connect Discovery) announces exactly what this server supports and nothing more:
// the documents hold a known set of names (a new one must be added here on purpose), every endpoint they name is
// served, every grant type they list is accepted by the token endpoint and one they do not list is refused.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { DPOP_ALGORITHMS } from '../../src/jwt/dpop.js';

const AUTHORIZATION_SERVER_NAMES = [
  'issuer', 'authorization_endpoint', 'token_endpoint', 'jwks_uri', 'revocation_endpoint', 'introspection_endpoint',
  'userinfo_endpoint', 'device_authorization_endpoint', 'pushed_authorization_request_endpoint',
  'require_pushed_authorization_requests', 'response_types_supported', 'response_modes_supported', 'grant_types_supported',
  'code_challenge_methods_supported', 'token_endpoint_auth_methods_supported', 'token_endpoint_auth_signing_alg_values_supported',
  'revocation_endpoint_auth_methods_supported', 'revocation_endpoint_auth_signing_alg_values_supported',
  'introspection_endpoint_auth_methods_supported', 'introspection_endpoint_auth_signing_alg_values_supported', 'scopes_supported',
  'authorization_response_iss_parameter_supported', 'client_id_metadata_document_supported', 'resource_indicators_supported',
  'prompt_values_supported', 'dpop_signing_alg_values_supported',
];
const OPENID_ONLY_NAMES = [
  'subject_types_supported', 'id_token_signing_alg_values_supported', 'claims_supported', 'end_session_endpoint',
  'backchannel_logout_supported', 'backchannel_logout_session_supported', 'frontchannel_logout_supported',
  'frontchannel_logout_session_supported', 'claims_parameter_supported', 'request_parameter_supported', 'request_uri_parameter_supported',
];
const GRANTS = [
  'authorization_code', 'refresh_token', 'client_credentials', 'urn:ietf:params:oauth:grant-type:device_code',
  'urn:ietf:params:oauth:grant-type:token-exchange',
];

describe('discovery announces exactly what is supported', () => {
  let server: TestServer;
  let oauthMetadata: Record<string, unknown>;
  let openid: Record<string, unknown>;

  before(async () => {
    server = await startTestServer();
    oauthMetadata = await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    openid = await (await fetch(`${server.issuer}/.well-known/openid-configuration`)).json() as Record<string, unknown>;
  });
  after(() => server.close());

  test('both documents hold exactly the known names (registration is off by default, so not announced), and agree', () => {
    assert.deepEqual(Object.keys(oauthMetadata).sort(), [...AUTHORIZATION_SERVER_NAMES].sort());
    assert.deepEqual(Object.keys(openid).sort(), [...AUTHORIZATION_SERVER_NAMES, ...OPENID_ONLY_NAMES].sort());
    for (const name of AUTHORIZATION_SERVER_NAMES) assert.deepEqual(openid[name], oauthMetadata[name], name);
    assert.equal(oauthMetadata.issuer, server.issuer);
  });

  test('the lists name what works: code with S256 only, the registered grants, DPoP algorithms', () => {
    assert.deepEqual(oauthMetadata.response_types_supported, ['code']);
    assert.deepEqual(oauthMetadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(oauthMetadata.grant_types_supported, GRANTS);
    assert.deepEqual(oauthMetadata.dpop_signing_alg_values_supported, [...DPOP_ALGORITHMS]);
  });

  test('every endpoint named is served here: an answer from this server, never 404 or 5xx', async () => {
    const endpoints = Object.entries(openid).filter(([name]) => name.endsWith('_endpoint') || name === 'jwks_uri');
    assert.ok(endpoints.length >= 9);
    for (const [name, url] of endpoints) {
      assert.equal(typeof url, 'string', name);
      assert.ok((url as string).startsWith(`${server.issuer}/`), `${name} is on this issuer`);
      const method = /token|revocation|introspection|device_authorization|pushed_authorization/.test(name) ? 'POST' : 'GET';
      const response = await fetch(url as string, { method, redirect: 'manual', ...(method === 'POST' ? { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' } : {}) });
      assert.notEqual(response.status, 404, `${name} ${url}`);
      assert.ok(response.status < 500, `${name} answered ${response.status}`);
    }
  });

  test('each listed grant type reaches its handler; one not listed is unsupported_grant_type', async () => {
    const token = (grantType: string) => fetch(`${server.issuer}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: grantType, client_id: 'nobody' }).toString(),
    }).then(async (response) => ((await response.json()) as { error: string }).error);
    for (const grant of GRANTS) assert.notEqual(await token(grant), 'unsupported_grant_type', grant);
    for (const grant of ['password', 'implicit', 'urn:ietf:params:oauth:grant-type:jwt-bearer', 'urn:ietf:params:oauth:grant-type:saml2-bearer']) {
      assert.equal(await token(grant), 'unsupported_grant_type', grant);
    }
  });

  test('registration is not announced while off, and its endpoint answers 404', async () => {
    assert.equal(oauthMetadata.registration_endpoint, undefined);
    const response = await fetch(`${server.issuer}/oauth2/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 404);
  });
});
