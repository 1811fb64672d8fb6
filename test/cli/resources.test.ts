// gatehouse resources …: run as a real child process against a temporary SQLite database.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cliEnv, type CliEnv } from './helpers.js';

describe('gatehouse resources', () => {
  let cli: CliEnv;
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('create, list (table and JSON), delete', async () => {
    const created = await cli.run(['resources', 'create', '--uri', 'https://api.example.com/leads', '--name', 'Leads API', '--scope', 'read:leads write:leads', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const view = JSON.parse(created.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(view).sort(), ['created_at', 'name', 'scope', 'uri']);
    assert.equal(view.uri, 'https://api.example.com/leads');
    assert.equal(view.name, 'Leads API');
    assert.equal(view.scope, 'read:leads write:leads');

    const plain = await cli.run(['resources', 'create', '--uri', 'urn:example:reports']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(plain.stdout, 'Registered resource urn:example:reports, accepting any scope.\n');

    const table = await cli.run(['resources', 'list']);
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /https:\/\/api\.example\.com\/leads\s+Leads API\s+read:leads write:leads/);
    assert.match(table.stdout, /urn:example:reports\s+-\s+\(any\)/);
    const json = await cli.run(['resources', 'list', '--json']);
    assert.deepEqual((JSON.parse(json.stdout) as { resources: Array<{ uri: string }> }).resources.map((r) => r.uri), ['https://api.example.com/leads', 'urn:example:reports']);

    const deleted = await cli.run(['resources', 'delete', 'urn:example:reports', '--json']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.deepEqual(JSON.parse(deleted.stdout), { uri: 'urn:example:reports', deleted: true });
    const again = await cli.run(['resources', 'delete', 'urn:example:reports']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'error: no resource with URI "urn:example:reports"\n');
  });

  test('a duplicate, a relative URI, a fragment and a bad scope are exit 1 naming the problem', async () => {
    await cli.run(['resources', 'create', '--uri', 'https://dup.example']);
    const duplicate = await cli.run(['resources', 'create', '--uri', 'https://dup.example']);
    assert.equal(duplicate.code, 1);
    assert.equal(duplicate.stderr, 'error: a resource with URI "https://dup.example" is already registered\n');
    const relative = await cli.run(['resources', 'create', '--uri', '/api/leads']);
    assert.equal(relative.code, 1);
    assert.match(relative.stderr, /^error: resource URI "\/api\/leads" is not an absolute URI/);
    const fragment = await cli.run(['resources', 'create', '--uri', 'https://api.example.com/#x']);
    assert.equal(fragment.code, 1);
    assert.match(fragment.stderr, /must not contain a fragment/);
    const scope = await cli.run(['resources', 'create', '--uri', 'https://s.example', '--scope', 'read"leads']);
    assert.equal(scope.code, 1);
    assert.match(scope.stderr, /not a valid scope token/);
    const missing = await cli.run(['resources', 'create']);
    assert.equal(missing.code, 2);
  });
});
