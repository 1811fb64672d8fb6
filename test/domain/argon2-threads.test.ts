// argon2id on its own low-priority threads: the same hashes as before, and the threads really run at nice 10.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { verify } from '@node-rs/argon2';
import { ARGON2_NICE, Argon2Threads } from '../../src/domain/argon2-threads.js';

const OPTIONS = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
const START_PRIORITY = getPriority();
const threads = new Argon2Threads();
after(() => threads.close());

test('hashes are argon2id that verify against the password, and only against it', async () => {
  const hash = await threads.hash('correct horse battery staple', OPTIONS);
  assert.match(hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  assert.equal(await verify(hash, 'correct horse battery staple'), true, 'readable by the library directly (stored hashes stay compatible)');
  assert.equal(await threads.verify(hash, 'correct horse battery staple'), true);
  assert.equal(await threads.verify(hash, 'wrong horse battery staple'), false);
});

test('a hash that cannot be read verifies as false, not as an error', async () => {
  assert.equal(await threads.verify('$argon2id$v=19$fake', 'anything'), false);
  assert.equal(await threads.verify('', 'anything'), false);
});

test('calls at once each get a thread, and every answer goes to its own caller', async () => {
  const passwords = ['first-password', 'second-password', 'third-password'];
  const hashes = await Promise.all(passwords.map((password) => threads.hash(password, OPTIONS)));
  const checks = await Promise.all(passwords.flatMap((password, i) => [threads.verify(hashes[i]!, password), threads.verify(hashes[i]!, `${password}!`)]));
  assert.deepEqual(checks, [true, false, true, false, true, false]);
});

test('the argon2 threads run at a lower CPU priority (nice 10) than the server, which stays at its own', { skip: process.platform !== 'linux' && 'thread priorities are set on Linux' }, async () => {
  const thread = await threads.threadPriority();
  // Nice 10, or the process's own when it was started nicer still (an unprivileged thread cannot go below it).
  assert.equal(thread, Math.max(ARGON2_NICE, START_PRIORITY));
  assert.equal(getPriority(), START_PRIORITY, 'the main thread is untouched');
});
