// `npm run bench` leaves the committed results alone unless asked: a run writes a file of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMITTED_RESULTS, parseBenchArgs, type BenchArgs } from '../../bench/harness/args.js';

const parse = (argv: string[], now = new Date('2026-12-01T03:04:05.678Z')) => parseBenchArgs(argv, now) as BenchArgs;

test('by default the results go to a new file named by the start time, not bench/RESULTS.md', () => {
  assert.equal(parse([]).out, 'bench/results/results-2026-12-01T03-04-05Z.md');
  assert.equal(parse(['--quick']).out, 'bench/results/results-2026-12-01T03-04-05Z.md');
  assert.notEqual(parse([], new Date('2026-12-01T03:04:06Z')).out, parse([]).out, 'a later run gets another file');
});

test('--update-results writes the committed bench/RESULTS.md, --out any file, and the two together are refused', () => {
  assert.equal(COMMITTED_RESULTS, 'bench/RESULTS.md');
  assert.equal(parse(['--update-results']).out, 'bench/RESULTS.md');
  assert.equal(parse(['--out', 'bench/LOGIN-FLOOD.md']).out, 'bench/LOGIN-FLOOD.md');
  assert.throws(() => parse(['--out', 'x.md', '--update-results']), /contradict/);
});
