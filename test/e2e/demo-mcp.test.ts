// `npm run demo` starts the leads MCP server beside the leads API and the integration app: its URL is registered at
// Gatehouse as a resource, it answers MCP clients with the RFC 9728 challenge, and an MCP client holding a token for
// it (code + PKCE + resource, as the demo user) sees the demo user's seeded leads: one store behind the API and MCP.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as oauth from 'openid-client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { freePort } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { startTestDemo, type RunningDemo } from '../helpers/demo.js';

const CALLBACK = 'http://127.0.0.1:7777/callback';

describe('npm run demo starts the leads MCP server', () => {
  let demo: RunningDemo;
  let closeDemo: () => Promise<void> = async () => {};
  let mcpPort: number;

  before(async () => {
    mcpPort = await freePort();
    ({ demo, close: closeDemo } = await startTestDemo({}, {
      LEADS_MCP_PORT: String(mcpPort),
    }));
  });
  after(async () => {
    await closeDemo();
  });

  test('at LEADS_MCP_PORT, /mcp, registered as a resource, with its metadata and a 401 challenge naming them', async () => {
    assert.equal(demo.leadsMcpUrl, `http://localhost:${mcpPort}/mcp`);
    const resource = await demo.services.store.getResource(demo.leadsMcpUrl);
    assert.equal(resource?.name, 'Leads MCP server');
    const metadata = await (await fetch(`http://localhost:${mcpPort}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>;
    assert.equal(metadata.resource, demo.leadsMcpUrl);
    assert.deepEqual(metadata.authorization_servers, [demo.issuer]);
    const response = await fetch(demo.leadsMcpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /scope="read:leads", resource_metadata="http:\/\/localhost:\d+\/\.well-known\/oauth-protected-resource\/mcp"/);
  });

  test('an MCP client with a token for it lists the demo user\'s seeded leads', async () => {
    await demo.services.clients.create({ clientId: 'test-agent', name: 'Test agent', redirectUris: [CALLBACK], scopes: 'read:leads', public: true, grantTypes: ['authorization_code'] });
    const config = await oauth.discovery(new URL(demo.issuer), 'test-agent', undefined, oauth.None(), { execute: [oauth.allowInsecureRequests] });
    const verifier = oauth.randomPKCECodeVerifier();
    const url = oauth.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'read:leads', resource: demo.leadsMcpUrl,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const back = await new TestUserAgent(demo.issuer).authorize(url.href, { username: 'demo', password: 'demo-password' });
    const tokens = await oauth.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier }, { resource: demo.leadsMcpUrl });

    const client = new Client({ name: 'test-agent', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(demo.leadsMcpUrl), { requestInit: { headers: { authorization: `Bearer ${tokens.access_token}` } } }));
    const result = await client.callTool({ name: 'list_leads', arguments: {} }) as { content: Array<{ text: string }> };
    assert.match(result.content[0]!.text, /Ada Lovelace/);
    assert.match(result.content[0]!.text, /Grace Hopper/);
    await client.close();
  });
});
