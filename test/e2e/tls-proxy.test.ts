// Behind a real TLS-terminating reverse proxy: Debian's nginx, with a certificate made here, in front of Gatehouse started
// with an https GATEHOUSE_ISSUER and GATEHOUSE_TRUST_PROXY naming the proxy. The code flow runs through it with
// openid-client; the proxy's view of the client address is what rate limits count.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as client from 'openid-client';
import { decodeJwt } from 'jose';
import { freePort, startTestServer, type TestServer } from '../helpers/server.js';
import { makeCertificate, trustingFetch, type TestCertificate, type TrustingFetch } from '../helpers/tls.js';
import { DOCUMENTED_SERVER_BLOCK, NGINX, gatehouseServerBlock, startNginx, type RunningNginx } from '../helpers/nginx.js';
import { TestUserAgent } from '../helpers/user-agent.js';
import { CALLBACK, USER, createClient, createUser } from '../helpers/fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const skip = existsSync(NGINX) ? false : `${NGINX} is missing (apt-get install nginx); .ci/run installs it, so CI never skips this`;

describe('behind nginx terminating TLS', { skip }, () => {
  let certificate: TestCertificate;
  let server: TestServer;
  let nginx: RunningNginx;
  let issuer: string;
  /** A client of the proxy connecting from its own loopback address. */
  let from: (address: string) => TrustingFetch;

  before(async () => {
    certificate = makeCertificate();
    let port = 0;
    for (;;) {
      port = await freePort();
      issuer = `https://127.0.0.1:${port}`;
      // nginx reaches Gatehouse from 127.0.0.1: that address, and only it, may speak for the client.
      server = await startTestServer({ env: { GATEHOUSE_ISSUER: issuer, GATEHOUSE_TRUST_PROXY: '127.0.0.1' } });
      // The OS may hand Gatehouse the port just chosen for nginx: then choose again.
      const taken = [server.server.publicUrl, server.adminUrl].map((url) => Number(new URL(url).port));
      if (!taken.includes(port)) break;
      await server.close();
    }
    const certDir = dirname(certificate.certFile);
    nginx = await startNginx(gatehouseServerBlock({
      listen: `127.0.0.1:${port}`,
      serverName: '127.0.0.1',
      certificate: certificate.certFile,
      key: join(certDir, 'key.pem'),
      upstream: server.server.publicUrl,
    }), port);
    from = (address) => trustingFetch(certificate.cert, address);
  });
  after(async () => {
    await nginx?.stop();
    await server?.close();
    certificate?.remove();
  });

  test('the code flow through the proxy with openid-client: https issuer, Secure cookies, iss in the redirect, tokens', async () => {
    await createUser(server, USER);
    const made = await createClient(server, { clientId: 'zapier-client', scopes: 'openid profile read:leads' });
    const fetcher = from('127.0.0.1');
    const config = await client.discovery(new URL(issuer), 'zapier-client', undefined, client.ClientSecretBasic(made.clientSecret!), { [client.customFetch]: fetcher });
    assert.equal(config.serverMetadata().issuer, issuer);
    assert.equal(config.serverMetadata().token_endpoint, `${issuer}/oauth2/token`, 'endpoints are the https ones the proxy serves');

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: CALLBACK, scope: 'openid profile read:leads', state,
      code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
    });
    const signInPage = await fetcher(`${issuer}/login`);
    assert.equal(signInPage.status, 200);
    const cookies = signInPage.headers.getSetCookie();
    assert.ok(cookies.length > 0, 'the sign-in page sets cookies');
    for (const cookie of cookies) assert.match(cookie, /;\s*Secure/i, `a cookie set through the proxy is Secure: ${cookie.split('=')[0]}`);

    const agent = new TestUserAgent(issuer, fetcher);
    const callback = await agent.authorize(url.href, USER);
    assert.equal(callback.searchParams.get('iss'), issuer, 'the redirect carries the https issuer');
    const tokens = await client.authorizationCodeGrant(config, callback, { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true });
    assert.equal(decodeJwt(tokens.access_token).iss, issuer);
    assert.equal(tokens.claims()!.iss, issuer);
    const info = await client.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub);
    assert.equal(info.preferred_username, USER.username);
  });

  test('rate limits count the client nginx saw, and a client-written X-Forwarded-For changes nothing', async () => {
    const signIn = (address: string, forged: string) => from(address)(`${issuer}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': forged },
      body: 'username=a&password=b&csrf=x',
    });
    let status = 0;
    // Each attempt claims another address: were the header trusted, no bucket would ever fill.
    for (let attempt = 0; attempt < 30 && status !== 429; attempt++) status = (await signIn('127.0.0.2', `203.0.113.${attempt}`)).status;
    assert.equal(status, 429, 'the client at 127.0.0.2 is limited, whatever X-Forwarded-For it writes');
    // Were Gatehouse counting its peer (nginx, 127.0.0.1), every client would now be limited.
    assert.notEqual((await signIn('127.0.0.3', '203.0.113.0')).status, 429, 'another client of the same proxy is not');
  });
});

test('docs/deployment.md shows the nginx server block this test runs', () => {
  const doc = readFileSync(join(ROOT, 'docs/deployment.md'), 'utf8');
  assert.ok(doc.includes(DOCUMENTED_SERVER_BLOCK), 'docs/deployment.md carries test/helpers/nginx.ts DOCUMENTED_SERVER_BLOCK word for word');
});
