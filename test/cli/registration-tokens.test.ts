// gatehouse registration-tokens … and the four client display fields (--logo-uri, --client-uri, --policy-uri,
// --tos-uri): run as a real child process against a temporary SQLite database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliEnv, type CliEnv } from './helpers.js';

describe('gatehouse registration-tokens', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('create (shown once), list without the token, revoke', async () => {
    const created = await cli.run(['registration-tokens', 'create', '--expires-in', '2h', '--max-uses', '3', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(view).sort(), ['created_at', 'expires_at', 'id', 'max_uses', 'token', 'uses']);
    assert.match(String(view.token), /^ghi_/);
    assert.match(String(view.id), /^iat_/);
    assert.equal(view.max_uses, 3);
    assert.equal(Date.parse(String(view.expires_at)) - Date.parse(String(view.created_at)), 2 * 3600 * 1000);

    const plain = await cli.run(['registration-tokens', 'create']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /^Registration token iat_\S+, valid until .*:\nghi_\S+\nIt is shown only this once/);

    const list = await cli.run(['registration-tokens', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const listed = (JSON.parse(list.stdout) as { registration_tokens: Array<Record<string, unknown>> }).registration_tokens;
    assert.equal(listed.length, 2);
    assert.ok(listed.every((t) => !('token' in t)), 'a list never shows a token');
    assert.ok(!list.stdout.includes(String(view.token)));
    const table = await cli.run(['registration-tokens', 'list']);
    assert.match(table.stdout, new RegExp(`${String(view.id)}\\s+0 of 3\\s+.*usable`));

    const revoked = await cli.run(['registration-tokens', 'revoke', String(view.id), '--json']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(JSON.parse(revoked.stdout), { id: view.id, revoked: true });
    const again = await cli.run(['registration-tokens', 'revoke', String(view.id)]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, `error: no registration token with id "${String(view.id)}"\n`);
  });

  test('bad values are errors naming the option', async () => {
    const expires = await cli.run(['registration-tokens', 'create', '--expires-in', 'soon']);
    assert.equal(expires.code, 2);
    assert.match(expires.stderr, /--expires-in/);
    const uses = await cli.run(['registration-tokens', 'create', '--max-uses', '0']);
    assert.equal(uses.code, 2);
    assert.match(uses.stderr, /--max-uses/);
    const short = await cli.run(['registration-tokens', 'create', '--expires-in', '10s']);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /must expire in 1m to 366d/);
  });
});

describe('gatehouse clients: display fields', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('--logo-uri, --client-uri, --policy-uri, --tos-uri are stored, shown, changed and removed', async () => {
    const created = await cli.run([
      'clients', 'create', '--name', 'Shown', '--client-id', 'shown-client', '--redirect-uri', 'https://shown.example/cb',
      '--logo-uri', 'https://shown.example/logo.png', '--client-uri', 'https://shown.example', '--policy-uri', 'https://shown.example/privacy',
      '--tos-uri', 'http://localhost:3000/tos', '--json',
    ]);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.equal(view.logo_uri, 'https://shown.example/logo.png');
    assert.equal(view.client_uri, 'https://shown.example');
    assert.equal(view.policy_uri, 'https://shown.example/privacy');
    assert.equal(view.tos_uri, 'http://localhost:3000/tos');
    assert.equal(view.dynamically_registered, false);

    const shown = await cli.run(['clients', 'show', 'shown-client']);
    assert.match(shown.stdout, /Logo:\s+https:\/\/shown\.example\/logo\.png/);
    assert.match(shown.stdout, /Terms of service:\s+http:\/\/localhost:3000\/tos/);
    assert.match(shown.stdout, /Registered:\s+by an administrator/);

    const updated = await cli.run(['clients', 'update', 'shown-client', '--logo-uri', '', '--tos-uri', 'https://shown.example/tos', '--json']);
    assert.equal(updated.code, 0, updated.stderr);
    const after = JSON.parse(updated.stdout) as Record<string, unknown>;
    assert.equal(after.logo_uri, null, '"" removes it');
    assert.equal(after.tos_uri, 'https://shown.example/tos');
    assert.equal(after.client_uri, 'https://shown.example', 'untouched');

    for (const [option, value, message] of [
      ['--logo-uri', 'http://shown.example/logo.png', /logo_uri .* not loopback; use https/],
      ['--policy-uri', 'privacy.html', /policy_uri "privacy.html" is not an absolute URI/],
      ['--client-uri', 'javascript:alert(1)', /client_uri .* must use https/],
      ['--tos-uri', 'https://shown.example/tos#top', /tos_uri .* fragment/],
    ] as const) {
      const refused = await cli.run(['clients', 'update', 'shown-client', option, value]);
      assert.equal(refused.code, 1, option);
      assert.match(refused.stderr, message, option);
    }
  });
});
