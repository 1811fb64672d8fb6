// The gatehouse command says what it touches and asks before it destroys: the database line, a missing database,
// durations without a unit, confirmation of delete and revoke, a token from another issuer, cleanup's one line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { once } from 'node:events';
import { generateKeyPair, SignJWT } from 'jose';
import { builtCli } from '../helpers/built-cli.js';
import { cliEnv, issueUserTokens, runCli, startCli, type CliEnv } from './helpers.js';

const ISSUER = 'http://127.0.0.1:4444';

function databasePath(cli: CliEnv): string {
  return cli.env.GATEHOUSE_DATABASE_URL!.slice('sqlite:'.length);
}

/** Runs the command on a pseudo-terminal (util-linux `script`), typing `answer`: how a person at a terminal runs it. */
function runAtTerminal(args: string[], env: Record<string, string>, answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, builtCli(), ...args].map((word) => `'${word.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = execFile('script', ['-qec', command, '/dev/null'], { env: { PATH: process.env.PATH ?? '', ...env } }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, output: stdout });
    });
    child.stdin!.end(answer);
  });
}

const hasScript = await new Promise<boolean>((resolve) => execFile('script', ['--version'], (error) => resolve(!error)));

describe('gatehouse: which database and issuer', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('every database command starts stderr with one line naming the database and the issuer; --quiet hides it', async () => {
    const expected = `Using database sqlite:${databasePath(cli)} (issuer ${ISSUER})`;
    for (const args of [['clients', 'list'], ['users', 'list', '--json'], ['keys', 'list'], ['cleanup'], ['migrate']]) {
      const result = await cli.run(args);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.database, expected, args.join(' '));
      assert.equal(result.stderr, '', `${args.join(' ')}: nothing else on stderr`);
      assert.doesNotMatch(result.stdout, /Using database/, 'stdout stays the command\'s output (JSON stays parseable)');
    }
    const quiet = await cli.run(['clients', 'list', '--quiet']);
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.equal(quiet.database, undefined);
    assert.equal(quiet.stderr, '');
    const short = await cli.run(['keys', 'list', '-q', '--json']);
    assert.equal(short.database, undefined);
    assert.ok(JSON.parse(short.stdout));
  });

  test('a PostgreSQL URL is named without its password', async () => {
    // Port 1: nothing listens, so the command fails after naming the database; the password appears nowhere.
    const result = await runCli(['clients', 'list'], { ...cli.env, GATEHOUSE_DATABASE_URL: 'postgres://gatehouse:hunter2-secret@127.0.0.1:1/gatehouse' });
    assert.equal(result.code, 1);
    assert.equal(result.database, `Using database postgres://gatehouse:***@127.0.0.1:1/gatehouse (issuer ${ISSUER})`);
    assert.doesNotMatch(result.stdout + result.stderr, /hunter2/);
  });
});

describe('gatehouse: where no database exists', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv({}, { migrated: false });
  });
  after(() => cli.remove());

  test('an admin command refuses with a hint, exit 1, and creates nothing (no file, no folder, no secret)', async () => {
    const folder = join(dirname(databasePath(cli)), 'wrong-folder');
    const path = join(folder, 'gatehouse.db');
    // No GATEHOUSE_SECRET: a SQLite database would get a generated secret file beside it.
    const result = await runCli(['clients', 'list'], { ...cli.env, GATEHOUSE_DATABASE_URL: `sqlite:${path}`, GATEHOUSE_SECRET: '' });
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `error: no database at ${path}: run "gatehouse migrate" to create it (or pass --create), or set GATEHOUSE_DATABASE_URL to the server's database\n`);
    assert.equal(result.stdout, '');
    assert.equal(existsSync(folder), false, 'nothing was created');
  });

  test('--create makes it and says so; the next command uses it', async () => {
    const path = databasePath(cli);
    const created = await cli.run(['users', 'list', '--create']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.database, `Creating new database at ${path} (issuer ${ISSUER})`);
    assert.ok(existsSync(path));
    const next = await cli.run(['users', 'list']);
    assert.equal(next.database, `Using database sqlite:${path} (issuer ${ISSUER})`);
  });

  test('migrate and serve create a missing database and say so first', async () => {
    const dir = dirname(databasePath(cli));
    const migrated = await runCli(['migrate'], { ...cli.env, GATEHOUSE_DATABASE_URL: `sqlite:${dir}/migrated.db` });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.equal(migrated.database, `Creating new database at ${dir}/migrated.db (issuer ${ISSUER})`);

    const child = startCli(['serve'], { ...cli.env, GATEHOUSE_DATABASE_URL: `sqlite:${dir}/served.db`, GATEHOUSE_PORT: '0', GATEHOUSE_ADMIN_PORT: '0', GATEHOUSE_HOST: '127.0.0.1', GATEHOUSE_ADMIN_HOST: '127.0.0.1' });
    const exited = once(child, 'close');
    let stderr = '';
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          if (/is serving on .*\n/.test(stderr)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
      assert.match(stderr, new RegExp(`^Creating new database at ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/served\\.db \\(issuer http://127\\.0\\.0\\.1:4444\\)\\nGatehouse \\(issuer`));
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal((await exited)[0], 0, stderr);
  });

  test('--help says so: admin commands offer --create and --quiet, serve and migrate only --quiet', async () => {
    const list = await cli.run(['clients', 'list', '--help']);
    assert.match(list.stdout, /--create\s+create the SQLite database if it does not exist \(default: refuse/);
    assert.match(list.stdout, /-q, --quiet/);
    for (const command of ['serve', 'migrate']) {
      const help = await cli.run([command, '--help']);
      assert.match(help.stdout, /-q, --quiet/, command);
      assert.doesNotMatch(help.stdout, /--create/, command);
    }
  });
});

