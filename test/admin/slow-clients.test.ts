// Slow clients cannot hold the admin port: a request whose headers or body stall is answered 408 and closed, and
// connections beyond the cap are closed at once. The limits are shortened here through buildAdminApp's options
// (the server uses the GATEHOUSE_HTTP_* settings), so the tests wait for the server's own timers, never sleep.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { startTestServer } from '../helpers/server.js';
import { adminFixture, type AdminFixture } from './helpers.js';

// A test that fails hangs until this, instead of Node's five-minute request timeout.
const GIVE_UP = { timeout: 10_000 };

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => {});
    socket.on('close', () => resolve(received));
  });
}

const portOf = (admin: AdminFixture): number => {
  const address = admin.app.server.address();
  assert.ok(address !== null && typeof address === 'object');
  return address.port;
};

const connections = (admin: AdminFixture): Promise<number> =>
  new Promise((resolve, reject) => admin.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));

describe('admin port: slow clients', () => {
  let admin: AdminFixture;
  let base: string;
  before(async () => {
    admin = await adminFixture({}, { limits: { requestTimeoutMs: 400, headersTimeoutMs: 300 } });
    base = await admin.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => admin.close());

  test('a client that sends the headers and stalls mid-body is answered 408 and disconnected; nothing is created', GIVE_UP, async () => {
    const socket = await open(portOf(admin));
    const closed = untilClosed(socket);
    socket.write('POST /admin/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"username":"slow",');
    const answer = await closed;
    assert.match(answer, /^HTTP\/1\.1 408 /);
    assert.equal(await admin.services.store.getUserByUsername('slow'), undefined);
    const next = await fetch(`${base}/admin/users`);
    assert.equal(next.status, 200, 'the server still serves');
  });

  test('a client that stalls inside its headers is answered 408 and disconnected', GIVE_UP, async () => {
    const socket = await open(portOf(admin));
    const closed = untilClosed(socket);
    socket.write('GET /admin/clients HTTP/1.1\r\nHost: localhost\r\nX-Slow: ');
    assert.match(await closed, /^HTTP\/1\.1 408 /);
  });
});

describe('admin port: connection cap', () => {
  let admin: AdminFixture;
  let base: string;
  before(async () => {
    admin = await adminFixture({}, { limits: { maxConnections: 2 } });
    base = await admin.app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(() => admin.close());

  test('a connection beyond the cap is closed at once without an answer; one frees up when another ends', GIVE_UP, async () => {
    const held = [await open(portOf(admin)), await open(portOf(admin))];
    const extra = await open(portOf(admin));
    try {
      assert.equal(await untilClosed(extra), '');
      const closing = held.map(untilClosed);
      held[0]!.destroy();
      await closing[0];
      // The server counts the connection gone once its own side has seen the close.
      while ((await connections(admin)) >= 2) await new Promise((resolve) => setImmediate(resolve));
      const response = await fetch(`${base}/admin/clients`, { headers: { connection: 'close' } });
      assert.equal(response.status, 200);
    } finally {
      for (const socket of [...held, extra]) socket.destroy();
    }
  });
});

test('a started server applies the configured GATEHOUSE_HTTP_* limits to its admin port', async () => {
  const server = await startTestServer({ env: { GATEHOUSE_HTTP_HEADERS_TIMEOUT: '7s', GATEHOUSE_HTTP_REQUEST_TIMEOUT: '20s', GATEHOUSE_HTTP_KEEP_ALIVE_TIMEOUT: '4s', GATEHOUSE_HTTP_MAX_CONNECTIONS: '99' } });
  try {
    const admin = server.server.adminApp.server;
    assert.equal(admin.requestTimeout, 20_000);
    assert.equal(admin.headersTimeout, 7_000);
    assert.equal(admin.keepAliveTimeout, 4_000);
    assert.equal(admin.maxConnections, 99);
  } finally {
    await server.close();
  }
});
