// The public port does not let slow or numerous clients hold it: partial requests time out, connections are capped.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function open(url: string): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
function untilClosed(socket: Socket): Promise<string> {
  let received = '';
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1'); });
  socket.on('error', () => undefined);
  return new Promise((resolve) => socket.once('close', () => resolve(received)));
}

/** Sends a whole keep-alive request and resolves with the status line of the answer. */
function request(socket: Socket, path = '/.well-known/openid-configuration'): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end >= 0) {
        socket.off('data', onData);
        resolve(received.slice(0, end));
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed before an answer (got ${JSON.stringify(received)})`)));
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  });
}

describe('public port connection limits', () => {
  let slow: TestServer;
  let capped: TestServer;

  before(async () => {
    slow = await startTestServer({ env: { GATEHOUSE_HTTP_HEADERS_TIMEOUT: '300ms', GATEHOUSE_HTTP_REQUEST_TIMEOUT: '600ms', GATEHOUSE_HTTP_KEEP_ALIVE_TIMEOUT: '300ms' } });
    capped = await startTestServer({ env: { GATEHOUSE_HTTP_MAX_CONNECTIONS: '2' } });
  });
  after(async () => {
    await slow.close();
    await capped.close();
  });

  test('a client that sends part of its headers and stalls is disconnected after GATEHOUSE_HTTP_HEADERS_TIMEOUT', { timeout: 4000 }, async () => {
    const socket = await open(slow.server.publicUrl);
    const closed = untilClosed(socket);
    socket.write('POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applica');
    const answer = await closed;
    assert.ok(answer === '' || answer.startsWith('HTTP/1.1 408'), `no answer but a timeout, got ${JSON.stringify(answer.slice(0, 40))}`);
  });

  test('a client that connects and sends nothing is disconnected after GATEHOUSE_HTTP_HEADERS_TIMEOUT', { timeout: 4000 }, async () => {
    const socket = await open(slow.server.publicUrl);
    const answer = await untilClosed(socket);
    assert.ok(answer === '' || answer.startsWith('HTTP/1.1 408'), `no answer but a timeout, got ${JSON.stringify(answer.slice(0, 40))}`);
  });

  test('an idle keep-alive connection is closed after GATEHOUSE_HTTP_KEEP_ALIVE_TIMEOUT', { timeout: 4000 }, async () => {
    const socket = await open(slow.server.publicUrl);
    const closed = untilClosed(socket);
    assert.match(await request(socket), /^HTTP\/1\.1 200/);
    await closed;
  });

  test('a client that sends its headers but stalls in the body is disconnected after GATEHOUSE_HTTP_REQUEST_TIMEOUT', { timeout: 4000 }, async () => {
    const socket = await open(slow.server.publicUrl);
    const closed = untilClosed(socket);
    socket.write('POST /oauth2/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\ngrant_type=');
    const answer = await closed;
    assert.ok(!answer.startsWith('HTTP/1.1 200'), `no token for a partial body, got ${JSON.stringify(answer.slice(0, 40))}`);
  });

  test('with GATEHOUSE_HTTP_MAX_CONNECTIONS=2 the third connection is refused while two are open', { timeout: 4000 }, async () => {
    const first = await open(capped.server.publicUrl);
    const second = await open(capped.server.publicUrl);
    // Answers prove the server has accepted both connections before the third arrives.
    assert.match(await request(first), /^HTTP\/1\.1 200/);
    assert.match(await request(second), /^HTTP\/1\.1 200/);
    const third = await open(capped.server.publicUrl).catch(() => undefined);
    if (third) {
      const closed = untilClosed(third);
      third.write('GET /.well-known/openid-configuration HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
      assert.equal(await closed, '', 'the third connection is closed without an answer');
    }
    // The two accepted connections still serve.
    assert.match(await request(first), /^HTTP\/1\.1 200/);
    first.destroy();
    second.destroy();
  });

  test('bad HTTP limit settings stop start-up with a message naming the setting', () => {
    const base = { GATEHOUSE_SECRET: 'x'.repeat(32), GATEHOUSE_DATABASE_URL: 'sqlite::memory:' };
    assert.throws(() => loadConfig({ ...base, GATEHOUSE_HTTP_HEADERS_TIMEOUT: 'soon' }), /GATEHOUSE_HTTP_HEADERS_TIMEOUT/);
    assert.throws(() => loadConfig({ ...base, GATEHOUSE_HTTP_MAX_CONNECTIONS: '0' }), /GATEHOUSE_HTTP_MAX_CONNECTIONS/);
    assert.throws(() => loadConfig({ ...base, GATEHOUSE_HTTP_HEADERS_TIMEOUT: '1m', GATEHOUSE_HTTP_REQUEST_TIMEOUT: '30s' }), /GATEHOUSE_HTTP_HEADERS_TIMEOUT/);
    assert.deepEqual(loadConfig({ ...base, GATEHOUSE_HTTP_KEEP_ALIVE_TIMEOUT: '5s' }).http, {
      headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 10_000,
    });
  });
});
