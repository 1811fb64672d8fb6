// Per-tool scopes for MCP servers: mcpToolScopes reads which tools a JSON-RPC body calls, the Fastify and Express
// adapters' requireScopesFrom check them once the body is parsed, and `stepUpScopes: 'cumulative'` makes the 403 ask for
// the scopes the token already holds too, so a client that re-authorizes with the challenge's scope loses nothing.
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import express from 'express';
import { createExpressAuth, createFastifyAuth, createTokenVerifier, mcpToolScopes } from '../../src/resource/index.js';
import { TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';

const call = (name: string, id = 1) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: {} } });

describe('mcpToolScopes', () => {
  const scopesOf = mcpToolScopes({ add_lead: 'write:leads', export_leads: ['read:leads', 'export:leads'] });

  it('names the scopes of the tool a tools/call invokes', () => {
    assert.deepEqual(scopesOf(call('add_lead')), ['write:leads']);
    assert.deepEqual(scopesOf(call('export_leads')), ['read:leads', 'export:leads']);
  });

  it('takes the union over a batch', () => {
    assert.deepEqual(scopesOf([call('add_lead', 1), call('export_leads', 2)]).sort(), ['export:leads', 'read:leads', 'write:leads']);
  });

  it('needs nothing for other methods, unknown or inherited tool names, and bodies that are not JSON-RPC', () => {
    for (const body of [
      { jsonrpc: '2.0', id: 1, method: 'tools/list' },
      call('list_leads'),
      call('constructor'),
      call('__proto__'),
      { method: 'tools/call', params: { name: 42 } },
      { method: 'tools/call', params: null },
      null, undefined, 'add_lead', [null, 3],
    ]) {
      assert.deepEqual(scopesOf(body), [], JSON.stringify(body));
    }
  });
});

describe('Fastify requireScopesFrom and stepUpScopes', () => {
  let issuer: TestIssuer;
  let baseUrl: string;
  let close: () => Promise<void>;
  let reader: string;

  before(async () => {
    issuer = await TestIssuer.start();
    reader = await issuer.sign({ claims: { scope: 'openid read:leads' } });
    const { verifier } = verifierFor(issuer, { stepUpScopes: 'cumulative' });
    const app = Fastify();
    const auth = createFastifyAuth(verifier);
    await app.register(auth.plugin);
    const scopesOf = mcpToolScopes({ add_lead: 'write:leads' });
    app.post('/mcp', {
      onRequest: auth.requireScopes('read:leads'),
      preHandler: auth.requireScopesFrom((request) => scopesOf(request.body)),
    }, async (request) => ({ scopes: request.principal!.scopes }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    close = () => app.close();
  });
  after(async () => {
    await close();
    await issuer.close();
  });

  const post = (body: unknown, token?: string) => fetch(`${baseUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });

  it('no token: 401 naming the endpoint\'s own scope, whatever the body calls', async () => {
    const response = await post(call('add_lead'));
    assert.equal(response.status, 401);
    assert.match(response.headers.get('www-authenticate') ?? '', /, scope="read:leads", resource_metadata=/);
  });

  it('a tool the token may call passes', async () => {
    const response = await post(call('list_leads'), reader);
    assert.equal(response.status, 200);
  });

  it('a tool that needs more: 403 insufficient_scope asking for the granted scopes the API knows plus the missing one', async () => {
    const response = await post(call('add_lead'), reader);
    assert.equal(response.status, 403);
    const challenge = response.headers.get('www-authenticate') ?? '';
    assert.match(challenge, /error="insufficient_scope"/);
    assert.match(challenge, /scope="read:leads write:leads"/, 'openid is not one of scopesSupported, so it is not asked for');
    assert.equal((await response.json() as { scope: string }).scope, 'read:leads write:leads');
  });

  it('by default (required) the 403 names only what the operation needs', async () => {
    const { verifier } = verifierFor(issuer);
    const error = await verifier.verify(reader, { requiredScopes: ['write:leads'] }).then(() => assert.fail('accepted'), (e: unknown) => e);
    assert.match(verifier.challenge(error as never).headers['www-authenticate']!, /scope="write:leads"/);
  });

  it('a stepUpScopes that is neither value is refused at start-up', () => {
    assert.throws(() => createTokenVerifier({ issuer: issuer.url, audience: 'http://api.test/mcp', stepUpScopes: 'all' as never }), /stepUpScopes must be 'required' or 'cumulative'/);
  });
});

describe('Express requireScopesFrom', () => {
  let issuer: TestIssuer;
  let baseUrl: string;
  let server: import('node:http').Server;

  before(async () => {
    issuer = await TestIssuer.start();
    const auth = createExpressAuth(verifierFor(issuer).verifier);
    const scopesOf = mcpToolScopes({ add_lead: 'write:leads' });
    const app = express();
    app.post('/mcp', express.json(), auth.requireScopesFrom((request) => scopesOf(request.body)), (_req, res) => {
      res.json({ ok: true });
    });
    server = await new Promise((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await issuer.close();
  });

  it('checks the scopes of the tool the body calls: 403 naming write:leads without it, 200 with it', async () => {
    const post = async (scope: string, body: unknown) => fetch(`${baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await issuer.sign({ claims: { scope } })}` },
      body: JSON.stringify(body),
    });
    assert.equal((await post('read:leads', call('list_leads'))).status, 200);
    const refused = await post('read:leads', call('add_lead'));
    assert.equal(refused.status, 403);
    assert.match(refused.headers.get('www-authenticate') ?? '', /error="insufficient_scope".*scope="write:leads"/);
    assert.equal((await post('read:leads write:leads', call('add_lead'))).status, 200);
  });
});
