// gatehouse audit list: what the CLI did is on the audit trail, by "cli" and the OS user who ran it, listed newest
// first with --event, --client, --user, --since and --limit, as a table or with --json; bad filters are usage errors.
import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { after, before, describe, test } from 'node:test';
import type { AuditEventView } from '../../src/admin/audit.js';
import { cliEnv, type CliEnv } from './helpers.js';

describe('gatehouse audit list', () => {
  let cli: CliEnv;
  const secrets: string[] = [];
  const list = async (...args: string[]): Promise<AuditEventView[]> => {
    const result = await cli.run(['audit', 'list', '--json', ...args]);
    assert.equal(result.code, 0, result.stderr);
    return (JSON.parse(result.stdout) as { events: AuditEventView[] }).events;
  };

  before(async () => {
    cli = cliEnv();
    const created = await cli.run(['clients', 'create', '--name', 'Audit app', '--client-id', 'audit-cli', '--redirect-uri', 'https://app.example/cb', '--scope', 'read:leads', '--json']);
    assert.equal(created.code, 0, created.stderr);
    secrets.push((JSON.parse(created.stdout) as { client_secret: string }).client_secret);
    assert.equal((await cli.run(['clients', 'update', 'audit-cli', '--name', 'Audit app 2'])).code, 0);
    const rotated = await cli.run(['clients', 'rotate-secret', 'audit-cli', '--json']);
    assert.equal(rotated.code, 0, rotated.stderr);
    secrets.push((JSON.parse(rotated.stdout) as { client_secret: string }).client_secret);
    assert.equal((await cli.run(['keys', 'rotate'])).code, 0);
    assert.equal((await cli.run(['clients', 'delete', 'audit-cli', '--yes'])).code, 0);
  });
  after(() => cli.remove());

  test('each CLI action is an event by "cli" and the OS user, newest first, and no secret is in it', async () => {
    const events = await list();
    assert.deepEqual(events.map((e) => e.event), ['client.deleted', 'key.rotated', 'client.secret_rotated', 'client.updated', 'client.created']);
    for (const event of events) assert.deepEqual(event.actor, { type: 'cli', id: userInfo().username });
    assert.deepEqual(events.at(-1)!.detail.fields, ['client_name', 'client_id', 'redirect_uris', 'scope']);
    const output = JSON.stringify(events);
    for (const secret of secrets) assert.ok(!output.includes(secret), 'a client secret is on the audit trail');
  });

  test('--event, --client, --user, --since and --limit narrow the list', async () => {
    assert.deepEqual((await list('--event', 'client.updated')).map((e) => e.event), ['client.updated']);
    assert.equal((await list('--client', 'audit-cli')).length, 4, 'every client event, not the key rotation');
    assert.equal((await list('--user', userInfo().username)).length, 5, 'the OS user acted in each');
    assert.equal((await list('--user', 'nobody-here')).length, 0);
    assert.equal((await list('--since', '1h')).length, 5);
    assert.deepEqual((await list('--limit', '1')).map((e) => e.event), ['client.deleted']);
  });

  test('without --json: a table with one row per event', async () => {
    const result = await cli.run(['audit', 'list', '--client', 'audit-cli']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Time\s+Event\s+Actor\s+Subject\s+Client\s+Outcome\s+Address\n/i);
    assert.equal(result.stdout.trim().split('\n').length, 5);
    assert.match(result.stdout, new RegExp(`client\\.created\\s+cli:${userInfo().username}\\s+-\\s+audit-cli`));
  });

  test('an unknown event, a bad limit or a bad duration is a usage error naming the option', async () => {
    for (const [args, named] of [[['--event', 'nope'], '--event'], [['--limit', '0'], '--limit'], [['--limit', '5000'], '--limit'], [['--since', 'soon'], '--since']] as const) {
      const result = await cli.run(['audit', 'list', ...args]);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, new RegExp(named), args.join(' '));
      assert.equal(result.stdout, '');
    }
  });
});
