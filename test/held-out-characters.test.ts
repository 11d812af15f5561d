/**
 * The held-out world characters of each place that keeps some out (the tokenizers' codebook fit,
 * the image judges, the text judges, pretraining's validation), each with the stream and size its
 * caller gives splitHeldOutCharacters, pinned for fixed seeds and sizes: the literals below were
 * printed by the four separate splits as they were before they became this one function, so a
 * change of which characters end up on which side fails here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { splitHeldOutCharacters } from '../src/data/held-out';
import { UserError } from '../src/util/errors';
import { Rng } from '../src/util/rng';

/** `c0` .. `c{n-1}`: not in sorted order from c10 on, so a split that sorts differs from one that does not. */
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);

/** tokenizers/fit.ts: a share, nothing else. */
const tokenizerHeldOut = (all: string[], fraction: number, seed: number): string[] => splitHeldOutCharacters(all, { fraction }, new Rng(seed).fork('heldout')).heldOut;

/** judges/core/data.ts: a share, at least 2 when there are 6 or more, at least 1 left to train on. */
const judgesHeldOut = (all: string[], fraction: number, seed: number): string[] =>
  splitHeldOutCharacters(all, { fraction, atLeast: all.length >= 6 ? 2 : 0, trainAtLeast: 1 }, new Rng(seed).fork('held-out')).heldOut;

/** judges/text/train.ts: a share, at least 2 on each side; both sides in draw order. */
const textSplit = (all: string[], fraction: number, seed: number) => splitHeldOutCharacters(all, { fraction, atLeast: 2, trainAtLeast: 2 }, new Rng(seed).fork('world-split'), 'the world corpus');

/** train/pretrain.ts: a count drawn over the sorted ids, at least 1 left to train on; both sides in world order. */
function pretrainSplit(all: string[], count: number, seed: number): { val: string[]; train: string[] } {
  const held = new Set(splitHeldOutCharacters([...all].sort(), { count, trainAtLeast: 1 }, new Rng(seed + 7919)).heldOut);
  return { val: all.filter((c) => held.has(c)), train: all.filter((c) => !held.has(c)) };
}

test('the tokenizers hold out the same characters', () => {
  assert.deepEqual(tokenizerHeldOut(ids(40), 0.1, 0), PIN.tokenizers[0]);
  assert.deepEqual(tokenizerHeldOut(ids(24), 0.1, 3), PIN.tokenizers[1]);
});

test('the image judges hold out the same characters', () => {
  assert.deepEqual(judgesHeldOut(ids(40), 0.1, 0), PIN.judges[0]);
  assert.deepEqual(judgesHeldOut(ids(7), 0.1, 1), PIN.judges[1]); // 6 or more: at least 2
  assert.deepEqual(judgesHeldOut(ids(5), 0.3, 0), PIN.judges[2]); // fewer than 6: the share as rounded
  assert.deepEqual(judgesHeldOut(ids(2), 0.5, 0), PIN.judges[3]); // one stays to train on
});

test('the text judges hold out the same characters, in the same order', () => {
  for (const [k, [n, fraction, seed]] of ([[20, 0.2, 0], [10, 0.2, 5], [4, 0.2, 0]] as const).entries()) assert.deepEqual(textSplit(ids(n), fraction, seed), PIN.text[k]);
  assert.throws(() => textSplit(ids(3), 0.2, 0), (e: unknown) => e instanceof UserError && /the world corpus has 3 characters; need at least 4 \(2 to train on, 2 held out\)/.test(e.message));
});

test('pretraining validates on the same characters, in the world order', () => {
  for (const [k, [n, count, seed]] of ([[40, 12, 0], [40, 2, 1], [5, 40, 0]] as const).entries()) assert.deepEqual(pretrainSplit(ids(n), count, seed), PIN.pretrain[k]);
});

test('an empty world holds out nothing', () => {
  assert.deepEqual(splitHeldOutCharacters([], { fraction: 0.5, trainAtLeast: 1 }, new Rng(0)), { train: [], heldOut: [] });
});

const PIN = {
  tokenizers: [
    ['c11', 'c3', 'c31', 'c28'],
    ['c7', 'c3'],
  ],
  judges: [
    ['c10', 'c32', 'c37', 'c30'],
    ['c3', 'c1'],
    ['c4', 'c2'],
    ['c1'],
  ],
  text: [
    { heldOut: ['c0', 'c6', 'c5', 'c8'], train: ['c17', 'c10', 'c15', 'c1', 'c3', 'c4', 'c9', 'c16', 'c2', 'c13', 'c12', 'c11', 'c19', 'c7', 'c14', 'c18'] },
    { heldOut: ['c4', 'c5'], train: ['c3', 'c2', 'c0', 'c6', 'c8', 'c7', 'c9', 'c1'] },
    { heldOut: ['c1', 'c0'], train: ['c2', 'c3'] },
  ],
  pretrain: [
    { val: ['c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'c14', 'c16', 'c21', 'c24', 'c30', 'c34'], train: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c13', 'c15', 'c17', 'c18', 'c19', 'c20', 'c22', 'c23', 'c25', 'c26', 'c27', 'c28', 'c29', 'c31', 'c32', 'c33', 'c35', 'c36', 'c37', 'c38', 'c39'] },
    { val: ['c14', 'c15'], train: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9', 'c10', 'c11', 'c12', 'c13', 'c16', 'c17', 'c18', 'c19', 'c20', 'c21', 'c22', 'c23', 'c24', 'c25', 'c26', 'c27', 'c28', 'c29', 'c30', 'c31', 'c32', 'c33', 'c34', 'c35', 'c36', 'c37', 'c38', 'c39'] },
    { val: ['c1', 'c2', 'c3', 'c4'], train: ['c0'] },
  ],
};
