// One rate-limit policy for the whole public port: the general per-address limit holds on the direct OAuth
// endpoints as on the Fastify routes, and the sign-in limit answers like every other refusal. Time is moved on
// the server's clock, never waited for.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let clock = 1_800_000_000;

before(async () => {
  // 1 request per second per address, over 10 s windows: the 11th request in a window is refused.
  server = await startTestServer({ env: { GATEHOUSE_TRUST_PROXY: 'true', GATEHOUSE_RATE_LIMIT: '1' }, clock: { now: () => clock * 1000 } });
});
after(() => server.close());

const token = (from: string) => fetch(`${server.issuer}/oauth2/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': from },
  body: 'grant_type=client_credentials',
});
const discovery = (from: string) => fetch(`${server.issuer}/.well-known/openid-configuration`, { headers: { 'x-forwarded-for': from } });

async function assertLimited(response: Response): Promise<void> {
  assert.equal(response.status, 429);
  assert.equal(response.headers.get('retry-after'), '10');
  assert.equal(response.headers.get('cache-control'), 'no-store');
  const body = await response.json() as { error: string; error_description: string };
  assert.equal(body.error, 'temporarily_unavailable');
  assert.match(body.error_description, /too many requests from this address; try again in 10 s/);
}

test('the general per-address limit holds on the direct token endpoint and on Fastify routes alike, one count per address', async () => {
  clock += 100;
  for (let request = 0; request < 5; request++) assert.equal((await token('203.0.113.5')).status, 401);
  for (let request = 0; request < 5; request++) assert.equal((await discovery('203.0.113.5')).status, 200);
  await assertLimited(await token('203.0.113.5'));
  await assertLimited(await discovery('203.0.113.5'));
  assert.equal((await discovery('198.51.100.5')).status, 200, 'another address is served');
  clock += 10;
  assert.equal((await discovery('203.0.113.5')).status, 200, 'a new window serves the address again');
});

test('the sign-in limit refuses the 21st attempt in a minute with a 429 page, Retry-After and X-RateLimit headers', async () => {
  clock += 100;
  const signIn = () => fetch(`${server.issuer}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '203.0.113.77' },
    body: 'username=a&password=b&csrf=x',
  });
  // Five attempts every 5 s: never more than the general limit's 10 per 10 s, 20 sign-ins in 20 s.
  for (let batch = 0; batch < 4; batch++) {
    for (let attempt = 0; attempt < 5; attempt++) assert.equal((await signIn()).status, 403, 'the CSRF check answers');
    clock += 5;
  }
  const limited = await signIn();
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '40');
  assert.equal(limited.headers.get('x-ratelimit-limit'), '20');
  assert.equal(limited.headers.get('x-ratelimit-remaining'), '0');
  assert.match(limited.headers.get('content-type') ?? '', /^text\/html/);
  assert.equal(limited.headers.get('x-frame-options'), 'DENY');
  // The sign-in form again, with what happened in plain words and how long to wait.
  const page = await limited.text();
  assert.match(page, /Too many sign-in attempts were made from your network, so signing in is paused for a moment\. Wait 40 seconds, then try again\./);
  assert.match(page, /<form method="post" action="\/login">/);
  assert.match(page, /<input id="password" name="password" type="password"/);
});
