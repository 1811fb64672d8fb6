// An MCP client (the real @modelcontextprotocol/sdk Client and Streamable HTTP transport) against the leads MCP
// server (examples/leads-mcp), with Gatehouse as its authorization server, the way an AI agent connects: discovery
// from the 401 (RFC 9728 metadata at the path-suffixed URL the challenge names), the client identified by (a) a client
// ID metadata document served over https by this test, or (b) dynamic registration; code + PKCE + `resource`; tool
// calls with a token whose audience is the MCP URL; a refresh when that token expires; the step-up to write:leads
// after a 403 insufficient_scope; and tokens for another resource refused by the MCP server.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeJwt } from 'jose';
import type { FastifyInstance } from 'fastify';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { auth, UnauthorizedError, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js';
import { describeOnBackends } from '../helpers/backends.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { TestClock } from '../helpers/clock.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { createClient, postForm, basic } from '../helpers/fixtures.js';
import { makeCertificate, startTlsServer, type TestCertificate } from '../helpers/tls.js';
import { buildLeadsMcp } from '../../examples/leads-mcp/app.js';
import { LeadStore } from '../../examples/leads-api/leads-store.js';

const CALLBACK = 'http://127.0.0.1:7777/mcp-callback';
const OTHER_API = 'https://api.example.com/leads';

/** What one response to the MCP endpoint or Gatehouse looked like, as the client saw it. */
interface Seen {
  method: string;
  url: string;
  status: number;
  wwwAuthenticate: string | null;
  /** The form body of a token request. */
  form?: URLSearchParams;
}

/**
 * The agent's OAuthClientProvider: keeps what the SDK hands it, and when the SDK sends the user to Gatehouse,
 * walks sign-in and consent as the user's browser would and keeps the code from the redirect back.
 */
class BrowserDrivenProvider implements OAuthClientProvider {
  private information: OAuthClientInformationMixed | undefined;
  private saved: OAuthTokens | undefined;
  private verifier = '';
  private expectedState = '';
  /** Every authorization URL the SDK built, and the code each one gave. */
  readonly authorizations: Array<{ url: URL; code: string }> = [];
  readonly consentPages: string[] = [];
  readonly browser: TestUserAgent;

  constructor(issuer: string, private readonly user: { username: string; password: string }, readonly clientMetadataUrl: string | undefined) {
    this.browser = new TestUserAgent(issuer);
  }

  get redirectUrl() {
    return CALLBACK;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'Leads Agent', redirect_uris: [CALLBACK], grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'], token_endpoint_auth_method: 'none', scope: 'read:leads write:leads',
    };
  }

  state() {
    this.expectedState = crypto.randomUUID();
    return this.expectedState;
  }

  clientInformation() {
    return this.information;
  }

  saveClientInformation(information: OAuthClientInformationMixed) {
    this.information = information;
  }

  tokens() {
    return this.saved;
  }

  saveTokens(tokens: OAuthTokens) {
    this.saved = tokens;
  }

  async redirectToAuthorization(url: URL) {
    // As TestUserAgent.authorize, keeping each consent page to check what the user was shown.
    let step = await this.browser.navigate(url.href);
    for (let pages = 0; pages < 4 && !step.location; pages++) {
      if (step.html.includes('name="password"')) step = await this.browser.signIn(step.html, this.user.username, this.user.password);
      else if (step.html.includes('name="decision"')) {
        this.consentPages.push(step.html);
        step = await this.browser.consent(step.html, 'allow');
      } else throw new Error(`unexpected page (HTTP ${step.response.status}): ${step.html.slice(0, 300)}`);
    }
    assert.ok(step.location, 'the flow went back to the agent');
    const back = new URL(step.location);
    assert.equal(back.origin + back.pathname, CALLBACK);
    assert.equal(back.searchParams.get('state'), this.expectedState);
    const code = back.searchParams.get('code');
    assert.ok(code, `a code in the redirect back: ${back.search}`);
    this.authorizations.push({ url, code });
  }

  saveCodeVerifier(verifier: string) {
    this.verifier = verifier;
  }

  codeVerifier() {
    return this.verifier;
  }

  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.saved = undefined;
    if (scope === 'all' || scope === 'client') this.information = undefined;
  }

  get lastCode(): string {
    return this.authorizations.at(-1)!.code;
  }
}

function parseChallenge(header: string | null): Map<string, string> {
  assert.ok(header?.startsWith('Bearer '), `a Bearer challenge: ${header}`);
  return new Map([...header!.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1]!, m[2]!]));
}

function textOf(result: unknown): string {
  const content = (result as { content: Array<{ type: string; text: string }> }).content;
  return content.map((part) => part.text).join('');
}

