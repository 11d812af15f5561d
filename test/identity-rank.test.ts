import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { identityRanking, nearestCounts, top1Share } from '../src/eval/suite/identity-rank';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

test('identityRanking: rank of the own character by mean similarity to each candidate\'s references', () => {
  const refs = new Map([
    ['A', [unit(1, 0, 0), unit(0.9, 0.1, 0)]],
    ['B', [unit(0, 1, 0)]],
    ['C', [unit(0, 0, 1), unit(0.5, 0, 1)]],
  ]);
  assert.equal(identityRanking(unit(1, 0.05, 0), refs, 'A').rank, 1);
  assert.equal(identityRanking(unit(1, 0.05, 0), refs, 'B').rank, 3, 'nearest A, then C (0.5/1.1 of its second reference), then B');
  assert.equal(identityRanking(unit(0, 1, 0), refs, 'B').rank, 1);
  assert.throws(() => identityRanking(unit(1, 0, 0), refs, 'D'), /no references for "D"/);
  assert.deepEqual(identityRanking(unit(1, 0.05, 0), refs, 'B'), { rank: 3, nearest: 'A' }, 'a miss names the character that took the drawing');
  assert.deepEqual(identityRanking(unit(0, 1, 0), refs, 'B'), { rank: 1, nearest: 'B' });
  assert.deepEqual(identityRanking(unit(0, 1, 0), new Map([['A', [unit(0, 1, 0)]], ['B', [unit(0, 1, 0)]]]), 'B'), { rank: 1, nearest: 'B' }, 'a tie keeps the own character');
  assert.deepEqual(nearestCounts(['B', 'A', 'B', 'C', 'A', 'B']), [['B', 3], ['A', 2], ['C', 1]]);
  assert.deepEqual(nearestCounts(['C', 'A']), [['A', 1], ['C', 1]], 'ties by name');
  assert.equal(top1Share([1, 2, 1, 5]), 0.5);
  assert.equal(top1Share([]), null);
});
