// The argon2 limiter as pure logic: tasks are promises the test settles by hand, so nothing depends on timing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PasswordCheckLimit, PasswordChecksBusyError } from '../../src/domain/password-check-limit.js';

/** A task that runs until the test finishes it, and records that it started. */
function gate(started: string[], name: string) {
  let finish!: (value: string) => void;
  let fail!: (error: Error) => void;
  const done = new Promise<string>((resolve, reject) => { finish = resolve; fail = reject; });
  return { task: () => { started.push(name); return done; }, finish: () => finish(name), fail: (error: Error) => fail(error) };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
/** A clock that never moves: checks take no time, so slots never rest. */
const frozen = () => 0;

test('runs at most `concurrency` checks at once and starts the waiting ones in arrival order as slots free', async () => {
  const limit = new PasswordCheckLimit({ concurrency: 2, queue: 3, now: frozen });
  const started: string[] = [];
  const gates = ['a', 'b', 'c', 'd'].map((name) => gate(started, name));
  const results = gates.map((g) => limit.run(g.task));
  await turn();
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(limit.active, 2);
  assert.equal(limit.queued, 2);
  gates[1]!.finish();
  assert.equal(await results[1], 'b');
  await turn();
  assert.deepEqual(started, ['a', 'b', 'c']);
  assert.equal(limit.active, 2);
  assert.equal(limit.queued, 1);
  gates[0]!.finish();
  gates[2]!.finish();
  gates[3]!.finish();
  assert.deepEqual(await Promise.all(results), ['a', 'b', 'c', 'd']);
  assert.equal(limit.active, 0);
  assert.equal(limit.queued, 0);
});

test('beyond the queue a check is refused at once with PasswordChecksBusyError carrying Retry-After', async () => {
  const limit = new PasswordCheckLimit({ concurrency: 1, queue: 1, retryAfterSeconds: 3, now: frozen });
  const started: string[] = [];
  const running = gate(started, 'running');
  const waiting = gate(started, 'waiting');
  const refused = gate(started, 'refused');
  const first = limit.run(running.task);
  const second = limit.run(waiting.task);
  await assert.rejects(limit.run(refused.task), (error: unknown) => {
    assert.ok(error instanceof PasswordChecksBusyError);
    assert.equal(error.retryAfterSeconds, 3);
    return true;
  });
  await turn();
  assert.deepEqual(started, ['running'], 'the refused task never ran, the waiting one has not started yet');
  running.finish();
  waiting.finish();
  assert.deepEqual(await Promise.all([first, second]), ['running', 'waiting']);
  // Once the queue drained, checks are accepted again.
  const again = gate(started, 'again');
  const last = limit.run(again.task);
  again.finish();
  assert.equal(await last, 'again');
});

test('a failing check frees its slot for the next one', async () => {
  const limit = new PasswordCheckLimit({ concurrency: 1, queue: 1, now: frozen });
  const started: string[] = [];
  const failing = gate(started, 'failing');
  const next = gate(started, 'next');
  const first = limit.run(failing.task);
  const second = limit.run(next.task);
  failing.fail(new Error('argon2 failed'));
  await assert.rejects(first, /argon2 failed/);
  await turn();
  assert.deepEqual(started, ['failing', 'next']);
  next.finish();
  assert.equal(await second, 'next');
  assert.equal(limit.active, 0);
});

test('runAlways (operators setting passwords) is never refused but still waits for a slot', async () => {
  const limit = new PasswordCheckLimit({ concurrency: 1, queue: 0, now: frozen });
  const started: string[] = [];
  const running = gate(started, 'running');
  const operator = gate(started, 'operator');
  const first = limit.run(running.task);
  await assert.rejects(limit.run(gate(started, 'sign-in').task), PasswordChecksBusyError);
  const second = limit.runAlways(operator.task);
  await turn();
  assert.deepEqual(started, ['running']);
  running.finish();
  await first;
  await turn();
  assert.deepEqual(started, ['running', 'operator']);
  operator.finish();
  assert.equal(await second, 'operator');
});

test('a limit without a slot or with a fractional queue is a programming error', () => {
  assert.throws(() => new PasswordCheckLimit({ concurrency: 0, queue: 1, now: frozen }), RangeError);
  assert.throws(() => new PasswordCheckLimit({ concurrency: 1, queue: 0.5, now: frozen }), RangeError);
});

test('a sign-in that waited maxWaitMs for a slot is refused then (busy), while an operator\'s hash keeps waiting', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const limit = new PasswordCheckLimit({ concurrency: 1, queue: 2, maxWaitMs: 5000, retryAfterSeconds: 2, now: frozen });
  const started: string[] = [];
  const running = gate(started, 'running');
  const operator = gate(started, 'operator');
  const first = limit.run(running.task);
  const signIn = limit.run(gate(started, 'sign-in').task);
  const hashing = limit.runAlways(operator.task);
  let refusal: unknown;
  signIn.catch((error: unknown) => { refusal = error; });
  const refused = (): unknown => refusal;
  t.mock.timers.tick(4999);
  await turn();
  assert.equal(refused(), undefined, 'still waiting just before the limit');
  assert.equal(limit.queued, 2);
  t.mock.timers.tick(1);
  await turn();
  const error = refused();
  assert.ok(error instanceof PasswordChecksBusyError);
  assert.equal(error.retryAfterSeconds, 2);
  assert.equal(limit.queued, 1, 'its place in the queue is given up');
  t.mock.timers.tick(60_000);
  await turn();
  assert.deepEqual(started, ['running'], 'the operator waits for the slot, however long');
  running.finish();
  await first;
  await turn();
  assert.deepEqual(started, ['running', 'operator'], 'the timed-out sign-in never runs');
  operator.finish();
  assert.equal(await hashing, 'operator');
  assert.equal(limit.active, 0);
});

test('after a check its slot rests as long as the check took (restRatio 1) before the next waiting check starts; the caller is answered at once', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let clock = 1000;
  const limit = new PasswordCheckLimit({ concurrency: 1, queue: 1, restRatio: 1, now: () => clock });
  const started: string[] = [];
  const first = gate(started, 'first');
  const second = gate(started, 'second');
  const one = limit.run(first.task);
  const two = limit.run(second.task);
  await turn();
  clock += 40; // the first check took 40 ms
  first.finish();
  assert.equal(await one, 'first', 'answered without waiting for the rest');
  await turn();
  assert.deepEqual(started, ['first'], 'the slot rests');
  assert.equal(limit.active, 1);
  t.mock.timers.tick(39);
  await turn();
  assert.deepEqual(started, ['first']);
  t.mock.timers.tick(1);
  await turn();
  assert.deepEqual(started, ['first', 'second'], 'the next check starts after 40 ms of rest');
  second.finish();
  assert.equal(await two, 'second');
  t.mock.timers.tick(1000);
  assert.equal(limit.active, 0);
});
