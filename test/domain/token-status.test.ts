// The one token status, as pure logic: introspection, userinfo and `tokens inspect` all read it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenStatus } from '../../src/domain/token-status.js';

const NOW = 1_800_000_000;

test('a token is active until the second it expires, then expired since its exp (no leeway for the issuer\'s own records)', () => {
  assert.deepEqual(tokenStatus({ expiresAt: NOW + 1, revokedAt: null }, NOW), { status: 'active', at: null });
  assert.deepEqual(tokenStatus({ expiresAt: NOW, revokedAt: null }, NOW), { status: 'expired', at: NOW });
});

test('revoked comes before rotated, and rotated before expired', () => {
  assert.deepEqual(tokenStatus({ expiresAt: NOW - 10, revokedAt: NOW - 5, rotatedAt: NOW - 20 }, NOW), { status: 'revoked', at: NOW - 5 });
  assert.deepEqual(tokenStatus({ expiresAt: NOW - 10, revokedAt: null, rotatedAt: NOW - 20 }, NOW), { status: 'rotated', at: NOW - 20 });
});

test('a token revoked at a time nobody recorded (its grant is gone) is revoked, with no time', () => {
  assert.deepEqual(tokenStatus({ expiresAt: NOW + 60, revokedAt: null, revoked: true }, NOW), { status: 'revoked', at: null });
});