await describeOnBackends('MCP: the MCP SDK client against examples/leads-mcp, authorized by Gatehouse', (backend) => {
  let certificate: TestCertificate;
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  let server: TestServer;
  let mcp: FastifyInstance;
  let mcpUrl: string;
  const leads = new LeadStore();
  const clock = new TestClock();

  before(async () => {
    certificate = makeCertificate();
    // The agent's client ID metadata document, on an https URL whose certificate Gatehouse is told to trust.
    tls = await startTlsServer(certificate, (request, response) => {
      if (request.url !== '/agents/leads-agent.json') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=3600' });
      response.end(JSON.stringify({
        client_id: `${tls.origin}/agents/leads-agent.json`, client_name: 'Leads Agent', redirect_uris: [CALLBACK],
        grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none',
        scope: 'read:leads write:leads',
      }));
    });
    server = await startTestServer({
      backend, clock,
      env: { GATEHOUSE_FETCH_ALLOW_LOOPBACK: 'true', GATEHOUSE_FETCH_CA_FILE: certificate.certFile, GATEHOUSE_REGISTRATION: 'open' },
    });
    const port = await freePort();
    mcpUrl = `http://127.0.0.1:${port}/mcp`;
    // What the README tells the platform to do: register the MCP URL as a resource, with the scopes it accepts.
    await server.services.resources.create({ uri: mcpUrl, name: 'Leads MCP server', scopes: 'read:leads write:leads' });
    await server.services.resources.create({ uri: OTHER_API, name: 'Leads API', scopes: 'read:leads write:leads' });
    mcp = await buildLeadsMcp({ issuer: server.issuer, resource: mcpUrl, leads, now: () => clock.now() });
    await mcp.listen({ port, host: '127.0.0.1' });
  });
  after(async () => {
    await mcp?.close();
    await server?.close();
    await tls?.close();
    certificate?.remove();
  });

  /** The whole agent story for one way of identifying the client; only the provider's client information differs. */
  async function agentStory(username: string, clientMetadataUrl: string | undefined): Promise<BrowserDrivenProvider> {
    const user = { username, password: `${username}-password-123` };
    const account = await server.services.accounts.createUser(user);
    leads.add(account.id, { name: 'Ada Lovelace', company: 'Analytical Engines Ltd', email: 'ada@example.com' });

    const provider = new BrowserDrivenProvider(server.issuer, user, clientMetadataUrl);
    const seen: Seen[] = [];
    const recordingFetch = async (input: string | URL, init?: RequestInit) => {
      const response = await fetch(input, init);
      const form = init?.body instanceof URLSearchParams ? init.body : undefined;
      seen.push({ method: init?.method ?? 'GET', url: String(input), status: response.status, wwwAuthenticate: response.headers.get('www-authenticate'), ...(form ? { form } : {}) });
      return response;
    };
    const connect = async () => {
      const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: recordingFetch });
      const client = new Client({ name: 'leads-agent', version: '1.0.0' });
      await client.connect(transport);
      return { client, transport };
    };

    // 1. Unauthenticated: the MCP server answers 401 naming its metadata and the scope to connect; the SDK discovers
    //    Gatehouse from it and sends the user there (the provider walks sign-in and consent).
    const first = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider, fetch: recordingFetch });
    await assert.rejects(new Client({ name: 'leads-agent', version: '1.0.0' }).connect(first), UnauthorizedError);
    const challenge = seen.find((entry) => entry.url === mcpUrl && entry.status === 401);
    assert.ok(challenge, 'the first MCP request was answered 401');
    const params = parseChallenge(challenge.wwwAuthenticate);
    assert.equal(params.get('resource_metadata'), `${new URL(mcpUrl).origin}/.well-known/oauth-protected-resource/mcp`);
    assert.equal(params.get('scope'), 'read:leads');
    assert.ok(seen.some((entry) => entry.url === params.get('resource_metadata') && entry.status === 200), 'the SDK read the path-suffixed metadata');

    assert.equal(provider.authorizations.length, 1);
    const asked = provider.authorizations[0]!.url.searchParams;
    assert.equal(asked.get('client_id'), clientMetadataUrl ?? provider.clientInformation()!.client_id);
    assert.equal(asked.get('resource'), mcpUrl, 'RFC 8707: the MCP URL is the resource');
    assert.equal(asked.get('code_challenge_method'), 'S256');
    assert.ok(asked.get('code_challenge'));
    assert.equal(asked.get('scope'), 'read:leads', 'the scope of the 401 challenge, not every scope the server knows');
    assert.match(provider.consentPages[0]!, /Leads Agent wants to access your account/);
    assert.match(provider.consentPages[0]!, /Read your leads/);
    assert.match(provider.consentPages[0]!, /Leads MCP server/, 'the consent page names the MCP server (the registered resource)');

    // 2. The code is exchanged (with the PKCE verifier and the resource); the token is for the MCP server alone.
    await first.finishAuth(provider.lastCode);
    const exchange = seen.find((entry) => entry.form?.get('grant_type') === 'authorization_code');
    assert.equal(exchange?.status, 200);
    assert.ok(exchange.form!.get('code_verifier'));
    assert.equal(exchange.form!.get('resource'), mcpUrl);
    const firstToken = provider.tokens()!;
    assert.ok(firstToken.refresh_token, 'a refresh token with the code exchange');
    assert.deepEqual(decodeJwt(firstToken.access_token).aud, mcpUrl);
    assert.equal(decodeJwt(firstToken.access_token).scope, 'read:leads');

    // 3. Tool calls with that token.
    const { client, transport } = await connect();
    const tools = (await client.listTools()).tools.map((tool) => tool.name).sort();
    assert.deepEqual(tools, ['add_lead', 'list_leads']);
    assert.match(textOf(await client.callTool({ name: 'list_leads', arguments: {} })), /Ada Lovelace/);

    // 4. Two hours later the access token has expired: the MCP server answers 401 invalid_token, the SDK refreshes
    //    (a new access token, rotated refresh token, same audience) and the call goes through, with no new sign-in.
    clock.advanceSeconds(2 * 3600);
    const beforeRefresh = seen.length;
    assert.match(textOf(await client.callTool({ name: 'list_leads', arguments: {} })), /Ada Lovelace/);
    const afterRefresh = seen.slice(beforeRefresh);
    const expired = afterRefresh.find((entry) => entry.url === mcpUrl && entry.status === 401);
    assert.equal(parseChallenge(expired?.wwwAuthenticate ?? null).get('error'), 'invalid_token');
    const refresh = afterRefresh.find((entry) => entry.form?.get('grant_type') === 'refresh_token');
    assert.equal(refresh?.status, 200);
    assert.equal(refresh.form!.get('resource'), mcpUrl);
    const refreshed = provider.tokens()!;
    assert.notEqual(refreshed.access_token, firstToken.access_token);
    assert.notEqual(refreshed.refresh_token, firstToken.refresh_token, 'the refresh token rotated');
    assert.equal(decodeJwt(refreshed.access_token).aud, mcpUrl);
    assert.equal(provider.authorizations.length, 1, 'no new sign-in for a refresh');

    // 5. add_lead needs write:leads: the MCP server answers HTTP 403 insufficient_scope asking for read:leads and
    //    write:leads (cumulative, so the step-up keeps list_leads). The SDK (1.32) reacts by running its auth, which
    //    refreshes when it holds a refresh token; a refresh cannot widen the scope (RFC 6749 §6), so the retry is
    //    refused again and the SDK gives up with the 403.
    const beforeStepUp = seen.length;
    await assert.rejects(client.callTool({ name: 'add_lead', arguments: { name: 'Grace Hopper', company: 'COBOL Consulting', email: 'grace@example.com' } }), (error: StreamableHTTPError) => {
      assert.ok(error instanceof StreamableHTTPError, String(error));
      assert.equal(error.code, 403);
      return true;
    });
    const forbidden = seen.slice(beforeStepUp).find((entry) => entry.url === mcpUrl && entry.status === 403);
    const stepUp = parseChallenge(forbidden?.wwwAuthenticate ?? null);
    assert.equal(stepUp.get('error'), 'insufficient_scope');
    assert.equal(stepUp.get('scope'), 'read:leads write:leads');
    assert.equal(stepUp.get('resource_metadata'), params.get('resource_metadata'));
    assert.doesNotMatch(textOf(await client.callTool({ name: 'list_leads', arguments: {} })), /Grace Hopper/, 'nothing was added');

    //    The agent steps up: it authorizes again with the challenge's scope; the user consents to write:leads.
    provider.invalidateCredentials('tokens');
    assert.equal(await auth(provider, { serverUrl: mcpUrl, scope: stepUp.get('scope')!, resourceMetadataUrl: new URL(stepUp.get('resource_metadata')!) }), 'REDIRECT');
    assert.equal(provider.authorizations.length, 2);
    assert.equal(provider.authorizations[1]!.url.searchParams.get('scope'), 'read:leads write:leads');
    assert.equal(provider.consentPages.length, 2, 'the user is asked to consent to the wider scope');
    await transport.finishAuth(provider.lastCode);
    assert.equal(decodeJwt(provider.tokens()!.access_token).scope, 'read:leads write:leads');
    assert.match(textOf(await client.callTool({ name: 'add_lead', arguments: { name: 'Grace Hopper', company: 'COBOL Consulting', email: 'grace@example.com' } })), /Grace Hopper/);
    const listed = textOf(await client.callTool({ name: 'list_leads', arguments: {} }));
    assert.match(listed, /Ada Lovelace/);
    assert.match(listed, /Grace Hopper/);
    await client.close();
    return provider;
  }

  it('(a) a client ID metadata document over https: discovery from a 401, code + PKCE + resource, tools, refresh, step-up', async () => {
    const provider = await agentStory('alice', `${tls.origin}/agents/leads-agent.json`);
    assert.equal(provider.clientInformation()?.client_id, `${tls.origin}/agents/leads-agent.json`, 'no registration: the document URL is the client_id');
  });

  it('(b) dynamic registration: the same story with a client the SDK registers itself', async () => {
    const provider = await agentStory('bob', undefined);
    assert.ok(provider.clientInformation()?.client_id, 'the SDK registered a client');
  });

  it('a token for another resource, or for Gatehouse\'s default audience, is refused by the MCP server with 401', async () => {
    const made = await createClient(server, { clientId: 'reports-bot', name: 'Reports bot', scopes: 'read:leads', grantTypes: ['client_credentials'] });
    const tokenFor = async (resource?: string) => {
      const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read:leads', ...(resource ? { resource } : {}) }, { authorization: basic('reports-bot', made.clientSecret!) });
      assert.equal(response.status, 200);
      return ((await response.json()) as { access_token: string }).access_token;
    };
    for (const [what, token] of [['another resource', await tokenFor(OTHER_API)], ['the default audience', await tokenFor()]] as const) {
      assert.notEqual(decodeJwt(token).aud, mcpUrl);
      const response = await fetch(mcpUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'list_leads', arguments: {} } }),
      });
      assert.equal(response.status, 401, what);
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      assert.equal(challenge.get('error'), 'invalid_token', what);
      assert.equal(challenge.get('scope'), 'read:leads', what);
      assert.doesNotMatch(await response.text(), /Ada Lovelace/, what);
    }
    // The same refusal through the MCP SDK client, holding the foreign token without a way to authorize.
    const transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { requestInit: { headers: { authorization: `Bearer ${await tokenFor(OTHER_API)}` } } });
    await assert.rejects(new Client({ name: 'foreign', version: '1.0.0' }).connect(transport), (error: StreamableHTTPError) => {
      assert.ok(error instanceof StreamableHTTPError, String(error));
      assert.equal(error.code, 401);
      return true;
    });
  });

  it('bad input from a client holding a good token gets a 4xx or a tool error, never a 5xx, and adds nothing', async () => {
    const made = await createClient(server, { clientId: 'fuzz-bot', name: 'Fuzz bot', scopes: 'read:leads write:leads', grantTypes: ['client_credentials'] });
    const issued = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', scope: 'read:leads write:leads', resource: mcpUrl }, { authorization: basic('fuzz-bot', made.clientSecret!) });
    const token = ((await issued.json()) as { access_token: string }).access_token;
    const post = (body: string, headers: Record<string, string> = {}) => fetch(mcpUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
      body,
    });
    const addLead = (args: unknown) => JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name: 'add_lead', arguments: args } });
    for (const [what, response] of [
      ['not JSON', await post('{"jsonrpc":')],
      ['an empty object', await post('{}')],
      ['a string', await post('"tools/call"')],
      ['a text body', await post('hello', { 'content-type': 'text/plain' })],
      ['no Accept for JSON and event streams', await post(addLead({ name: 'x', company: 'y', email: 'z' }), { accept: 'text/html' })],
    ] as const) {
      assert.ok(response.status >= 400 && response.status < 500, `${what}: HTTP ${response.status}`);
    }
    // An empty batch holds no request: the MCP SDK's transport accepts it with 202 and nothing to do.
    assert.ok((await post('[]')).status < 500);
    for (const args of [{}, { name: '', company: 'y', email: 'z' }, { name: 'x'.repeat(201), company: 'y', email: 'z' }, { name: 1, company: [], email: null }, 'x']) {
      const response = await post(addLead(args));
      assert.ok(response.status < 500, `HTTP ${response.status} for ${JSON.stringify(args)}`);
      const text = await response.text();
      assert.ok(response.status >= 400 || /"isError":true|"error":/.test(text), `refused: ${text}`);
    }
    assert.deepEqual(leads.list('client:fuzz-bot'), [], 'nothing was added');
  });

  it('serves the protected resource metadata at the root and the path-suffixed location; GET /mcp is 405 behind the token check', async () => {
    const origin = new URL(mcpUrl).origin;
    for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
      const response = await fetch(`${origin}${path}`);
      assert.equal(response.status, 200, path);
      assert.deepEqual(await response.json(), {
        resource: mcpUrl, authorization_servers: [server.issuer], scopes_supported: ['read:leads', 'write:leads'],
        bearer_methods_supported: ['header'], resource_name: 'Leads MCP server',
      });
    }
    assert.equal((await fetch(mcpUrl)).status, 401);
  });
});
