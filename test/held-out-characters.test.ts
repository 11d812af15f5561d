/**
 * The held-out world characters of each place that keeps some out (the tokenizers' codebook fit,
 * the image judges, the text judges, pretraining's validation), pinned for fixed seeds and sizes:
 * the literals below were printed by the code as it was before the splits became one function,
 * so a change of which characters end up on which side fails here.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { heldOutSplit } from '../src/judges/data';
import { splitWorld as splitTextWorld } from '../src/judges/text/train';
import { splitWorld as splitPretrainWorld } from '../src/train/pretrain';
import type { CharacterLines } from '../src/judges/text/corpus';
import type { Character } from '../src/data/rolescape';
import { Rng } from '../src/util/rng';

/** `c0` .. `c{n-1}`: not in sorted order from c10 on, so a split that sorts differs from one that does not. */
const ids = (n: number): string[] => Array.from({ length: n }, (_, i) => `c${i}`);
const chars = <T>(n: number): T[] => ids(n).map((id) => ({ id }) as T);
const idsOf = (xs: readonly { id: string }[]): string[] => xs.map((x) => x.id);

/** tokenizers/fit.ts's draw, as it was written inline there. */
function tokenizerHeldOut(all: string[], fraction: number, seed: number): string[] {
  const shuffled = new Rng(seed).fork('heldout').shuffle(all);
  return shuffled.slice(0, Math.round(shuffled.length * fraction));
}

test('the tokenizers hold out the same characters', () => {
  assert.deepEqual(tokenizerHeldOut(ids(40), 0.1, 0), PIN.tokenizers[0]);
  assert.deepEqual(tokenizerHeldOut(ids(24), 0.1, 3), PIN.tokenizers[1]);
});

test('the image judges hold out the same characters', () => {
  assert.deepEqual([...heldOutSplit(ids(40), 0.1, 0)], PIN.judges[0]);
  assert.deepEqual([...heldOutSplit(ids(7), 0.1, 1)], PIN.judges[1]); // 6 or more: at least 2
  assert.deepEqual([...heldOutSplit(ids(5), 0.3, 0)], PIN.judges[2]); // fewer than 6: the share as rounded
  assert.deepEqual([...heldOutSplit(ids(2), 0.5, 0)], PIN.judges[3]); // one stays to train on
});

test('the text judges hold out the same characters, in the same order', () => {
  for (const [k, [n, fraction, seed]] of ([[20, 0.2, 0], [10, 0.2, 5], [4, 0.2, 0]] as const).entries()) {
    const s = splitTextWorld(chars<CharacterLines>(n), fraction, seed);
    assert.deepEqual({ heldOut: idsOf(s.heldOut), train: idsOf(s.train) }, PIN.text[k]);
  }
  assert.throws(() => splitTextWorld(chars<CharacterLines>(3), 0.2, 0), /3 characters; need at least 4 \(2 to train on, 2 held out\)/);
});

test('pretraining validates on the same characters, in the world order', () => {
  for (const [k, [n, count, seed]] of ([[40, 12, 0], [40, 2, 1], [5, 40, 0]] as const).entries()) {
    const s = splitPretrainWorld(chars<Character>(n), count, seed);
    assert.deepEqual({ val: idsOf(s.val), train: idsOf(s.train) }, PIN.pretrain[k]);
  }
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
