// The gatehouse command as a whole: help, usage errors, configuration errors, migrate.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { once } from 'node:events';
import { cliEnv, runCli, startCli, type CliEnv } from './helpers.js';

describe('gatehouse', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('--help lists every command of the contract', async () => {
    const result = await cli.run(['--help']);
    assert.equal(result.code, 0);
    for (const command of ['serve', 'migrate', 'clients', 'users', 'keys', 'tokens', 'grants', 'cleanup']) {
      assert.match(result.stdout, new RegExp(`\\n  ${command}\\b`), command);
    }
    const clients = await cli.run(['clients', '--help']);
    for (const sub of ['create', 'list', 'show', 'update', 'delete', 'rotate-secret']) assert.match(clients.stdout, new RegExp(`\\n  ${sub}\\b`), sub);
    const create = await cli.run(['clients', 'create', '--help']);
    for (const option of ['--name', '--client-id', '--redirect-uri', '--grant-type', '--scope', '--public', '--token-endpoint-auth-method', '--access-token-ttl', '--refresh-token-ttl', '--refresh-token-grace', '--access-token-format', '--json']) {
      assert.ok(create.stdout.includes(option), option);
    }
    const users = await cli.run(['users', 'create', '--help']);
    for (const option of ['--username', '--password', '--password-stdin', '--name', '--email']) assert.ok(users.stdout.includes(option), option);
    const grants = await cli.run(['grants', 'list', '--help']);
    for (const option of ['--user', '--client', '--all', '--json']) assert.ok(grants.stdout.includes(option), option);
  });

  test('an unknown command or option is a usage error, exit 2', async () => {
    const command = await cli.run(['clientz']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /^error: unknown command 'clientz'/);
    const option = await cli.run(['clients', 'list', '--jsn']);
    assert.equal(option.code, 2);
    assert.match(option.stderr, /^error: unknown option '--jsn'/);
    const group = await cli.run(['keys']);
    assert.equal(group.code, 2, 'a group without a subcommand shows its help as an error');
    assert.match(group.stderr, /Usage: gatehouse keys/);
  });

  test('a bad setting is one line naming it, exit 1, with no stack and no password', async () => {
    const shortSecret = await runCli(['clients', 'list'], { ...cli.env, GATEHOUSE_SECRET: 'too-short' });
    assert.equal(shortSecret.code, 1);
    assert.equal(shortSecret.stderr, 'error: GATEHOUSE_SECRET must be at least 32 characters long\n');
    const badUrl = await runCli(['clients', 'list'], { ...cli.env, GATEHOUSE_DATABASE_URL: 'mysql://admin:hunter2-secret@db.example/gatehouse' });
    assert.equal(badUrl.code, 1);
    assert.match(badUrl.stderr, /^error: GATEHOUSE_DATABASE_URL must start with sqlite: or postgres:\/\//);
    assert.doesNotMatch(badUrl.stderr, /hunter2/);
    const badPort = await runCli(['migrate'], { ...cli.env, GATEHOUSE_ADMIN_PORT: 'http' });
    assert.equal(badPort.code, 1);
    assert.match(badPort.stderr, /GATEHOUSE_ADMIN_PORT must be a port number/);
    assert.equal(badPort.stderr.split('\n').filter(Boolean).length, 1);
  });

  test('migrate brings the database up to date and can run again', async () => {
    for (let i = 0; i < 2; i++) {
      const result = await cli.run(['migrate']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /is up to date; 2 active signing keys/);
    }
  });

  test('serve runs the issuer and the admin API on their own ports and stops cleanly on SIGTERM', async () => {
    const child = startCli(['serve'], { ...cli.env, GATEHOUSE_PORT: '0', GATEHOUSE_ADMIN_PORT: '0', GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_ADMIN_HOST: '127.0.0.1' });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    const exited = once(child, 'close');
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
        child.stderr.on('data', (chunk: string) => {
          stderr += chunk;
          if (/is serving on .*\n/.test(stderr)) {
            clearTimeout(timer);
            resolve(stderr);
          }
        });
      });
      assert.match(line, /^Using database sqlite:\/\S+\/db\.sqlite \(issuer http:\/\/127\.0\.0\.1:4444\)\n/, 'first, which database and issuer');
      const match = /is serving on (http:\/\/\S+); admin API on (http:\/\/\S+)\n/.exec(line);
      assert.ok(match, line);
      const [, publicUrl, adminUrl] = match;
      assert.notEqual(publicUrl, adminUrl);
      const health = await fetch(`${adminUrl}/healthz`);
      assert.deepEqual(await health.json(), { status: 'ok' });
      const discovery = await fetch(`${publicUrl}/.well-known/openid-configuration`);
      assert.equal(discovery.status, 200);
      const adminOnPublic = await fetch(`${publicUrl}/admin/clients`);
      assert.equal(adminOnPublic.status, 404, 'the admin API is not on the public port');
    } finally {
      child.kill('SIGTERM');
    }
    const [code] = await exited;
    assert.equal(code, 0, stderr);
  });
});
