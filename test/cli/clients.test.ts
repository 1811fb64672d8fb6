// gatehouse clients …: run as a real child process against a temporary SQLite database.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { sha256Hex } from '../../src/domain/crypto.js';
import { cliEnv, type CliEnv } from './helpers.js';

const CALLBACK = 'https://zapier.com/oauth/callback';
const SECRET_256_BIT = /^ghs_[A-Za-z0-9_-]{43}$/;

function assertNoStack(stderr: string): void {
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

describe('gatehouse clients', () => {
  let cli: CliEnv;
  let secret = '';
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('create --client-id --json prints one JSON object with the client id and a 256-bit secret, stored only as a hash', async () => {
    const result = await cli.run([
      'clients', 'create', '--name', 'Zapier', '--client-id', 'zapier-client',
      '--redirect-uri', CALLBACK, '--scope', 'openid read:leads', '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const created = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(created.client_id, 'zapier-client');
    assert.equal(created.client_name, 'Zapier');
    assert.equal(created.public, false);
    assert.deepEqual(created.redirect_uris, [CALLBACK]);
    assert.deepEqual(created.grant_types, ['authorization_code', 'refresh_token']);
    assert.equal(created.scope, 'openid read:leads');
    assert.equal(created.access_token_ttl, 3600);
    assert.equal(created.refresh_token_ttl, 30 * 86400);
    assert.match(String(created.client_secret), SECRET_256_BIT);
    secret = String(created.client_secret);
    const stored = await cli.withServices((services) => services.store.getClient('zapier-client'));
    assert.equal(stored?.secretHash, sha256Hex(secret));
  });

  test('--require-par makes a client push its authorization requests (RFC 9126); update --no-require-par lifts it', async () => {
    const created = await cli.run(['clients', 'create', '--name', 'PAR RP', '--client-id', 'par-rp', '--redirect-uri', CALLBACK, '--require-par', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as Record<string, unknown>).require_pushed_authorization_requests, true);
    assert.match((await cli.run(['clients', 'show', 'par-rp'])).stdout, /Pushed requests \(PAR\):\s+required/);
    const updated = await cli.run(['clients', 'update', 'par-rp', '--no-require-par', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal((JSON.parse(updated.stdout) as Record<string, unknown>).require_pushed_authorization_requests, false);
    assert.equal((await cli.run(['clients', 'delete', 'par-rp', '--yes'])).code, 0);
  });

  test('--require-dpop makes every token request of a client need a DPoP proof (RFC 9449); update --no-require-dpop lifts it', async () => {
    const created = await cli.run(['clients', 'create', '--name', 'DPoP RP', '--client-id', 'dpop-rp', '--redirect-uri', CALLBACK, '--public', '--require-dpop', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as Record<string, unknown>).dpop_bound_access_tokens, true);
    assert.match((await cli.run(['clients', 'show', 'dpop-rp'])).stdout, /DPoP:\s+required on every token request/);
    const updated = await cli.run(['clients', 'update', 'dpop-rp', '--no-require-dpop', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal((JSON.parse(updated.stdout) as Record<string, unknown>).dpop_bound_access_tokens, false);
    assert.equal((await cli.run(['clients', 'delete', 'dpop-rp', '--yes'])).code, 0);
  });

  test('logout options: --post-logout-redirect-uri (repeatable), --backchannel-logout-uri, --frontchannel-logout-uri, and --no- forms on update', async () => {
    const created = await cli.run([
      'clients', 'create', '--name', 'Logout RP', '--client-id', 'logout-rp', '--redirect-uri', CALLBACK,
      '--post-logout-redirect-uri', 'https://rp.example/bye', '--post-logout-redirect-uri', 'https://rp.example/later',
      '--backchannel-logout-uri', 'https://rp.example/bc', '--backchannel-logout-session-required',
      '--frontchannel-logout-uri', 'https://rp.example/fc', '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(view.post_logout_redirect_uris, ['https://rp.example/bye', 'https://rp.example/later']);
    assert.equal(view.backchannel_logout_uri, 'https://rp.example/bc');
    assert.equal(view.backchannel_logout_session_required, true);
    assert.equal(view.frontchannel_logout_uri, 'https://rp.example/fc');
    assert.equal(view.frontchannel_logout_session_required, false);
    const updated = await cli.run(['clients', 'update', 'logout-rp', '--no-backchannel-logout-uri', '--no-post-logout-redirect-uri', '--frontchannel-logout-session-required', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    const after = JSON.parse(updated.stdout) as Record<string, unknown>;
    assert.equal(after.backchannel_logout_uri, null);
    assert.deepEqual(after.post_logout_redirect_uris, []);
    assert.equal(after.frontchannel_logout_uri, 'https://rp.example/fc');
    assert.equal(after.frontchannel_logout_session_required, true);
    const bad = await cli.run(['clients', 'update', 'logout-rp', '--backchannel-logout-uri', 'http://rp.example/bc']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: back-channel logout URI "http:\/\/rp\.example\/bc" uses http on a host that is not loopback; use https\n$/);
    const shown = await cli.run(['clients', 'show', 'logout-rp']);
    assert.match(shown.stdout, /Front-channel logout:\s+https:\/\/rp\.example\/fc \(with iss and sid\)/);
    assert.equal((await cli.run(['clients', 'delete', 'logout-rp', '--yes'])).code, 0);
  });

  test('a duplicate client id fails with exit 1 and a one-line message naming it', async () => {
    const result = await cli.run(['clients', 'create', '--name', 'Again', '--client-id', 'zapier-client', '--redirect-uri', CALLBACK]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.equal(result.stderr, 'error: a client with id "zapier-client" already exists\n');
  });

  test('an invalid redirect URI fails with exit 1 and says what is wrong with it', async () => {
    const result = await cli.run(['clients', 'create', '--name', 'Evil', '--redirect-uri', 'http://evil.example/cb']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: redirect URI "http:\/\/evil\.example\/cb" uses http on a host that is not loopback; use https\n$/);
    assertNoStack(result.stderr);
    const fragment = await cli.run(['clients', 'create', '--name', 'Frag', '--redirect-uri', 'https://a.example/cb#x']);
    assert.equal(fragment.code, 1);
    assert.match(fragment.stderr, /must not contain a fragment/);
  });

  test('human output of create shows the secret once and says it will not be shown again', async () => {
    const result = await cli.run(['clients', 'create', '--name', 'Slack', '--client-id', 'slack-app', '--redirect-uri', 'https://slack.example/cb']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Client ID:\s+slack-app/);
    assert.match(result.stdout, /Client secret:\s+ghs_[A-Za-z0-9_-]{43}\n/);
    assert.match(result.stdout, /shown only this once/);
    const show = await cli.run(['clients', 'show', 'slack-app']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Name:\s+Slack/);
    assert.doesNotMatch(show.stdout, /ghs_/);
  });

  test('list prints an aligned table, and --json the same records', async () => {
    const table = await cli.run(['clients', 'list']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^CLIENT ID\s+NAME\s+TYPE\s+GRANT TYPES\s+SCOPES\s+RESOURCE SERVER FOR\s+CREATED$/);
    assert.equal(lines.length, 3);
    assert.ok(lines.some((line) => /^zapier-client\s+Zapier\s+confidential\s/.test(line)));
    const nameColumn = lines[0]!.indexOf('NAME');
    for (const line of lines.slice(1)) assert.match(line.slice(nameColumn), /^(Zapier|Slack)/, 'columns line up');
    const json = await cli.run(['clients', 'list', '--json']);
    const listed = JSON.parse(json.stdout) as { clients: Array<Record<string, unknown>> };
    assert.deepEqual(listed.clients.map((c) => c.client_id).sort(), ['slack-app', 'zapier-client']);
    assert.ok(listed.clients.every((c) => !('client_secret' in c)), 'list never shows secrets');
  });

  test('show --json gives the client; an unknown id is exit 1 naming it', async () => {
    const shown = await cli.run(['clients', 'show', 'zapier-client', '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const client = JSON.parse(shown.stdout) as Record<string, unknown>;
    assert.equal(client.client_id, 'zapier-client');
    assert.equal(client.client_secret, undefined);
    const missing = await cli.run(['clients', 'show', 'nope']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: no client with id "nope"\n');
  });

  test('update changes only what is given and keeps the secret', async () => {
    const result = await cli.run([
      'clients', 'update', 'zapier-client', '--access-token-ttl', '15m', '--refresh-token-grace', '10s',
      '--scope', 'read:leads write:leads', '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const client = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(client.access_token_ttl, 900);
    assert.equal(client.refresh_token_grace, 10);
    assert.equal(client.scope, 'read:leads write:leads');
    assert.equal(client.client_name, 'Zapier');
    assert.deepEqual(client.redirect_uris, [CALLBACK]);
    const stored = await cli.withServices((services) => services.store.getClient('zapier-client'));
    assert.equal(stored?.secretHash, sha256Hex(secret));
    const human = await cli.run(['clients', 'update', 'zapier-client', '--name', 'Zapier Inc']);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /Name:\s+Zapier Inc/);
    assert.match(human.stdout, /Access tokens:\s+jwt, valid 15m/);
  });

  test('update with a bad value is refused and changes nothing', async () => {
    const result = await cli.run(['clients', 'update', 'zapier-client', '--redirect-uri', 'not a uri']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /redirect URI "not a uri" is not an absolute URI/);
    const stored = await cli.withServices((services) => services.store.getClient('zapier-client'));
    assert.deepEqual(stored?.redirectUris, [CALLBACK]);
  });

  test('rotate-secret gives a new 256-bit secret and the old one stops matching', async () => {
    const result = await cli.run(['clients', 'rotate-secret', 'zapier-client', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const rotated = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.match(String(rotated.client_secret), SECRET_256_BIT);
    assert.notEqual(rotated.client_secret, secret);
    const stored = await cli.withServices((services) => services.store.getClient('zapier-client'));
    assert.equal(stored?.secretHash, sha256Hex(String(rotated.client_secret)));
    const human = await cli.run(['clients', 'rotate-secret', 'zapier-client']);
    assert.match(human.stdout, /the old secret no longer works/);
    assert.match(human.stdout, /shown only this once/);
  });

  test('a public client has no secret and cannot rotate one', async () => {
    const result = await cli.run(['clients', 'create', '--name', 'CLI tool', '--public', '--redirect-uri', 'http://127.0.0.1:8765/cb', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const client = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(client.public, true);
    assert.equal(client.token_endpoint_auth_method, 'none');
    assert.equal(client.client_secret, undefined);
    assert.match(String(client.client_id), /^client_/);
    const human = await cli.run(['clients', 'show', String(client.client_id)]);
    assert.match(human.stdout, /Type:\s+public/);
    const rotate = await cli.run(['clients', 'rotate-secret', String(client.client_id)]);
    assert.equal(rotate.code, 1);
    assert.match(rotate.stderr, /is public and has no secret/);
  });

  test('a device client: the device_code grant with refresh_token, public, and no redirect URI', async () => {
    const result = await cli.run([
      'clients', 'create', '--name', 'Living-room TV', '--client-id', 'tv-app', '--public',
      '--grant-type', 'urn:ietf:params:oauth:grant-type:device_code', '--grant-type', 'refresh_token', '--scope', 'openid read:leads', '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const client = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(client.grant_types, ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token']);
    assert.deepEqual(client.redirect_uris, []);
  });

  test('client_credentials, opaque tokens and a fixed auth method are recorded', async () => {
    const result = await cli.run([
      'clients', 'create', '--name', 'Worker', '--client-id', 'worker', '--grant-type', 'client_credentials',
      '--access-token-format', 'opaque', '--token-endpoint-auth-method', 'client_secret_post', '--json',
    ]);
    assert.equal(result.code, 0, result.stderr);
    const client = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.deepEqual(client.grant_types, ['client_credentials']);
    assert.equal(client.access_token_format, 'opaque');
    assert.equal(client.token_endpoint_auth_method, 'client_secret_post');
  });

  test('--resource-server-for registers the audiences a client may introspect, shown by show and list, replaced on update and cleared with --no-resource-server-for', async () => {
    const created = await cli.run([
      'clients', 'create', '--name', 'Leads API', '--client-id', 'leads-api', '--grant-type', 'client_credentials',
      '--resource-server-for', 'https://api.example.com', '--resource-server-for', 'urn:leads', '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.deepEqual((JSON.parse(created.stdout) as Record<string, unknown>).resource_server_for, ['https://api.example.com', 'urn:leads']);
    const show = await cli.run(['clients', 'show', 'leads-api']);
    assert.match(show.stdout, /Resource server for:\s+https:\/\/api\.example\.com/);
    const list = await cli.run(['clients', 'list']);
    assert.ok(list.stdout.split('\n').some((line) => /^leads-api\s.*https:\/\/api\.example\.com urn:leads/.test(line)), list.stdout);
    const updated = await cli.run(['clients', 'update', 'leads-api', '--resource-server-for', 'https://other.example', '--json']);
    assert.deepEqual((JSON.parse(updated.stdout) as Record<string, unknown>).resource_server_for, ['https://other.example']);
    const bad = await cli.run(['clients', 'update', 'leads-api', '--resource-server-for', 'has space']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /resource server audience "has space"/);
    const cleared = await cli.run(['clients', 'update', 'leads-api', '--no-resource-server-for', '--json']);
    assert.equal(cleared.code, 0, cleared.stderr);
    assert.deepEqual((JSON.parse(cleared.stdout) as Record<string, unknown>).resource_server_for, []);
  });

  test('token exchange: --grant-type with --token-exchange-resource, shown by show, replaced on update, cleared with --no-token-exchange-resource', async () => {
    const exchange = 'urn:ietf:params:oauth:grant-type:token-exchange';
    const created = await cli.run([
      'clients', 'create', '--name', 'Enricher', '--client-id', 'enricher', '--grant-type', exchange,
      '--token-exchange-resource', 'https://enrich.example.com', '--token-exchange-resource', 'https://archive.example.com', '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const client = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(client.grant_types, [exchange]);
    assert.deepEqual(client.token_exchange_resources, ['https://enrich.example.com', 'https://archive.example.com']);
    const show = await cli.run(['clients', 'show', 'enricher']);
    assert.match(show.stdout, /Token exchange for:\s+https:\/\/enrich\.example\.com/);
    const updated = await cli.run(['clients', 'update', 'enricher', '--token-exchange-resource', 'https://archive.example.com', '--json']);
    assert.deepEqual((JSON.parse(updated.stdout) as Record<string, unknown>).token_exchange_resources, ['https://archive.example.com']);
    const bad = await cli.run(['clients', 'update', 'enricher', '--token-exchange-resource', 'archive']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: token exchange resource "archive" is not an absolute URI/);
    const cleared = await cli.run(['clients', 'update', 'enricher', '--no-token-exchange-resource', '--json']);
    assert.deepEqual((JSON.parse(cleared.stdout) as Record<string, unknown>).token_exchange_resources, []);
    const shown = await cli.run(['clients', 'show', 'enricher']);
    assert.match(shown.stdout, /Token exchange for:\s+\(no resource: every exchange is refused\)/);
    const publicClient = await cli.run(['clients', 'create', '--name', 'Public agent', '--public', '--grant-type', exchange]);
    assert.equal(publicClient.code, 1);
    assert.match(publicClient.stderr, /a public client cannot use urn:ietf:params:oauth:grant-type:token-exchange/);
  });

  test('--skip-consent makes a first-party client, shown by show; --no-skip-consent asks again', async () => {
    const created = await cli.run(['clients', 'create', '--name', 'Platform web', '--client-id', 'platform-web', '--redirect-uri', CALLBACK, '--skip-consent', '--json']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((JSON.parse(created.stdout) as Record<string, unknown>).skip_consent, true);
    assert.match((await cli.run(['clients', 'show', 'platform-web'])).stdout, /Consent:\s+never asked \(first-party client\)/);
    const updated = await cli.run(['clients', 'update', 'platform-web', '--no-skip-consent', '--json']);
    assert.equal((JSON.parse(updated.stdout) as Record<string, unknown>).skip_consent, false);
    const plain = await cli.run(['clients', 'create', '--name', 'Third party', '--redirect-uri', CALLBACK, '--json']);
    assert.equal((JSON.parse(plain.stdout) as Record<string, unknown>).skip_consent, false);
  });

  test('--token-endpoint-auth-method private_key_jwt with --jwks-file registers public keys and no secret; a bad file is a usage error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-jwks-'));
    const file = join(dir, 'jwks.json');
    const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
    writeFileSync(file, JSON.stringify({ keys: [{ ...key, kid: 'agent-2026' }] }));
    const created = await cli.run(['clients', 'create', '--name', 'Agent', '--client-id', 'agent-cli', '--grant-type', 'client_credentials', '--token-endpoint-auth-method', 'private_key_jwt', '--jwks-file', file, '--json']);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as { client_secret?: string; jwks: { keys: Array<{ kid: string }> }; token_endpoint_auth_method: string };
    assert.equal(view.client_secret, undefined);
    assert.equal(view.token_endpoint_auth_method, 'private_key_jwt');
    assert.deepEqual(view.jwks.keys.map((k) => k.kid), ['agent-2026']);
    assert.match((await cli.run(['clients', 'show', 'agent-cli'])).stdout, /confidential \(private_key_jwt, 1 key\)/);
    const missing = await cli.run(['clients', 'create', '--name', 'Agent', '--jwks-file', join(dir, 'nope.json')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read .*nope\.json \(ENOENT\)/);
    rmSync(dir, { recursive: true, force: true });
  });

  test('usage errors exit 2: missing --name, a bad choice, a bad duration, nothing to update', async () => {
    for (const args of [
      ['clients', 'create', '--redirect-uri', CALLBACK],
      ['clients', 'create', '--name', 'X', '--access-token-format', 'xml'],
      ['clients', 'create', '--name', 'X', '--access-token-ttl', 'soon'],
      ['clients', 'create', '--name', 'X', '--grant-type', 'password'],
      ['clients', 'update', 'zapier-client'],
      ['clients', 'show'],
    ]) {
      const result = await cli.run(args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
      assert.match(result.stderr, /^error: /, args.join(' '));
    }
  });

  test('delete removes the client; deleting it again is exit 1', async () => {
    const result = await cli.run(['clients', 'delete', 'slack-app', '--yes']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Deleted client "slack-app"/);
    const again = await cli.run(['clients', 'delete', 'slack-app', '--yes', '--json']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'error: no client with id "slack-app"\n');
    const show = await cli.run(['clients', 'show', 'slack-app']);
    assert.equal(show.code, 1);
  });
});
