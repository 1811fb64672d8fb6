// Control characters and whitespace never get into clients or users, through the admin API or the CLI (both call
// the same domain checks): a URL parser drops TAB/CR/LF and trims spaces, so a redirect URI holding them would be
// checked as one value and stored as another; NUL and other controls in names and emails end up in pages and tokens.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliEnv, type CliEnv } from '../cli/helpers.js';
import { adminFixture, type AdminFixture } from './helpers.js';

const CALLBACK = 'https://app.example/callback';

// Every C0 control, DEL, a C1 control, space and a few Unicode spaces.
const HOSTILE = [...Array.from({ length: 0x20 }, (_, i) => String.fromCharCode(i)), ' ', '\u007f', '\u0085', '\u00a0', '\u2028', '\ufeff'];
const hex = (char: string) => `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

describe('admin API: control characters', () => {
  let admin: AdminFixture;
  before(async () => {
    admin = await adminFixture();
  });
  after(() => admin.close());

  const post = (url: string, payload: object) => admin.app.inject({ method: 'POST', url, payload });

  test('a redirect URI with any control or whitespace character, anywhere, is a 400 naming the redirect URI and the character', async () => {
    for (const char of HOSTILE) {
      // In a host name most of these make the URI unparseable: refused too, named the same way.
      for (const uri of [`https://app.example/cb${char}`, `${char}https://app.example/cb`, `https://app.example/${char}/evil.example`, `https://app${char}.example/cb`]) {
        const response = await post('/admin/clients', { client_name: 'App', redirect_uris: [CALLBACK, uri] });
        assert.equal(response.statusCode, 400, JSON.stringify(uri));
        const body = response.json<{ error: string; error_description: string }>();
        assert.equal(body.error, 'invalid_request');
        const named = `redirect URI ${JSON.stringify(uri)}`;
        const reason = body.error_description.slice(named.length);
        assert.ok(body.error_description.startsWith(named), body.error_description);
        assert.ok(reason === ' is not an absolute URI' || reason.startsWith(` contains a control or whitespace character (${hex(char)})`), body.error_description);
        if (!uri.startsWith('https://app.example/')) continue;
        assert.ok(reason.startsWith(' contains'), body.error_description);
      }
    }
    const created = await post('/admin/clients', { client_name: 'App', client_id: 'app', redirect_uris: [CALLBACK] });
    assert.equal(created.statusCode, 201);
    const patched = await admin.app.inject({ method: 'PATCH', url: '/admin/clients/app', payload: { redirect_uris: [`${CALLBACK}\n`] } });
    assert.equal(patched.statusCode, 400);
    assert.deepEqual((await admin.services.store.listClients()).map((client) => client.redirectUris), [[CALLBACK]]);
  });

  test('a client name with a control character is a 400 naming the name', async () => {
    for (const name of ['Zap\u0000ier', 'Zap\nier', 'Zap\u001b[31mier', 'Zap\u007fier', 'Zap\u009bier']) {
      const response = await post('/admin/clients', { client_name: name, redirect_uris: [CALLBACK] });
      assert.equal(response.statusCode, 400, JSON.stringify(name));
      assert.match(response.json<{ error_description: string }>().error_description, /^a client name must not contain control characters \(found U\+[0-9A-F]{4}\)$/);
    }
    assert.equal((await post('/admin/clients', { client_name: 'Zapier Inc. — Zürich', redirect_uris: [CALLBACK] })).statusCode, 201);
  });

  test('a username, name or email with NUL or another control character is a 400 naming the field; nothing is created', async () => {
    const cases: Array<[object, RegExp]> = [
      [{ username: 'de\u0000mo', password: 'demo-password' }, /^a username must be/],
      [{ username: 'demo\n', password: 'demo-password' }, /^a username must be/],
      [{ username: 'demo', password: 'demo-password', name: 'Demo\u0000User' }, /^a name must not contain control characters \(found U\+0000\)$/],
      [{ username: 'demo', password: 'demo-password', name: 'Demo\r\nSet-Cookie: x' }, /^a name must not contain control characters \(found U\+000D\)$/],
      [{ username: 'demo', password: 'demo-password', email: 'demo@example.com\u0000.evil' }, /^an email must not contain control or whitespace characters \(found U\+0000\)$/],
      [{ username: 'demo', password: 'demo-password', email: 'demo@exa mple.com' }, /^an email must not contain control or whitespace characters \(found U\+0020\)$/],
      [{ username: 'demo', password: 'demo-password', email: 'demo@example.com\t' }, /\(found U\+0009\)$/],
      [{ username: 'demo', password: 'demo-password', email: 'not-an-email' }, /^an email must look like name@example\.com, got "not-an-email"$/],
    ];
    for (const [payload, description] of cases) {
      const response = await post('/admin/users', payload);
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.match(response.json<{ error_description: string }>().error_description, description, JSON.stringify(payload));
    }
    assert.deepEqual(await admin.services.store.listUsers(), []);
    const ok = await post('/admin/users', { username: 'demo', password: 'demo-password', name: 'Zoë Demo', email: 'zoë@example.com' });
    assert.equal(ok.statusCode, 201, ok.body);
  });
});

describe('gatehouse CLI: control characters', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('clients create refuses a redirect URI with a TAB or newline and a name with an escape, exit 1 naming them', async () => {
    const tab = await cli.run(['clients', 'create', '--name', 'App', '--redirect-uri', 'https://app.example/\t/evil.example']);
    assert.equal(tab.code, 1);
    assert.equal(tab.stderr, 'error: redirect URI "https://app.example/\\t/evil.example" contains a control or whitespace character (U+0009); percent-encode it\n');
    const newline = await cli.run(['clients', 'create', '--name', 'App', '--redirect-uri', 'https://app.example/cb\n']);
    assert.equal(newline.code, 1);
    assert.match(newline.stderr, /^error: redirect URI "https:\/\/app\.example\/cb\\n" contains a control or whitespace character \(U\+000A\)/);
    const escape = await cli.run(['clients', 'create', '--name', 'App\u001b[2J', '--redirect-uri', CALLBACK]);
    assert.equal(escape.code, 1);
    assert.equal(escape.stderr, 'error: a client name must not contain control characters (found U+001B)\n');
    await cli.withServices(async (services) => assert.deepEqual(await services.store.listClients(), []));
  });

  test('users create refuses a name or email with a control character, exit 1 naming the field', async () => {
    const name = await cli.run(['users', 'create', '--username', 'demo', '--password-stdin', '--name', 'Demo\u0007'], 'demo-password\n');
    assert.equal(name.code, 1);
    assert.equal(name.stderr, 'error: a name must not contain control characters (found U+0007)\n');
    const email = await cli.run(['users', 'create', '--username', 'demo', '--password-stdin', '--email', 'demo@example.com\r'], 'demo-password\n');
    assert.equal(email.code, 1);
    assert.equal(email.stderr, 'error: an email must not contain control or whitespace characters (found U+000D)\n');
    await cli.withServices(async (services) => assert.deepEqual(await services.store.listUsers(), []));
  });
});
