// The fetch-API adapter, served through a tiny node:http ⇄ Request/Response bridge (what Hono's node server does).
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { createFetchAuth, type Principal } from '../../src/resource/index.js';
import { adapterContract } from './helpers/adapter-contract.js';
import { TestIssuer } from './helpers/issuer.js';
import { verifierFor } from './helpers/verifier.js';
import { toRequest } from './helpers/fetch-bridge.js';

const summary = (principal: Principal) => ({
  subject: principal.subject,
  clientId: principal.clientId,
  scopes: principal.scopes,
  tokenType: principal.tokenType,
});

adapterContract('fetch', async (verifier) => {
  const auth = createFetchAuth(verifier);
  const listLeads = auth.withAuth(async (_request, principal) => Response.json(summary(principal)), { scopes: 'read:leads' });
  const handler = async (request: Request): Promise<Response> => {
    const metadata = auth.metadataResponse(request);
    if (metadata) return metadata;
    if (new URL(request.url).pathname !== '/api/leads') return new Response('not found', { status: 404 });
    if (request.method === 'GET') return listLeads(request);
    // the lower-level form: Principal or the Response to send
    const result = await auth.authenticate(request, ['write:leads']);
    return result instanceof Response ? result : Response.json(summary(result));
  };

  const server = createServer((req, res) => {
    toRequest(req)
      .then(handler)
      .then(async (response) => {
        response.headers.forEach((value, name) => res.setHeader(name, value));
        res.writeHead(response.status);
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((error: unknown) => res.writeHead(500).end(String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});

describe('fetch adapter with Request objects', () => {
  it('withAuth passes extra handler arguments through (Hono-style context)', async () => {
    const issuer = await TestIssuer.start();
    try {
      const auth = createFetchAuth(verifierFor(issuer).verifier);
      const handler = auth.withAuth(async (_request, principal, context: { tenant: string }) => Response.json({ tenant: context.tenant, sub: principal.subject }));
      const ok = await handler(new Request('http://api.test/leads', { headers: { authorization: `Bearer ${await issuer.sign()}` } }), { tenant: 't1' });
      assert.deepEqual(await ok.json(), { tenant: 't1', sub: 'user-1' });
      const denied = await handler(new Request('http://api.test/leads'), { tenant: 't1' });
      assert.equal(denied.status, 401);
      assert.equal(auth.metadataResponse(new Request('http://api.test/api/leads')), null);
      assert.equal(auth.metadataResponse(new Request('http://api.test/.well-known/oauth-protected-resource', { method: 'POST' })), null);
    } finally {
      await issuer.close();
    }
  });
});
