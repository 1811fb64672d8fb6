// parseForm: how the direct OAuth endpoints read a form body (RFC 6749 §3.2 + WHATWG urlencoded rules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseForm } from '../../src/http/form-body.js';

test('decodes names and values, with + as a space', () => {
  assert.deepEqual({ ...parseForm('grant_type=client_credentials&scope=read%3Aleads+write%3Aleads') }, { grant_type: 'client_credentials', scope: 'read:leads write:leads' });
});

test('a repeated name becomes an array, so the request can be refused by name', () => {
  assert.deepEqual({ ...parseForm('scope=a&scope=b&scope=c') }, { scope: ['a', 'b', 'c'] });
});

test('a name without = has an empty value; empty names and pairs are skipped', () => {
  assert.deepEqual({ ...parseForm('a&&=x&b=') }, { a: '', b: '' });
  assert.deepEqual({ ...parseForm('') }, {});
});

test('a malformed %-escape is kept as written instead of failing the request', () => {
  assert.deepEqual({ ...parseForm('x=%zz&y=100%') }, { x: '%zz', y: '100%' });
  // Bytes that are not UTF-8 become U+FFFD, as in any form decoder.
  assert.equal(parseForm('grant_type=%E0%A4%A').grant_type, '\uFFFD%A');
});

test('__proto__ is an ordinary parameter and cannot reach Object.prototype', () => {
  const params = parseForm('__proto__=x&constructor=y');
  assert.equal(params.__proto__, 'x');
  assert.equal(params.constructor, 'y');
  assert.equal(({} as Record<string, unknown>).x, undefined);
});
