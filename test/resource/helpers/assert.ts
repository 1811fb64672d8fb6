import assert from 'node:assert/strict';
import { ResourceAuthError } from '../../../src/resource/index.js';

/** Asserts the promise rejects with a ResourceAuthError of this code, and returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<ResourceAuthError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ResourceAuthError, `expected a ResourceAuthError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but the token was accepted`);
}
