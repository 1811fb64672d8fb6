// gatehouse tokens inspect and gatehouse grants list | revoke, over tokens issued into the same database
// the way the token endpoint issues them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { GrantView, TokenReportView } from '../../src/admin/views.js';
import { cliEnv, issueUserTokens, type CliEnv, type IssuedTokens } from './helpers.js';

describe('gatehouse tokens inspect and grants', () => {
  let cli: CliEnv;
  let tokens: IssuedTokens;

  async function inspect(token: string): Promise<TokenReportView> {
    const result = await cli.run(['tokens', 'inspect', token, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(!result.stdout.includes(token), 'the token is never printed back');
    return JSON.parse(result.stdout) as TokenReportView;
  }

  before(async () => {
    cli = cliEnv();
    await cli.withServices(async (services) => {
      await services.clients.create({ name: 'Zapier', clientId: 'zapier-client', redirectUris: ['https://zapier.com/cb'], scopes: 'read:leads write:leads' });
      await services.clients.create({ name: 'Reports', clientId: 'reports', redirectUris: ['https://reports.example/cb'], accessTokenFormat: 'opaque', scopes: 'read:leads' });
      await services.accounts.createUser({ username: 'demo', password: 'demo-password' });
      await services.accounts.createUser({ username: 'alice', password: 'alice-password' });
    });
  });
  after(() => cli.remove());

  test('grants list with no grants says so, and --json is an empty list', async () => {
    const human = await cli.run(['grants', 'list']);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, 'No active grants.\n');
    const json = await cli.run(['grants', 'list', '--json']);
    assert.deepEqual(JSON.parse(json.stdout), { grants: [] });
  });

  test('inspecting garbage says unknown, without echoing it', async () => {
    const human = await cli.run(['tokens', 'inspect', 'not-a-token']);
    assert.equal(human.code, 0, human.stderr);
    assert.equal(human.stdout, 'Kind:   unknown\nStatus: not issued by this Gatehouse / unknown\n');
    for (const garbage of ['not-a-token', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'ghr_thisWasNeverIssued', 'gha_thisWasNeverIssued']) {
      const report = await inspect(garbage);
      assert.equal(report.kind, 'unknown');
      assert.equal(report.status, 'unknown');
    }
  });

  test('a live JWT access token: its client, user, scopes, audience, times and grant', async () => {
    tokens = await cli.withServices((services) => issueUserTokens(services, 'zapier-client', 'demo', ['read:leads']));
    const report = await inspect(tokens.accessToken);
    assert.equal(report.kind, 'jwt_access_token');
    assert.equal(report.status, 'active');
    assert.equal(report.client_id, 'zapier-client');
    assert.equal(report.client_name, 'Zapier');
    assert.equal(report.username, 'demo');
    assert.equal(report.scope, 'read:leads');
    assert.deepEqual(report.audience, ['http://127.0.0.1:4444']);
    assert.equal(report.grant_id, tokens.grantId);
    assert.ok(Date.parse(report.expires_at!) - Date.parse(report.issued_at!) === 3600_000);
    const human = await cli.run(['tokens', 'inspect', tokens.accessToken]);
    assert.match(human.stdout, /^Kind:\s+JWT access token\n/);
    assert.match(human.stdout, /\nStatus:\s+active \(expires in 1h\)\n/);
    assert.match(human.stdout, /\nClient:\s+Zapier \(zapier-client\)\n/);
    assert.match(human.stdout, /\nUser:\s+demo\n/);
    assert.match(human.stdout, /\nScopes:\s+read:leads\n/);
    assert.ok(!human.stdout.includes(tokens.accessToken));
  });

  test('a refresh token, read from standard input with "-"', async () => {
    const result = await cli.run(['tokens', 'inspect', '-', '--json'], `${tokens.refreshToken}\n`);
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as TokenReportView;
    assert.equal(report.kind, 'refresh_token');
    assert.equal(report.status, 'active');
    assert.equal(report.username, 'demo');
    assert.equal(report.grant_id, tokens.grantId);
    assert.ok(!result.stdout.includes(tokens.refreshToken!));
  });

  test('an ID token is recognised by its signature: for whom, for which client, until when', async () => {
    const idToken = await cli.withServices(async (services) => {
      const client = await services.clients.require('zapier-client');
      const user = (await services.store.getUserByUsername('demo'))!;
      const now = Math.floor(Date.now() / 1000);
      return services.tokens.issueIdToken({ client, user, scopes: ['openid'], nonce: null, authTime: now, accessToken: tokens.accessToken, granted: null, now });
    });
    const report = await inspect(idToken);
    assert.equal(report.kind, 'id_token');
    assert.equal(report.status, 'active');
    assert.equal(report.client_id, 'zapier-client');
    assert.equal(report.username, 'demo');
    assert.equal(report.scope, null);
  });

  test('an opaque access token, and an expired one says when it expired', async () => {
    const opaque = await cli.withServices((services) => issueUserTokens(services, 'reports', 'alice', ['read:leads'], 7200));
    assert.match(opaque.accessToken, /^gha_/);
    const report = await inspect(opaque.accessToken);
    assert.equal(report.kind, 'opaque_access_token');
    assert.equal(report.status, 'expired');
    assert.equal(report.status_at, report.expires_at);
    assert.equal(report.username, 'alice');
    const human = await cli.run(['tokens', 'inspect', opaque.accessToken]);
    assert.match(human.stdout, /\nStatus:\s+expired at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(1h ago\)\n/);
  });

  test('grants list shows the grants, filtered by user and client', async () => {
    const all = JSON.parse((await cli.run(['grants', 'list', '--json'])).stdout) as { grants: GrantView[] };
    assert.equal(all.grants.length, 2);
    const demo = JSON.parse((await cli.run(['grants', 'list', '--user', 'demo', '--json'])).stdout) as { grants: GrantView[] };
    assert.deepEqual(demo.grants.map((g) => g.id), [tokens.grantId]);
    assert.equal(demo.grants[0]!.client_id, 'zapier-client');
    assert.equal(demo.grants[0]!.status, 'active');
    const reports = JSON.parse((await cli.run(['grants', 'list', '--client', 'reports', '--json'])).stdout) as { grants: GrantView[] };
    assert.deepEqual(reports.grants.map((g) => g.username), ['alice']);
    const table = await cli.run(['grants', 'list', '--user', 'demo']);
    assert.match(table.stdout, /^GRANT ID\s+CLIENT\s+USER\s+SCOPES\s+CREATED\s+LAST USED\s+STATUS\n/);
    assert.match(table.stdout, new RegExp(`\\n${tokens.grantId}\\s+zapier-client\\s+demo\\s+read:leads\\s`));
    const unknown = await cli.run(['grants', 'list', '--user', 'nobody']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'error: no user named "nobody"\n');
  });

  test('grants revoke revokes the grant and its tokens; inspect says when and why', async () => {
    const result = await cli.run(['grants', 'revoke', tokens.grantId, '--reason', 'user reported a lost laptop', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Revoked grant /);
    const access = await inspect(tokens.accessToken);
    assert.equal(access.status, 'revoked');
    assert.equal(access.revoked_reason, 'user reported a lost laptop');
    assert.ok(access.status_at);
    const refresh = await inspect(tokens.refreshToken!);
    assert.equal(refresh.status, 'revoked');
    const human = await cli.run(['tokens', 'inspect', tokens.accessToken]);
    assert.match(human.stdout, /\nStatus:\s+revoked at \d{4}-.* UTC: user reported a lost laptop\n/);

    const active = JSON.parse((await cli.run(['grants', 'list', '--user', 'demo', '--json'])).stdout) as { grants: GrantView[] };
    assert.deepEqual(active.grants, []);
    const withRevoked = JSON.parse((await cli.run(['grants', 'list', '--user', 'demo', '--all', '--json'])).stdout) as { grants: GrantView[] };
    assert.equal(withRevoked.grants[0]?.status, 'revoked');
    assert.equal(withRevoked.grants[0]?.revoked_reason, 'user reported a lost laptop');

    const again = await cli.run(['grants', 'revoke', tokens.grantId, '--yes']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /was already revoked/);
    const unknown = await cli.run(['grants', 'revoke', 'grant_nope', '--yes']);
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'error: no grant with id "grant_nope"\n');
  });

  test('cleanup deletes expired tokens in batches and prints the counts', async () => {
    const result = await cli.run(['cleanup', '--batch-size', '1', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const counts = JSON.parse(result.stdout) as Record<string, number>;
    assert.deepEqual(Object.keys(counts).sort(), ['access_tokens', 'audit_events', 'authorization_codes', 'client_assertions', 'device_codes', 'dpop_proofs', 'grants', 'initial_access_tokens', 'interaction_challenges', 'pushed_requests', 'refresh_tokens', 'sessions', 'signing_keys', 'unused_clients']);
    assert.ok(counts.access_tokens! >= 1, 'the expired opaque token');
    assert.ok(counts.authorization_codes! >= 1, 'the back-dated authorization code');
    const second = await cli.run(['cleanup']);
    assert.equal(second.code, 0, second.stderr);
    // One line. Codes issued by the earlier tests may have expired in between (they live 60s), nothing else can have.
    assert.match(second.stdout, /^(Removed nothing: no expired or revoked records\.|Removed \d+ authorization codes? \(\d+ records?\)\.)\n$/);
  });
});
