// The outbound fetcher's SSRF rules (src/util/outbound-fetch.ts) against a real local https server: what it refuses
// before connecting (scheme, addresses after DNS), what it refuses in the answer (redirects, size, type, time), and
// that loopback is allowed only when the development setting says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fetchJson, refusedAddress, type OutboundPolicy } from '../../src/util/outbound-fetch.js';
import { makeCertificate, startTlsServer, type TestCertificate } from '../helpers/tls.js';

describe('outbound fetch (SSRF-safe)', () => {
  let certificate: TestCertificate;
  let tls: Awaited<ReturnType<typeof startTlsServer>>;
  let policy: OutboundPolicy;

  before(async () => {
    certificate = makeCertificate();
    tls = await startTlsServer(certificate, (request, response) => {
      switch (request.url) {
        case '/jwks.json':
          response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' });
          return response.end(JSON.stringify({ keys: [] }));
        case '/redirect':
          response.writeHead(302, { location: 'https://169.254.169.254/latest/meta-data/' });
          return response.end();
        case '/big':
          response.writeHead(200, { 'content-type': 'application/json' });
          return response.end(JSON.stringify({ padding: 'x'.repeat(70_000) }));
        case '/html':
          response.writeHead(200, { 'content-type': 'text/html' });
          return response.end('<html></html>');
        case '/slow':
          return; // never answers
        default:
          response.writeHead(404);
          return response.end();
      }
    });
    policy = { allowLoopback: true, ca: certificate.cert, timeoutMs: 500, maxBytes: 64 * 1024 };
  });
  after(async () => {
    await tls.close();
    certificate.remove();
  });

  test('addresses that are not on the public internet are refused; public ones are not', () => {
    for (const address of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.1', 'fe80::1', 'fd00::1', '::', '::ffff:10.0.0.1', '::ffff:127.0.0.1']) {
      assert.ok(refusedAddress(address, false), address);
    }
    assert.match(refusedAddress('127.0.0.1', false)!, /loopback/);
    assert.equal(refusedAddress('127.0.0.1', true), undefined, 'loopback only with the development setting');
    assert.equal(refusedAddress('::1', true), undefined);
    assert.equal(refusedAddress('10.0.0.1', true) !== undefined, true, 'private stays refused even then');
    for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '1.1.1.1']) assert.equal(refusedAddress(address, false), undefined, address);
  });

  test('a JSON document over https is fetched with its cache lifetime', async () => {
    const fetched = await fetchJson(`${tls.origin}/jwks.json`, policy);
    assert.deepEqual(fetched.body, { keys: [] });
    assert.equal(fetched.maxAgeSeconds, 300);
  });

  test('refused before connecting: http, credentials in the URL, loopback without the setting, a private literal', async () => {
    const cases: Array<[string, OutboundPolicy, RegExp]> = [
      ['http://localhost/jwks.json', policy, /only https/],
      [`https://user:pw@localhost:1/jwks.json`, policy, /credentials/],
      [`${tls.origin}/jwks.json`, { ...policy, allowLoopback: false }, /resolves to (127\.0\.0\.1|::1) is a loopback address/],
      ['https://10.0.0.7/jwks.json', policy, /not a public address/],
      ['https://[fe80::1]/jwks.json', policy, /not a public address/],
      ['https://no-such-host.invalid/jwks.json', policy, /does not resolve/],
    ];
    for (const [url, used, message] of cases) await assert.rejects(fetchJson(url, used), message, url);
  });

  test('refused in the answer: a redirect (never followed), too large, not JSON, too slow, an untrusted certificate', async () => {
    await assert.rejects(fetchJson(`${tls.origin}/redirect`, policy), /redirects are not followed/);
    await assert.rejects(fetchJson(`${tls.origin}/big`, policy), /larger than 65536 bytes|at most 65536/);
    await assert.rejects(fetchJson(`${tls.origin}/html`, policy), /not JSON/);
    await assert.rejects(fetchJson(`${tls.origin}/slow`, policy), /within 500 ms/);
    await assert.rejects(fetchJson(`${tls.origin}/jwks.json`, { ...policy, ca: undefined }), /request failed/);
  });
});
