// The audit trail and the OAuth metrics, through the real surfaces: sign-in and consent pages, the token and revocation
// endpoints, connected apps and the admin API. Each security event is stored with its actor, subject, client and
// address, listed by GET /admin/audit-events (with its filters), written as one structured log line with the same
// event name, and counted on /metrics with the right labels; no secret is in any row or log line; housekeeping's
// cleanup deletes events past GATEHOUSE_AUDIT_RETENTION (moved there with a TestClock).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { cleanUp } from '../../src/admin/cleanup.js';
import type { AuditEventView } from '../../src/admin/audit.js';
import { describeOnBackends } from '../helpers/backends.js';
import { TestClock } from '../helpers/clock.js';
import { CALLBACK, USER, createClient, createUser, postForm } from '../helpers/fixtures.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestUserAgent } from '../helpers/user-agent.js';

const ADMIN_TOKEN = 'audit-admin-token-0123456789abcdef';


/** One sample's value from Prometheus text (0 when the series is absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const found = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[2]);
  }
  return 0;
}

await describeOnBackends('audit events and OAuth metrics', (backend) => {
  let server: TestServer;
  let secret: string;
  const clock = new TestClock();
  const logs = new PassThrough();
  let logText = '';
  /** Every secret the tests handle: none may appear in an audit row or a log line. */
  const secrets: string[] = [USER.password, ADMIN_TOKEN];

  before(async () => {
    logs.on('data', (chunk: Buffer) => (logText += chunk.toString()));
    server = await startTestServer({ backend, clock, logStream: logs, env: { GATEHOUSE_ADMIN_TOKEN: ADMIN_TOKEN, GATEHOUSE_LOG_LEVEL: 'info' } });
    await createUser(server);
    secret = (await createClient(server, { clientId: 'zapier-client', scopes: 'read:leads', grantTypes: ['authorization_code', 'refresh_token'] })).clientSecret!;
    secrets.push(secret);
  });
  after(() => server.close());

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${server.adminUrl}${path}`, { ...init, headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(init.method && init.method !== 'GET' ? { 'content-type': 'application/json' } : {}), ...init.headers } });

  async function events(query: Record<string, string> = {}): Promise<AuditEventView[]> {
    const response = await admin(`/admin/audit-events?${new URLSearchParams(query)}`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { events: AuditEventView[] }).events;
  }

  async function metrics(): Promise<string> {
    const response = await admin('/metrics');
    assert.equal(response.status, 200);
    return response.text();
  }

  const tokenRequest = (form: Record<string, string>) => postForm(`${server.issuer}/oauth2/token`, { ...form, client_id: 'zapier-client', client_secret: secret });

  /** Signs in (on a new agent), allows, redeems the code: a fresh grant. */
  async function connect() {
    const agent = new TestUserAgent(server.issuer);
    const verifier = randomBytes(32).toString('base64url');
    const query = new URLSearchParams({
      client_id: 'zapier-client', redirect_uri: CALLBACK, response_type: 'code', scope: 'read:leads', state: 'st',
      code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    });
    const callback = await agent.authorize(`${server.issuer}/oauth2/authorize?${query}`, USER);
    const code = callback.searchParams.get('code')!;
    const response = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: CALLBACK, code_verifier: verifier });
    assert.equal(response.status, 200);
    const tokens = (await response.json()) as { access_token: string; refresh_token: string };
    secrets.push(code, verifier, tokens.access_token, tokens.refresh_token);
    return { agent, tokens };
  }

  test('a failed and a successful sign-in: signin.failed names the username tried, signin.succeeded the user, both with the address; gatehouse_signins_total counts each outcome', async () => {
    const before = await metrics();
    const agent = new TestUserAgent(server.issuer);
    const login = await agent.navigate('/login');
    const failed = await agent.signIn(login.html, 'alice', 'not-the-password');
    assert.equal(failed.response.status, 401);
    const page = await agent.navigate('/login');
    const signedIn = await agent.signIn(page.html, USER.username, USER.password);
    assert.notEqual(signedIn.response.status, 401);

    const [failure] = await events({ event: 'signin.failed' });
    assert.equal(failure!.subject, 'alice');
    assert.equal(failure!.outcome, 'failed');
    assert.equal(failure!.actor.type, 'user');
    assert.equal(failure!.address, '127.0.0.1');
    const [success] = await events({ event: 'signin.succeeded' });
    assert.equal(success!.subject, 'alice');
    assert.equal(success!.outcome, 'succeeded');
    assert.ok(success!.actor.id, 'the user id');
    const after = await metrics();
    assert.equal(sample(after, 'gatehouse_signins_total', { outcome: 'failed' }) - sample(before, 'gatehouse_signins_total', { outcome: 'failed' }), 1);
    assert.equal(sample(after, 'gatehouse_signins_total', { outcome: 'succeeded' }) - sample(before, 'gatehouse_signins_total', { outcome: 'succeeded' }), 1);
  });

  test('consent and code exchange: consent.granted with the scopes, token.issued counted per grant type, gatehouse_tokens_issued_total by grant type and client', async () => {
    const before = await metrics();
    const { tokens } = await connect();
    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(refreshed.status, 200);
    secrets.push(...Object.values((await refreshed.json()) as Record<string, string>).filter((v) => typeof v === 'string' && v.length > 20));

    const [consent] = await events({ event: 'consent.granted', client: 'zapier-client' });
    assert.deepEqual(consent!.detail.scopes, ['read:leads']);
    assert.equal(consent!.actor.type, 'user');
    const issued = await events({ event: 'token.issued', client: 'zapier-client' });
    assert.deepEqual(issued.slice(0, 2).map((e) => e.grant_type).sort(), ['authorization_code', 'refresh_token']);
    assert.deepEqual(issued[0]!.actor, { type: 'client', id: 'zapier-client' });
    // Counted, not one row per token: each row says how many were issued since the one before.
    assert.deepEqual(issued.slice(0, 2).map((e) => e.detail.count), [1, 1]);
    assert.ok(typeof issued[0]!.detail.from === 'number');
    const after = await metrics();
    for (const grantType of ['authorization_code', 'refresh_token']) {
      const labels = { grant_type: grantType, client_id: 'zapier-client' };
      assert.equal(sample(after, 'gatehouse_tokens_issued_total', labels) - sample(before, 'gatehouse_tokens_issued_total', labels), 1, grantType);
    }
    // The token endpoint's latency, under its route, never its raw URL.
    assert.ok(sample(after, 'gatehouse_http_request_duration_seconds_count', { route: '/oauth2/token', method: 'POST', status: '200' }) >= 2);
    assert.ok(sample(after, 'gatehouse_http_request_duration_seconds_count', { route: '/oauth2/authorize', method: 'GET' }) >= 1);
  });

  test('the token hot path: token.issued rows are counts per client and grant type, not one row per token; the metric counts each', async () => {
    const machineSecret = (await createClient(server, { name: 'Machine', clientId: 'machine-client', redirectUris: [], scopes: 'read:leads', grantTypes: ['client_credentials'] })).clientSecret!;
    secrets.push(machineSecret);
    const before = await metrics();
    for (let i = 0; i < 5; i++) {
      const response = await postForm(`${server.issuer}/oauth2/token`, { grant_type: 'client_credentials', client_id: 'machine-client', client_secret: machineSecret });
      assert.equal(response.status, 200);
      secrets.push(((await response.json()) as { access_token: string }).access_token);
    }
    const rows = await events({ event: 'token.issued', client: 'machine-client' });
    // Five tokens in a few milliseconds: one row (two if the one-second window closed between them).
    assert.ok(rows.length >= 1 && rows.length <= 2, `${rows.length} rows`);
    assert.equal(rows.reduce((sum, row) => sum + Number(row.detail.count), 0), 5);
    assert.ok(rows.every((row) => row.grant_type === 'client_credentials'));
    const labels = { grant_type: 'client_credentials', client_id: 'machine-client' };
    assert.equal(sample(await metrics(), 'gatehouse_tokens_issued_total', labels) - sample(before, 'gatehouse_tokens_issued_total', labels), 5);
    // One log line per token all the same.
    assert.equal(logText.split('\n').filter((line) => line.includes('"event":"token.issued"') && line.includes('"client_id":"machine-client"')).length, 5);
  });

  test('a rotated refresh token presented again: refresh.reuse_detected, the grant revoked; reuse, revocation and token-error series move', async () => {
    const before = await metrics();
    const { tokens } = await connect();
    const first = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(first.status, 200);
    const successor = (await first.json()) as { access_token: string; refresh_token: string };
    secrets.push(successor.access_token, successor.refresh_token);
    // The successor used: presenting the first token again can no longer be a retry of a lost answer.
    const second = await tokenRequest({ grant_type: 'refresh_token', refresh_token: successor.refresh_token });
    assert.equal(second.status, 200);
    secrets.push(...Object.values((await second.json()) as Record<string, string>).filter((v) => typeof v === 'string' && v.length > 20));
    const reused = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    assert.equal(reused.status, 400);
    const [reuse] = await events({ event: 'refresh.reuse_detected' });
    assert.equal(reuse!.client_id, 'zapier-client');
    assert.equal(reuse!.outcome, 'grant_revoked');
    assert.match(String(reuse!.detail.grant_id), /^grant_/);
    const after = await metrics();
    assert.equal(sample(after, 'gatehouse_refresh_reuse_total') - sample(before, 'gatehouse_refresh_reuse_total'), 1);
    assert.equal(sample(after, 'gatehouse_revocations_total', { by: 'reuse' }) - sample(before, 'gatehouse_revocations_total', { by: 'reuse' }), 1);
    assert.equal(sample(after, 'gatehouse_token_errors_total', { error: 'invalid_grant' }) - sample(before, 'gatehouse_token_errors_total', { error: 'invalid_grant' }), 1);
  });

  test('revocation by the client (RFC 7009), by the user in connected apps and by an admin: each an event naming who revoked', async () => {
    const before = await metrics();
    const first = await connect();
    const revoke = await postForm(`${server.issuer}/oauth2/revoke`, { token: first.tokens.refresh_token, client_id: 'zapier-client', client_secret: secret });
    assert.equal(revoke.status, 200);
    const [byClient] = await events({ event: 'grant.revoked' });
    assert.equal(byClient!.detail.by, 'client');
    assert.deepEqual(byClient!.actor, { type: 'client', id: 'zapier-client' });

    const second = await connect();
    const apps = await second.agent.request('/account/apps/zapier-client/revoke', { form: { csrf: second.agent.cookies.get('gatehouse_csrf')!, confirm: 'yes' } });
    assert.equal(apps.status, 303);
    const [withdrawn] = await events({ event: 'consent.withdrawn' });
    assert.equal(withdrawn!.detail.by, 'user');
    assert.equal(withdrawn!.subject, 'alice');
    assert.ok(Number(withdrawn!.detail.grants_revoked) >= 1, 'the grants it revoked');

    await connect();
    const grants = (await (await admin('/admin/grants?client=zapier-client')).json()) as { grants: Array<{ id: string }> };
    const grantId = grants.grants[0]!.id;
    assert.equal((await admin(`/admin/grants/${grantId}`, { method: 'DELETE' })).status, 200);
    const [byAdmin] = await events({ event: 'grant.revoked' });
    assert.equal(byAdmin!.detail.by, 'admin');
    assert.equal(byAdmin!.detail.grant_id, grantId);
    assert.deepEqual(byAdmin!.actor, { type: 'admin', id: 'admin-token' });
    assert.equal(byAdmin!.address, '127.0.0.1');

    const after = await metrics();
    for (const by of ['client', 'user', 'admin']) {
      assert.equal(sample(after, 'gatehouse_revocations_total', { by }) - sample(before, 'gatehouse_revocations_total', { by }), 1, by);
    }
  });

  test('client and key administration through the admin API: created, updated, secret rotated, deleted and keys rotated, each by the admin identity', async () => {
    const created = await admin('/admin/clients', { method: 'POST', body: JSON.stringify({ client_name: 'Audit app', client_id: 'audit-app', redirect_uris: [CALLBACK], scope: 'read:leads' }) });
    assert.equal(created.status, 201);
    secrets.push(((await created.json()) as { client_secret: string }).client_secret);
    assert.equal((await admin('/admin/clients/audit-app', { method: 'PATCH', body: JSON.stringify({ client_name: 'Audit app 2' }) })).status, 200);
    const rotated = await admin('/admin/clients/audit-app/rotate-secret', { method: 'POST', body: '{}' });
    assert.equal(rotated.status, 200);
    secrets.push(((await rotated.json()) as { client_secret: string }).client_secret);
    assert.equal((await admin('/admin/clients/audit-app', { method: 'DELETE' })).status, 204);
    assert.equal((await admin('/admin/keys/rotate', { method: 'POST', body: '{}' })).status, 200);

    const trail = await events({ client: 'audit-app' });
    assert.deepEqual(trail.map((e) => e.event).reverse(), ['client.created', 'client.updated', 'client.secret_rotated', 'client.deleted']);
    for (const event of trail) assert.deepEqual(event.actor, { type: 'admin', id: 'admin-token' });
    assert.deepEqual(trail.at(-1)!.detail.fields, ['client_name', 'client_id', 'redirect_uris', 'scope']);
    assert.deepEqual(trail.at(-2)!.detail.fields, ['client_name']);
    const [keys] = await events({ event: 'key.rotated' });
    assert.deepEqual(keys!.detail.algs, ['ES256', 'RS256']);
    assert.equal((keys!.detail.kids as string[]).length, 2);
  });

  test('the listing filters by user, time and limit, and refuses bad filters with 400 naming them', async () => {
    const byUser = await events({ user: 'alice' });
    assert.ok(byUser.length > 0);
    assert.ok(byUser.every((e) => e.subject === 'alice' || e.actor.id === 'alice'));
    assert.equal((await events({ limit: '2' })).length, 2);
    const all = await events({ limit: '1000' });
    assert.deepEqual(all.map((e) => e.at), [...all.map((e) => e.at)].sort((a, b) => b - a), 'newest first');
    assert.ok((await events({ since: '1h' })).length > 0);
    for (const [query, named] of [['event=nope', 'event'], ['limit=0', 'limit'], ['limit=abc', 'limit'], ['since=soon', 'since'], ['colour=red', 'colour']] as const) {
      const response = await admin(`/admin/audit-events?${query}`);
      assert.equal(response.status, 400, query);
      assert.match(((await response.json()) as { error_description: string }).error_description, new RegExp(named), query);
    }
  });

  test('every event is one structured log line with the same name and fields, and no secret is in a row or a line', async () => {
    const all = await events({ limit: '1000' });
    const lines = logText.split('\n').filter((line) => line.includes('"audit":true')).map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const name of ['signin.failed', 'signin.succeeded', 'consent.granted', 'token.issued', 'refresh.reuse_detected', 'grant.revoked', 'consent.withdrawn', 'client.created', 'key.rotated']) {
      assert.ok(all.some((e) => e.event === name), `stored: ${name}`);
      const line = lines.find((l) => l.event === name);
      assert.ok(line, `logged: ${name}`);
      assert.equal(line.msg, name);
    }
    const failure = lines.find((l) => l.event === 'signin.failed')!;
    assert.equal(failure.subject, 'alice');
    assert.equal(failure.address, '127.0.0.1');
    const stored = JSON.stringify(all);
    for (const value of secrets) {
      assert.ok(!stored.includes(value), 'a secret is in an audit row');
      assert.ok(!logText.includes(value), 'a secret is in the log');
    }
  });

  test('housekeeping deletes events older than GATEHOUSE_AUDIT_RETENTION (90 days by default), and keeps newer ones', async () => {
    assert.equal(server.config.auditRetentionSeconds, 90 * 86400);
    const count = (await events({ limit: '1000' })).length;
    assert.ok(count > 0);
    clock.advanceSeconds(90 * 86400 - 60);
    assert.equal((await cleanUp(server.services, 1000)).auditEvents, 0, 'not yet 90 days old');
    clock.advanceSeconds(3600);
    assert.equal((await cleanUp(server.services, 1000)).auditEvents, count);
    assert.deepEqual(await events(), []);
  });
});