/** A CLI database holding the story's client (zapier-client) and user (demo). */
async function zapierAndDemo(): Promise<CliEnv> {
  const cli = cliEnv();
  await cli.withServices(async (services) => {
    await services.clients.create({ name: 'Zapier', clientId: 'zapier-client', redirectUris: ['https://zapier.com/cb'], scopes: 'read:leads' });
    await services.accounts.createUser({ username: 'demo', password: 'demo-password' });
  });
  return cli;
}

describe('gatehouse: durations, confirmation, foreign tokens', () => {
  let cli: CliEnv;
  before(async () => {
    cli = await zapierAndDemo();
  });
  after(() => cli.remove());

  test('a duration flag without a unit is a usage error asking for one; nothing is saved', async () => {
    for (const [flag, value] of [['--access-token-ttl', '1'], ['--refresh-token-ttl', '30'], ['--refresh-token-grace', '0']] as const) {
      const result = await cli.run(['clients', 'create', '--name', 'Unitless', '--client-id', 'unitless', '--redirect-uri', 'https://u.example/cb', flag, value]);
      assert.equal(result.code, 2, flag);
      assert.match(result.stderr, new RegExp(`^error: option '${flag} <duration>' argument '${value}' is invalid\\. give a unit, e.g\\. 1h, 30m, 3600s\\.\\n`), flag);
    }
    const update = await cli.run(['clients', 'update', 'zapier-client', '--access-token-ttl', '3600']);
    assert.equal(update.code, 2);
    assert.match(update.stderr, /give a unit/);
    await cli.withServices(async (services) => {
      assert.equal(await services.store.getClient('unitless'), undefined);
      assert.equal((await services.store.getClient('zapier-client'))?.accessTokenTtl, 3600, 'unchanged default');
    });
    const withUnit = await cli.run(['clients', 'update', 'zapier-client', '--access-token-ttl', '15m', '--json']);
    assert.equal(withUnit.code, 0, withUnit.stderr);
    assert.equal((JSON.parse(withUnit.stdout) as { access_token_ttl: number }).access_token_ttl, 900);
    // Settings keep their documented bare seconds.
    const setting = await runCli(['keys', 'list'], { ...cli.env, GATEHOUSE_KEY_RETENTION: '3600' });
    assert.equal(setting.code, 0, setting.stderr);
  });

  test('clients delete and grants revoke without a terminal and without --yes refuse, and change nothing', async () => {
    const tokens = await cli.withServices((services) => issueUserTokens(services, 'zapier-client', 'demo', ['read:leads']));
    const deleted = await cli.run(['clients', 'delete', 'zapier-client']);
    assert.equal(deleted.code, 1);
    assert.equal(deleted.stderr, 'error: deleting client "zapier-client" needs confirmation: pass --yes (no terminal to ask on)\n');
    const revoked = await cli.run(['grants', 'revoke', tokens.grantId, '--json']);
    assert.equal(revoked.code, 1);
    assert.equal(revoked.stderr, `error: revoking grant ${tokens.grantId} needs confirmation: pass --yes (no terminal to ask on)\n`);
    assert.equal(revoked.stdout, '');
    await cli.withServices(async (services) => {
      assert.ok(await services.store.getClient('zapier-client'), 'the client is still there');
      assert.equal((await services.store.getGrant(tokens.grantId))?.revokedAt, null, 'the grant is still active');
    });
    const yes = await cli.run(['grants', 'revoke', tokens.grantId, '--yes']);
    assert.equal(yes.code, 0, yes.stderr);
    assert.match(yes.stdout, /^Revoked grant /);
  });

  test('at a terminal they ask; no keeps the client, yes deletes it', { skip: hasScript ? false : 'util-linux script is not installed' }, async () => {
    await cli.withServices((services) => services.clients.create({ name: 'Asked', clientId: 'asked', redirectUris: ['https://asked.example/cb'] }));
    const no = await runAtTerminal(['clients', 'delete', 'asked'], cli.env, 'n\n');
    assert.equal(no.code, 1, no.output);
    assert.match(no.output, /Delete client "asked" \(Asked\) and every grant and token issued to it\? \[y\/N\]/);
    assert.match(no.output, /error: not confirmed: client "asked" was not deleted/);
    assert.ok(await cli.withServices((services) => services.store.getClient('asked')), 'kept');
    const yes = await runAtTerminal(['clients', 'delete', 'asked'], cli.env, 'y\n');
    assert.equal(yes.code, 0, yes.output);
    assert.match(yes.output, /Deleted client "asked"/);
    assert.equal(await cli.withServices((services) => services.store.getClient('asked')), undefined, 'deleted');
  });

  test('tokens inspect names both issuers when a JWT is from another issuer', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const foreign = await new SignJWT({ scope: 'read:leads' })
      .setProtectedHeader({ alg: 'ES256', kid: 'other' })
      .setIssuer('https://staging.gatehouse.example')
      .setSubject('someone')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey);
    const human = await cli.run(['tokens', 'inspect', foreign]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Kind:\s+unknown\n/);
    assert.match(human.stdout, /\nIssuer:\s+the token's issuer "https:\/\/staging\.gatehouse\.example" is not this Gatehouse's issuer "http:\/\/127\.0\.0\.1:4444"\n/);
    const json = await cli.run(['tokens', 'inspect', foreign, '--json']);
    assert.equal(json.code, 0, json.stderr);
    assert.equal((JSON.parse(json.stdout) as { kind: string }).kind, 'unknown', 'stdout keeps the admin API shape');
    assert.equal(json.stderr, `note: the token's issuer "https://staging.gatehouse.example" is not this Gatehouse's issuer "${ISSUER}"\n`);

    // The issuer is the token maker's text: control characters are shown escaped, never sent to the terminal.
    const hostile = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://evil.example/\u001b[2J\u009b31m').sign(privateKey);
    const escaped = await cli.run(['tokens', 'inspect', hostile]);
    assert.equal(escaped.code, 0, escaped.stderr);
    assert.ok(escaped.stdout.includes('"https://evil.example/\\u001b[2J\\u009b31m"'), escaped.stdout);
    assert.doesNotMatch(escaped.stdout, /[\u001b\u009b]/);

    const own = await cli.withServices((services) => issueUserTokens(services, 'zapier-client', 'demo', ['read:leads']));
    const ours = await cli.run(['tokens', 'inspect', own.accessToken]);
    assert.match(ours.stdout, /^Kind:\s+JWT access token\n/);
    assert.doesNotMatch(ours.stdout, /Issuer:/, 'no note for our own issuer');
    assert.equal(ours.stderr, '');
  });

});

describe('gatehouse cleanup', () => {
  let cli: CliEnv;
  before(async () => {
    cli = await zapierAndDemo();
  });
  after(() => cli.remove());

  test('cleanup prints one line naming what it removed, and --json the counts', async () => {
    // Two hours old: its authorization code and access token have expired; the refresh token (30 days) keeps the grant.
    await cli.withServices((services) => issueUserTokens(services, 'zapier-client', 'demo', ['read:leads'], 2 * 3600));
    const result = await cli.run(['cleanup']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Removed [^\n]*\(\d+ records\)\.\n$/, 'one line');
    assert.match(result.stdout, /\b1 authorization code\b/);
    assert.match(result.stdout, /\b1 access token\b/);
    assert.doesNotMatch(result.stdout, /\b0 /, 'only what was removed');
    const again = await cli.run(['cleanup']);
    assert.equal(again.stdout, 'Removed nothing: no expired or revoked records.\n');
    const json = await cli.run(['cleanup', '--json']);
    assert.equal((JSON.parse(json.stdout) as Record<string, number>).access_tokens, 0);
  });
});
