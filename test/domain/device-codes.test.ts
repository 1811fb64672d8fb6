// User codes (RFC 8628 §6.1): 8 letters of an alphabet without vowels or look-alikes, shown as XXXX-XXXX and
// matched however a person types them; and DeviceCodeService's one approval path.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeviceCodeService, formatUserCode, normalizeUserCode, USER_CODE_ALPHABET, USER_CODE_LENGTH } from '../../src/domain/device-codes.js';
import { randomString } from '../../src/domain/crypto.js';
import { openStore } from '../../src/store/open.js';
import { TestClock } from '../helpers/clock.js';
import { tempSqliteUrl } from '../helpers/server.js';
import { client, user } from '../store/fixtures.js';

test('the alphabet has 20 distinct consonants: no vowels (no words), no look-alikes of digits', () => {
  assert.equal(new Set(USER_CODE_ALPHABET).size, 20);
  assert.doesNotMatch(USER_CODE_ALPHABET, /[AEIOUY0-9]/);
  assert.equal(USER_CODE_LENGTH, 8);
});

test('a user code matches whatever its case, dashes and spaces', () => {
  for (const typed of ['BCDF-GHJK', 'bcdfghjk', ' bcdf ghjk ', 'Bc-Df-Gh-Jk', 'BCDF\tGHJK']) assert.equal(normalizeUserCode(typed), 'BCDFGHJK', typed);
  for (const typed of ['', 'BCDF-GHJ', 'BCDF-GHJKL', 'ABCD-EFGH', 'BCDF-GHJ1', 'BCDF_GHJK', 'ßCDF-GHJK']) assert.equal(normalizeUserCode(typed), undefined, typed);
  assert.equal(formatUserCode('BCDFGHJK'), 'BCDF-GHJK');
});

test('drawn codes use only the alphabet, every letter of it', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const code = randomString(USER_CODE_ALPHABET, USER_CODE_LENGTH);
    assert.equal(normalizeUserCode(code), code);
    for (const letter of code) seen.add(letter);
  }
  assert.equal(seen.size, USER_CODE_ALPHABET.length);
});

test('approve: only a pending, unexpired code, and never beyond the scopes the device asked for', async () => {
  const temp = tempSqliteUrl();
  const store = await openStore(temp.url);
  try {
    await store.migrate();
    const c = client();
    const u = user();
    await store.createClient(c);
    await store.createUser(u);
    const clock = TestClock.frozen();
    const devices = new DeviceCodeService(store, clock, 600);
    const first = await devices.start(c.clientId, ['read:leads']);
    assert.equal(await devices.approve(first.userCode, u.id, ['read:leads', 'write:leads'], 1), false, 'beyond the request');
    assert.equal(await devices.approve(first.userCode.toLowerCase(), u.id, ['read:leads'], 1), true);
    assert.equal(await devices.deny(first.userCode, u.id), false, 'decided already');
    assert.equal(await devices.findPending(first.userCode), undefined);

    const second = await devices.start(c.clientId, []);
    assert.ok(await devices.findPending(second.userCode));
    clock.advanceSeconds(600);
    assert.equal(await devices.findPending(second.userCode), undefined, 'expired');
    assert.equal(await devices.approve(second.userCode, u.id, [], 1), false);
  } finally {
    await store.close();
    temp.remove();
  }
});
