// A hostile web page in a real browser cannot drive or read the admin API, with no admin token set (the default):
// neither cross-site (a no-cors POST with a text/plain body, or none, needs no CORS preflight), nor after DNS
// rebinding (the page's own name re-pointed at the admin port, which makes it same-origin with it).
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { browserSkipReason, launchBrowser } from '../helpers/browser.js';
import { createClient } from '../helpers/fixtures.js';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';

const skip = browserSkipReason();

describe('the admin API and hostile web pages', { skip }, () => {
  let server: TestServer;
  let browser: Browser;
  let evil: Server;
  let evilUrl: string;
  let adminPort: string;

  before(async () => {
    server = await startTestServer();
    await createClient(server, { clientId: 'zapier-client', redirectUris: ['https://zapier.com/oauth/callback'] });
    adminPort = new URL(server.adminUrl).port;
    // A site of its own: "localhost" is another site than the admin API's 127.0.0.1.
    const port = await freePort();
    evilUrl = `http://localhost:${port}/`;
    evil = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/html' }).end('<title>evil</title>'));
    await new Promise<void>((resolve) => evil.listen(port, '127.0.0.1', resolve));
    // Chromium's Local Network Access checks would stop a public page reaching loopback on their own; other
    // browsers have none, so they are off here to test the server's defence alone.
    browser = await launchBrowser(['--host-resolver-rules=MAP evil.example 127.0.0.1', '--disable-features=LocalNetworkAccessChecks,BlockInsecurePrivateNetworkRequests,PrivateNetworkAccessSendPreflights,PrivateNetworkAccessRespectPreflightResults']);
  });
  after(async () => {
    await browser?.close();
    evil?.close();
    await server?.close();
  });

  const secretHash = async () => (await server.services.store.getClient('zapier-client'))?.secretHash;
  const keyIds = async () => (await server.services.store.listSigningKeys(server.services.now())).map((key) => key.kid).sort();

  test('a cross-site page\'s no-cors POSTs (text/plain body, no body) rotate no secret and no key', async () => {
    const [secret, keys] = [await secretHash(), await keyIds()];
    const page = await browser.newPage();
    try {
      await page.goto(evilUrl);
      const sent = await page.evaluate(async (admin) => {
        const results = await Promise.allSettled([
          fetch(`${admin}/admin/clients/zapier-client/rotate-secret`, { method: 'POST', mode: 'no-cors', body: '{}' }),
          fetch(`${admin}/admin/keys/rotate`, { method: 'POST', mode: 'no-cors' }),
        ]);
        return results.map((result) => result.status);
      }, server.adminUrl);
      // The browser sent both (opaque answers): the server must have refused them.
      assert.deepEqual(sent, ['fulfilled', 'fulfilled']);
    } finally {
      await page.close();
    }
    assert.equal(await secretHash(), secret);
    assert.deepEqual(await keyIds(), keys);
  });

  test('a page whose name is rebound to the admin port can neither read the clients nor rotate a secret', async () => {
    const secret = await secretHash();
    const page = await browser.newPage();
    try {
      // The page comes from the attacker's server; afterwards its name resolves to 127.0.0.1 (the browser is told
      // so from the start), so its own-origin requests reach the admin port.
      const origin = `http://evil.example:${adminPort}`;
      await page.route(`${origin}/`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<title>rebound</title>' }));
      await page.goto(`${origin}/`);
      const answers = await page.evaluate(async () => {
        const read = await fetch('/admin/clients');
        const rotate = await fetch('/admin/clients/zapier-client/rotate-secret', { method: 'POST', headers: { 'content-type': 'application/json' } });
        return { read: read.status, readBody: await read.text(), rotate: rotate.status };
      });
      assert.equal(answers.read, 421, answers.readBody);
      assert.doesNotMatch(answers.readBody, /zapier-client"/);
      assert.ok([403, 421].includes(answers.rotate), String(answers.rotate));
    } finally {
      await page.close();
    }
    assert.equal(await secretHash(), secret);
  });
});
