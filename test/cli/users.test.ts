// gatehouse users …: run as a real child process against a temporary SQLite database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliEnv, type CliEnv } from './helpers.js';

describe('gatehouse users', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('create --password-stdin stores an argon2id hash that checks against the password', async () => {
    const result = await cli.run(['users', 'create', '--username', 'demo', '--password-stdin', '--name', 'Demo User', '--email', 'demo@example.com'], 'demo-password\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Created user "demo" \(id user_[A-Za-z0-9_-]+\)\.\n$/);
    await cli.withServices(async (services) => {
      const user = await services.store.getUserByUsername('demo');
      assert.match(user!.passwordHash, /^\$argon2id\$/);
      assert.ok(await services.accounts.checkPassword('demo', 'demo-password'), 'the trailing newline is not part of the password');
    });
  });

  test('create with --password and --json prints the user without any password material', async () => {
    const result = await cli.run(['users', 'create', '--username', 'alice', '--password', 'correct horse battery', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const user = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(user.username, 'alice');
    assert.equal(user.name, null);
    assert.deepEqual(Object.keys(user).sort(), ['created_at', 'email', 'id', 'name', 'username']);
  });

  test('a duplicate username is exit 1 naming it; a short password is exit 1 and is not echoed', async () => {
    const duplicate = await cli.run(['users', 'create', '--username', 'demo', '--password-stdin'], 'another-password');
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr, 'error: a user named "demo" already exists\n');
    const short = await cli.run(['users', 'create', '--username', 'bob', '--password-stdin'], 'hunter2\n');
    assert.equal(short.code, 1);
    assert.equal(short.stderr, 'error: a password must be at least 8 characters\n');
    assert.doesNotMatch(short.stderr + short.stdout, /hunter2/);
    const badName = await cli.run(['users', 'create', '--username', 'has space', '--password', 'long-enough-1']);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^error: a username must be/);
  });

  test('the password is required once: neither or both is a usage error (exit 2)', async () => {
    const neither = await cli.run(['users', 'create', '--username', 'carol']);
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /--password-stdin/);
    const both = await cli.run(['users', 'create', '--username', 'carol', '--password', 'long-enough-1', '--password-stdin'], 'x');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /cannot be used with/);
  });

  test('list shows users in a table and as JSON', async () => {
    const table = await cli.run(['users', 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^USERNAME\s+NAME\s+EMAIL\s+ID\s+CREATED\n/);
    assert.match(table.stdout, /\ndemo\s+Demo User\s+demo@example\.com\s+user_/);
    const json = JSON.parse((await cli.run(['users', 'list', '--json'])).stdout) as { users: Array<{ username: string }> };
    assert.deepEqual(json.users.map((u) => u.username).sort(), ['alice', 'demo']);
  });

  test('set-password --password-stdin replaces the password', async () => {
    const result = await cli.run(['users', 'set-password', 'demo', '--password-stdin'], 'a-new-password\n');
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Changed the password of "demo"/);
    await cli.withServices(async (services) => {
      assert.ok(await services.accounts.checkPassword('demo', 'a-new-password'));
      assert.equal(await services.accounts.checkPassword('demo', 'demo-password'), undefined);
    });
    const unknown = await cli.run(['users', 'set-password', 'nobody', '--password-stdin'], 'a-new-password');
    assert.equal(unknown.code, 1);
    assert.equal(unknown.stderr, 'error: no user named "nobody"\n');
  });

  test('delete removes the user; deleting an unknown user is exit 1', async () => {
    const result = await cli.run(['users', 'delete', 'alice']);
    assert.equal(result.code, 0, result.stderr);
    const json = JSON.parse((await cli.run(['users', 'list', '--json'])).stdout) as { users: Array<{ username: string }> };
    assert.deepEqual(json.users.map((u) => u.username), ['demo']);
    const again = await cli.run(['users', 'delete', 'alice']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'error: no user named "alice"\n');
  });
});
