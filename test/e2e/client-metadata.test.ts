// Clients described by a metadata document at their https client_id (draft-ietf-oauth-client-id-metadata-document,
// as MCP clients use it): nothing registered by hand. The documents are served by a local TLS server the test makes;
// Gatehouse is told to trust its certificate and, for development, to fetch from loopback.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as client from 'openid-client';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createUser, oidcClient, USER } from '../helpers/fixtures.js';
import { TestUserAgent, hiddenFields } from '../helpers/user-agent.js';
import { makeCertificate, startTlsServer, type TestCertificate } from '../helpers/tls.js';

const CALLBACK = 'http://127.0.0.1:7777/callback';

describe('client ID metadata documents', () => {
  let certificate: TestCertificate;
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  let server: TestServer;
  const documents = new Map<string, unknown>();
  const agentId = () => `${tls.origin}/clients/agent.json`;

  before(async () => {
    certificate = makeCertificate();
    tls = await startTlsServer(certificate, (request, response) => {
      const document = documents.get(request.url ?? '');
      if (document === undefined) {
        response.writeHead(404);
        return response.end();
      }
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
      response.end(JSON.stringify(document));
    });
    documents.set('/clients/agent.json', {
      client_id: `${tls.origin}/clients/agent.json`, client_name: 'Research Agent', redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'], token_endpoint_auth_method: 'none', scope: 'openid read:leads',
    });
    documents.set('/clients/impostor.json', { client_id: 'https://trusted.example/clients/agent.json', client_name: 'Impostor', redirect_uris: [CALLBACK] });
    documents.set('/clients/secretive.json', { client_id: `${tls.origin}/clients/secretive.json`, redirect_uris: [CALLBACK], client_secret: 'leaked' });
    server = await startTestServer({ env: { GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'true', GATEHOUSE_FETCH_CA_FILE: certificate.certFile } });
    await createUser(server);
  });
  after(async () => {
    await server.close();
    await tls.close();
    certificate.remove();
  });

  async function authorizeUrl(config: client.Configuration, verifier: string, redirectUri = CALLBACK): Promise<string> {
    return client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri, scope: 'openid read:leads', state: 'cimd',
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    }).href;
  }

  test('discovery says metadata documents are supported', async () => {
    const metadata = await (await fetch(`${server.issuer}/.well-known/oauth-authorization-server`)).json() as Record<string, unknown>;
    assert.equal(metadata.client_id_metadata_document_supported, true);
  });

  test('an agent known only by its document signs a user in; the consent page names its host as not verified', async () => {
    const config = await oidcClient(server, agentId(), client.None());
    const verifier = client.randomPKCECodeVerifier();
    const browser = new TestUserAgent(server.issuer);
    const login = await browser.navigate(await authorizeUrl(config, verifier));
    const consent = await browser.signIn(login.html, USER.username, USER.password);
    assert.match(consent.html, /Research Agent wants to access your account/);
    assert.match(consent.html, new RegExp(`comes from <strong>${new URL(tls.origin).host}</strong>`));
    assert.match(consent.html, /has not been verified by this platform/);
    const done = await browser.navigate('/oauth2/authorize', { form: { ...hiddenFields(consent.html, '/oauth2/authorize'), decision: 'allow' } });
    const tokens = await client.authorizationCodeGrant(config, new URL(done.location!), { pkceCodeVerifier: verifier, expectedState: 'cimd' });
    assert.equal(tokens.scope, 'openid read:leads');
    const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(refreshed.access_token);
    assert.equal((await server.services.store.getClient(agentId()))?.name, 'Research Agent', 'the document became a client row');
  });

  test('a redirect_uri the document does not list is a page, never a redirect', async () => {
    const config = await oidcClient(server, agentId(), client.None());
    const page = await new TestUserAgent(server.issuer).navigate(await authorizeUrl(config, client.randomPKCECodeVerifier(), 'http://127.0.0.1:7777/elsewhere'));
    assert.equal(page.response.status, 400);
    assert.equal(page.location, undefined);
  });

  test('a document that names another client_id, holds a secret, or is missing is refused with a page saying so', async () => {
    const cases: Array<[string, RegExp]> = [
      [`${tls.origin}/clients/impostor.json`, /names client_id &quot;https:\/\/trusted\.example\/clients\/agent\.json&quot;, not its own URL/],
      [`${tls.origin}/clients/secretive.json`, /holds a client_secret/],
      [`${tls.origin}/clients/nobody.json`, /could not be fetched: .*HTTP 404/],
    ];
    for (const [clientId, message] of cases) {
      const url = `${server.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;
      const page = await new TestUserAgent(server.issuer).navigate(url);
      assert.equal(page.response.status, 400, clientId);
      assert.match(page.html, message, clientId);
    }
  });

  test('GATEHOUSE_CLIENT_METADATA_HOSTS limits the hosts; GATEHOUSE_CLIENT_METADATA=off turns documents off', async () => {
    for (const [env, message] of [
      [{ GATEHOUSE_CLIENT_METADATA_HOSTS: 'vscode.dev,claude.ai' }, /accepted only from vscode\.dev, claude\.ai, not localhost/],
      [{ GATEHOUSE_CLIENT_METADATA: 'off' }, /is not a registered application/],
    ] as const) {
      const other = await startTestServer({ env: { GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'true', GATEHOUSE_FETCH_CA_FILE: certificate.certFile, ...env } });
      try {
        const url = `${other.issuer}/oauth2/authorize?${new URLSearchParams({ client_id: agentId(), redirect_uri: CALLBACK, response_type: 'code', scope: 'openid', code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM', code_challenge_method: 'S256' })}`;
        const page = await new TestUserAgent(other.issuer).navigate(url);
        assert.equal(page.response.status, 400);
        assert.match(page.html, message);
      } finally {
        await other.close();
      }
    }
  });
});
