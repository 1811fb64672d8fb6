// gatehouse keys list | rotate
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { KeyView } from '../../src/admin/views.js';
import { cliEnv, type CliEnv } from './helpers.js';

describe('gatehouse keys', () => {
  let cli: CliEnv;
  let firstKeys: KeyView[] = [];
  before(() => {
    cli = cliEnv();
  });
  after(() => cli.remove());

  test('list shows one active, published ES256 and RS256 key', async () => {
    const result = await cli.run(['keys', 'list', '--json']);
    assert.equal(result.code, 0, result.stderr);
    firstKeys = (JSON.parse(result.stdout) as { keys: KeyView[] }).keys;
    assert.deepEqual(firstKeys.map((k) => k.alg).sort(), ['ES256', 'RS256']);
    assert.ok(firstKeys.every((k) => k.status === 'active' && k.published && k.retired_at === null && k.published_until === null));
    const table = await cli.run(['keys', 'list']);
    assert.match(table.stdout, /^KID\s+ALG\s+SIGNS\s+STATUS\s+PUBLISHED\s+CREATED\s+RETIRED\n/);
    assert.match(table.stdout, /ES256\s+access tokens\s+active\s+yes\s/);
    assert.match(table.stdout, /RS256\s+ID tokens\s+active\s+yes\s/);
  });

  test('rotate makes new active keys; the old ones are still listed as retired and published', async () => {
    const result = await cli.run(['keys', 'rotate', '--json']);
    assert.equal(result.code, 0, result.stderr);
    const { rotated, keys } = JSON.parse(result.stdout) as { rotated: KeyView[]; keys: KeyView[] };
    assert.equal(rotated.length, 2);
    assert.ok(rotated.every((k) => k.status === 'active' && k.published));
    assert.equal(keys.length, 4);
    for (const old of firstKeys) {
      const now = keys.find((k) => k.kid === old.kid);
      assert.equal(now?.status, 'retired', old.kid);
      assert.equal(now?.published, true, old.kid);
      assert.ok(now?.published_until && Date.parse(now.published_until) > Date.now(), 'published until the retention ends');
    }
    const table = await cli.run(['keys', 'list']);
    for (const old of firstKeys) assert.match(table.stdout, new RegExp(`${old.kid}\\s+${old.alg}\\s+\\S+( \\S+)?\\s+retired\\s+yes, until \\d{4}-`));
  });

  test('rotate --alg ES256 rotates only that algorithm', async () => {
    const result = await cli.run(['keys', 'rotate', '--alg', 'ES256']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Rotated ES256:/);
    const keys = (JSON.parse((await cli.run(['keys', 'list', '--json'])).stdout) as { keys: KeyView[] }).keys;
    assert.equal(keys.filter((k) => k.alg === 'ES256').length, 3);
    assert.equal(keys.filter((k) => k.alg === 'RS256').length, 2);
    assert.equal(keys.filter((k) => k.status === 'active').length, 2);
    const bad = await cli.run(['keys', 'rotate', '--alg', 'HS256']);
    assert.equal(bad.code, 2);
  });
});
