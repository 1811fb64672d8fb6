import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import Fastify from 'fastify';
import { createFastifyAuth, type TokenVerifier } from '../../src/resource/index.js';
import { adapterContract } from './helpers/adapter-contract.js';
import { TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';

adapterContract('Fastify', async (verifier) => {
  const app = Fastify();
  const auth = createFastifyAuth(verifier);
  await app.register(auth.plugin);
  const answer = async (request: import('fastify').FastifyRequest) => {
    const principal = request.principal!;
    return { subject: principal.subject, clientId: principal.clientId, scopes: principal.scopes, tokenType: principal.tokenType };
  };
  app.get('/api/leads', { onRequest: auth.requireScopes('read:leads') }, answer);
  app.post('/api/leads', { onRequest: auth.requireScopes('write:leads') }, answer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
});

describe('Fastify adapter: the token is checked before the body is validated', () => {
  let issuer: TestIssuer;
  let verifier: TokenVerifier;
  let writer: string;
  before(async () => {
    issuer = await TestIssuer.start();
    verifier = verifierFor(issuer).verifier;
    writer = await issuer.sign({ claims: { scope: 'write:leads' } });
  });
  after(() => issuer.close());

  const schema = { body: { type: 'object', required: ['name'], additionalProperties: false, properties: { name: { type: 'string' } } } } as const;

  // A route with a validated body, its requireScopes hook given in each form an app may use.
  for (const form of ['onRequest', 'preHandler'] as const) {
    it(`with requireScopes as ${form}: no token and a bad body is 401 (not 400), a valid token and a bad body is 400`, async () => {
      const app = Fastify();
      const auth = createFastifyAuth(verifier);
      await app.register(auth.plugin);
      let handled = 0;
      app.post('/api/leads', { [form]: auth.requireScopes('write:leads'), schema }, async () => { handled++; return { ok: true }; });
      await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/leads`;
        const post = (body: string, headers: Record<string, string> = {}) =>
          fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
        for (const body of ['{"nope": 1}', '{not json', '[]']) {
          const anonymous = await post(body);
          assert.equal(anonymous.status, 401, `anonymous ${body}`);
          assert.match(anonymous.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
          assert.doesNotMatch(await anonymous.text(), /body|name|JSON/i, 'nothing about what the route accepts');
        }
        const forged = await post('{"nope": 1}', { authorization: 'Bearer not-a-token' });
        assert.equal(forged.status, 401);
        const bad = await post('{"nope": 1}', { authorization: `Bearer ${writer}` });
        assert.equal(bad.status, 400);
        const good = await post('{"name": "Ada"}', { authorization: `Bearer ${writer}` });
        assert.equal(good.status, 200);
        assert.equal(handled, 1);
      } finally {
        await app.close();
      }
    });
  }

  it('a requireScopes hook among other preHandlers moves to onRequest alone; the others still run, after validation', async () => {
    const app = Fastify();
    const auth = createFastifyAuth(verifier);
    await app.register(auth.plugin);
    const seen: string[] = [];
    const other = async (request: import('fastify').FastifyRequest) => { seen.push(request.principal ? 'other with principal' : 'other without'); };
    app.post('/api/leads', { preHandler: [auth.requireScopes('write:leads'), other], schema }, async () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/api/leads`;
      const post = (body: string, headers: Record<string, string> = {}) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
      assert.equal((await post('{"nope": 1}')).status, 401);
      assert.equal((await post('{"nope": 1}', { authorization: `Bearer ${writer}` })).status, 400);
      assert.deepEqual(seen, [], 'the other preHandler runs only for valid bodies');
      assert.equal((await post('{"name": "Ada"}', { authorization: `Bearer ${writer}` })).status, 200);
      assert.deepEqual(seen, ['other with principal']);
    } finally {
      await app.close();
    }
  });
});
