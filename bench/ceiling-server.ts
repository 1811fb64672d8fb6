// The ceiling: what this machine allows a client_credentials answer that costs only its signature. A bare
// node:http server that reads the request body, signs one fresh ES256 JWT (on libuv's thread pool, as Gatehouse
// does) and answers it as JSON — no client authentication, no checks, no storage. Nothing real should run like
// this; it is here so that `npm run bench:ceiling` can show how close Gatehouse gets to the limit.
// Prints one JSON line (ServerInfo) when ready.
import { createServer } from 'node:http';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import type { ServerInfo } from './harness/fixtures.js';

const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const header = Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'ceiling' })).toString('base64url');

const server = createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { iss: 'http://127.0.0.1', sub: 'bench', aud: 'https://api.bench.example', exp: now + 3600, iat: now, jti: randomBytes(16).toString('base64url'), scope: 'read:leads' };
    const input = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }, (error, signature) => {
      if (error) {
        response.writeHead(500).end();
        return;
      }
      const body = JSON.stringify({ access_token: `${input}.${signature.toString('base64url')}`, token_type: 'Bearer', expires_in: 3600, scope: 'read:leads' });
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
      response.end(body);
    });
  });
});
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.CEILING_PORT ?? '0'), '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;
  const none = { id: 'none', secret: 'none' };
  const info: ServerInfo = {
    ready: true, url, issuer: url, tokenPath: '/oauth2/token', introspectionPath: '/none', authorizePath: '/none',
    clients: { ccJwt: none, ccOpaque: none, web: none, introspector: none },
  };
  process.stdout.write(`${JSON.stringify(info)}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
