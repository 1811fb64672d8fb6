import type { AddressInfo } from 'node:net';
import express from 'express';
import { createExpressAuth, type ExpressLikeRequest } from '../../src/resource/index.js';
import { adapterContract } from './helpers/adapter-contract.js';

adapterContract('Express', async (verifier) => {
  const app = express();
  const auth = createExpressAuth(verifier);
  app.use(auth.metadata);
  const answer = (req: express.Request & ExpressLikeRequest, res: express.Response) => {
    const principal = req.principal!;
    res.json({ subject: principal.subject, clientId: principal.clientId, scopes: principal.scopes, tokenType: principal.tokenType });
  };
  app.get('/api/leads', auth.requireScopes('read:leads'), answer);
  app.post('/api/leads', auth.requireScopes('write:leads'), answer);
  const server = await new Promise<import('node:http').Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
});
