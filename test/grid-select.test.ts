import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveGrid, selectMethods, comparisonPairs } from '../src/eval/experiments';
import { UserError } from '../src/util/errors';

test('selectMethods: the named rows and the rows they build on, in grid order, each row unchanged', () => {
  const abl = resolveGrid('ablations');
  const noDense = selectMethods(abl, abl.methods.map((m) => m.name).filter((n) => n !== 'sft-k10-dense'));
  assert.equal(noDense.methods.length, 14);
  assert.deepEqual(comparisonPairs(noDense), comparisonPairs(abl).filter(([m]) => m !== 'sft-k10-dense'), 'the other rows keep their comparisons');
  // a GRPO row pulls in its SFT row; a model_from row its source
  assert.deepEqual(selectMethods(abl, ['grpo-g4']).methods.map((m) => m.name), ['sft-k10', 'grpo-g4']);
  assert.deepEqual(selectMethods(abl, ['sft-k10-picture-without-reply', 'sft-k3']).methods.map((m) => m.name), ['sft-k10', 'sft-k10-picture-without-reply', 'sft-k3']);
  // a separate row pulls in the text-only and image-only rows
  const main = resolveGrid('main');
  assert.deepEqual(selectMethods(main, ['separate']).methods.map((m) => m.name), ['image-only', 'text-only', 'separate']);
  const g4 = selectMethods(abl, ['grpo-g4']).methods[1];
  assert.deepEqual(g4, abl.methods.find((m) => m.name === 'grpo-g4'), 'rows are not rewritten (cell keys stay)');
  assert.throws(() => selectMethods(abl, ['grpo-nope']), (e: unknown) => e instanceof UserError && /--methods: grid "ablations" has no row "grpo-nope"; its rows: sft-k10, /.test((e as Error).message));
  assert.throws(() => selectMethods(abl, []), /expected one or more row names/);
});
