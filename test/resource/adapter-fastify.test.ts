import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createFastifyAuth } from '../../src/resource/index.js';
import { adapterContract } from './helpers/adapter-contract.js';

adapterContract('Fastify', async (verifier) => {
  const app = Fastify();
  const auth = createFastifyAuth(verifier);
  await app.register(auth.plugin);
  const answer = async (request: import('fastify').FastifyRequest) => {
    const principal = request.principal!;
    return { subject: principal.subject, clientId: principal.clientId, scopes: principal.scopes, tokenType: principal.tokenType };
  };
  app.get('/api/leads', { preHandler: auth.requireScopes('read:leads') }, answer);
  app.post('/api/leads', { preHandler: auth.requireScopes('write:leads') }, answer);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { baseUrl: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
});
