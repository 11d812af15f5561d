/**
 * Statistics of experiment reports (src/util/stats.ts, src/eval/experiments/results.ts): every
 * cell carries n, n = 1 is shown alone and never bold, partial cells are marked, paired differences
 * get seeded bootstrap intervals and sign counts; and the VQA split and blind scores (suite/vqa.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { bootstrapMeanInterval, signCount, mean, std, quantileSorted } from '../src/util/stats';
import { aggregate, markdownTable, pairedDeltas, formatCell, formatDelta, markdownReport, codeLine, PARTIAL_MARK, type CellResult, type ExperimentResults } from '../src/eval/experiments/results';
import { mergeResults } from '../src/eval/experiments/merge';
import { codeVersion } from '../src/util/provenance';
import { METRIC_KEYS, EXTRA_METRIC_KEYS, HELDOUT_METRIC_KEYS } from '../src/eval/suite/report';
import { markImageDependence, scoreVqaSplit, vqaRecords, type VqaItem } from '../src/eval/suite';

const cell = (method: string, character: string, m: Record<string, number | null>, seed = 0): CellResult => ({
  character, method, seed, metrics: Object.fromEntries([...METRIC_KEYS, ...EXTRA_METRIC_KEYS, ...HELDOUT_METRIC_KEYS].map((k) => [k, m[k] ?? null])) as CellResult['metrics'], train_seconds: 0, eval_seconds: 0, cached: false,
});

test('bootstrap interval: seeded (same seed, same interval), contains the mean, narrows with n, degenerate for n = 1', () => {
  const xs = [0.1, 0.3, -0.2, 0.4, 0.25, 0.05, 0.15, 0.2];
  const a = bootstrapMeanInterval(xs, { seed: 7 })!, b = bootstrapMeanInterval(xs, { seed: 7 })!, c = bootstrapMeanInterval(xs, { seed: 8 })!;
  assert.deepEqual(a, b);
  assert.notDeepEqual([a.lo, a.hi], [c.lo, c.hi], 'another seed, other resamples');
  assert.ok(a.lo < a.mean && a.mean < a.hi, `${a.lo} < ${a.mean} < ${a.hi}`);
  assert.ok(Math.abs(a.mean - mean(xs)) < 1e-12);
  // the percentile interval of a mean is about mean ± 1.96 sd/sqrt(n)
  const half = 1.96 * std(xs) / Math.sqrt(xs.length);
  assert.ok(Math.abs((a.hi - a.lo) / 2 - half) < 0.35 * half, `half width ${(a.hi - a.lo) / 2} vs normal ${half}`);
  const wide = bootstrapMeanInterval(xs.slice(0, 3), { seed: 7 })!;
  assert.ok(wide.hi - wide.lo > a.hi - a.lo, 'fewer pairs, wider interval');
  assert.deepEqual([bootstrapMeanInterval([0.3])!.lo, bootstrapMeanInterval([0.3])!.hi], [0.3, 0.3]);
  assert.equal(bootstrapMeanInterval([]), null);
  assert.throws(() => bootstrapMeanInterval(xs, { level: 1 }), /level/);
  assert.equal(quantileSorted([0, 10], 0.25), 2.5);
});

test('sign counts follow the metric direction', () => {
  assert.deepEqual(signCount([[1, 0], [0, 1], [2, 2]]), { better: 1, worse: 1, ties: 1, n: 3 });
  assert.deepEqual(signCount([[0.1, 0.3]], (x) => -x), { better: 1, worse: 0, ties: 0, n: 1 }, 'lower is better');
});

test('table cells carry n; n = 1 has no "± 0" and no bold; a cell missing for some characters is marked', () => {
  const cells = [
    cell('a', 'x', { vqa_acc: 0.2, mmrp_consistency: 0.5 }), cell('a', 'y', { vqa_acc: 0.4 }), cell('a', 'z', { vqa_acc: 0.3 }),
    cell('b', 'x', { vqa_acc: 0.1 }), cell('b', 'y', { vqa_acc: 0.2 }), cell('b', 'z', { vqa_acc: 0.3 }),
  ];
  const s = aggregate(cells, ['a', 'b'], ['vqa_acc', 'mmrp_consistency']);
  assert.equal(s.a.mmrp_consistency.n, 1);
  assert.equal(s.a.mmrp_consistency.std, null, 'one value has no std');
  assert.equal(formatCell(s.a.mmrp_consistency, 3), `0.500 (n=1)${PARTIAL_MARK}`);
  assert.equal(formatCell(s.a.vqa_acc, 3), '0.300 ± 0.100 (n=3)');
  const md = markdownTable(s, ['vqa_acc', 'mmrp_consistency'], 3);
  assert.ok(!/± 0\.000/.test(md), md);
  const row = (m: string) => md.split('\n').find((l) => l.startsWith(`| ${m} |`))!.split('|').map((x) => x.trim());
  assert.equal(row('a')[2], '**0.300 ± 0.100 (n=3)**');
  assert.equal(row('a')[3], `0.500 (n=1)${PARTIAL_MARK}`, 'the only value of its column, yet not bold');
  assert.equal(row('b')[3], '–');
  // a partial cell with n >= 2 is not bold either: its mean is over another subset
  const partial = aggregate([...cells, cell('c', 'x', { vqa_acc: 0.9 }), cell('c', 'y', { vqa_acc: 0.9 })], ['a', 'b', 'c'], ['vqa_acc']);
  const md2 = markdownTable(partial, ['vqa_acc'], 3);
  assert.match(md2, /\| c \| 0\.900 ± 0\.000 \(n=2\)† \|/);
  assert.match(md2, /\| a \| \*\*0\.300/);
});

test('paired differences: mean, seeded bootstrap interval, sign counts; n = 1 without an interval', () => {
  const chars = ['p', 'q', 'r', 's', 't'];
  const ref = [0.1, 0.2, 0.3, 0.4, 0.5], gain = [0.05, 0.1, -0.02, 0.08, 0.04];
  const cells = chars.flatMap((c, i) => [cell('sft', c, { t2i_identity_dino: ref[i], t2i_copy_rate: 0.1, mmrp_consistency: i === 0 ? 0.5 : null }), cell('grpo', c, { t2i_identity_dino: ref[i] + gain[i], t2i_copy_rate: i < 2 ? 0.2 : 0.1, mmrp_consistency: i === 0 ? 0.0 : null })]);
  const d = pairedDeltas(cells, 'grpo', 'sft', ['t2i_identity_dino', 't2i_copy_rate', 'mmrp_consistency']);
  const dino = d.t2i_identity_dino;
  assert.ok(Math.abs(dino.mean! - mean(gain)) < 1e-12);
  assert.deepEqual([dino.better, dino.worse, dino.ties, dino.n], [4, 1, 0, 5]);
  assert.ok(dino.ci && dino.ci.lo < dino.mean! && dino.mean! < dino.ci.hi && dino.ci.level === 0.95);
  assert.deepEqual(pairedDeltas(cells, 'grpo', 'sft', ['t2i_identity_dino']).t2i_identity_dino.ci, dino.ci, 'the same interval on every call');
  assert.deepEqual([d.t2i_copy_rate.better, d.t2i_copy_rate.worse, d.t2i_copy_rate.ties], [0, 2, 3], 'a higher copy rate is worse');
  assert.equal(d.mmrp_consistency.n, 1);
  assert.equal(d.mmrp_consistency.ci, null);
  assert.equal(formatDelta(d.mmrp_consistency), '-0.500 (n=1) 0/1 better, 1 worse');
  assert.match(formatDelta(dino), /^\+0\.050 \[[+-]0\.\d{3}, \+0\.\d{3}\] 4\/5 better, 1 worse$/);
});

test('the report shows GRPO rows under the reward and the held-out judges when the cells have both', () => {
  const chars = ['p', 'q'];
  const cells = chars.flatMap((c, i) => [
    cell('sft', c, { t2i_identity_dino: 0.1 * i, t2i_identity_dino_heldout: 0.2 * i }),
    cell('grpo', c, { t2i_identity_dino: 0.1 * i + 0.3, t2i_identity_dino_heldout: 0.2 * i }),
  ]);
  const r: ExperimentResults = { format: 'cmrp-experiment/1', grid: 't', command: 'test', characters: chars, seeds: 1, methods: ['sft', 'grpo'], kinds: { sft: 'unified-sft', grpo: 'grpo' }, pairs: [['grpo', 'sft']], cells, seconds: 0, finished: 'now' };
  const md = markdownReport(r);
  assert.match(md, /## Image metrics under the reward judges and the held-out judges/);
  const gains = md.split('### GRPO gains under each judge set')[1];
  assert.match(gains, /\| grpo - sft \| –.*\| \+0\.300 \[\+0\.300, \+0\.300\] 2\/2 better \| \+0\.000 \[\+0\.000, \+0\.000\] 0\/2 better \|/, 'a gain under the reward judge only');
  const without = markdownReport({ ...r, cells: cells.map((c) => ({ ...c, metrics: { ...c.metrics, t2i_identity_dino_heldout: null } })) });
  assert.ok(!/held-out judges/.test(without), 'no held-out numbers, no section');
});

test('VQA items: image-dependent when the question has several answers across the character\'s images; blind and split scores', () => {
  const item = (id: string, question: string, answer: string): Omit<VqaItem, 'imageDependent'> => ({ id, imageId: id, imagePath: `/x/${id}.png`, question, answer, source: 'labels' });
  const train = [
    { split: 'train', question: 'Where is Ann in the image?', answer: 'Ann is at the beach.' },
    { split: 'train', question: 'Where is Ann in the image?', answer: 'Ann is at the beach.' },
    { split: 'train', question: 'What colour is Ann\'s hair?', answer: 'Ann has red hair.' },
    { split: 'test', question: 'What is Ann holding?', answer: 'a cup' },
  ] as const;
  const items = markImageDependence({ vqa: train as never }, [
    item('1', 'Where is Ann in the image?', 'Ann is in the park.'), // a new answer: depends on the image
    item('2', 'What colour is Ann\'s hair?', 'Ann has red hair.'), // always the same: constant
    item('3', 'What is Ann holding?', 'Ann is holding a book.'), // one answer among the train pairs and items (the test-split pair is not counted)
    item('4', 'What is Ann doing in the image?', 'Ann is reading.'),
    item('5', 'What is Ann doing in the image?', 'Ann is painting.'),
  ]);
  assert.deepEqual(items.map((i) => i.imageDependent), [true, false, false, true, true]);
  const seen = items.map((i, k) => ({ item: i, answer: k < 3 ? i.answer : 'no idea' }));
  const blind = items.map((i, k) => ({ item: i, answer: k === 1 ? i.answer : 'Ann is at the beach.' }));
  const s = scoreVqaSplit(vqaRecords(seen, blind));
  assert.deepEqual(s, { vqa_acc_image_dependent: 1 / 3, vqa_acc_constant: 1, vqa_acc_blind: 1 / 5, vqa_acc_blind_image_dependent: 0 });
  assert.throws(() => vqaRecords(seen, blind.slice(1)), /4 blind answers for 5 items/);
  const noBlind = scoreVqaSplit(vqaRecords(seen));
  assert.equal(noBlind.vqa_acc_blind, null);
});

test('code provenance: the commit that made each cell, and a mixed cache said in the report', () => {
  const v = codeVersion();
  assert.ok(v === null || /^[0-9a-f]{12}(\+dirty)?$/.test(v), `a short commit hash, maybe +dirty: ${v}`);
  const at = (code: string | undefined, character: string) => ({ ...cell('m', character, {}), ...(code === undefined ? {} : { code }) });
  assert.equal(codeLine([at('aaaaaaaaaaaa', 'A'), at('aaaaaaaaaaaa', 'B')]), 'Code: every cell made at `aaaaaaaaaaaa` (2 cells).');
  const mixed = codeLine([at('aaaaaaaaaaaa', 'A'), at('bbbbbbbbbbbb', 'B'), at(undefined, 'C')]);
  assert.match(mixed, /cells made by different code/);
  assert.match(mixed, /`aaaaaaaaaaaa` \(1 cell\), `bbbbbbbbbbbb` \(1 cell\), not recorded \(1 cell\)/);
});

test('experiment-merge: characters and seeds run in lanes merge into one grid (paired over every character-seed pair); misfits are refused by file and field', () => {
  const run = (seeds: number[], over: Partial<ExperimentResults> = {}): ExperimentResults => ({
    format: 'cmrp-experiment/1', grid: 'main', command: `npx cmrp experiment --first-seed ${seeds[0]}`, characters: ['A', 'B'], seeds: seeds.length, seed_list: seeds,
    methods: ['sft', 'grpo'], pairs: [['grpo', 'sft']], seconds: 60, finished: `2026-12-0${seeds[0] + 1}`,
    cells: seeds.flatMap((s) => ['A', 'B'].flatMap((c) => [cell('sft', c, { t2i_clip_t: 0.5 }, s), cell('grpo', c, { t2i_clip_t: 0.5 + 0.01 * (s + 1) }, s)])),
    ...over,
  });
  const m = mergeResults([['b/results.json', run([1, 2])], ['a/results.json', run([0])]]);
  assert.deepEqual(m.seed_list, [0, 1, 2]);
  assert.equal(m.seeds, 3);
  assert.equal(m.cells.length, 12);
  assert.deepEqual(m.cells.map((c) => c.seed), [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
  assert.equal(m.seconds, 120);
  assert.equal(m.finished, '2026-12-02');
  const d = pairedDeltas(m.cells, 'grpo', 'sft', ['t2i_clip_t']).t2i_clip_t;
  assert.equal(d.n, 6, 'paired over 2 characters x 3 seeds');
  assert.deepEqual(d.characters, { better: 2, worse: 0, n: 2 }, 'each character by its mean over the seeds');
  assert.match(formatDelta(d), /6\/6 better; characters 2\/2 better$/);
  assert.equal(pairedDeltas(run([0]).cells, 'grpo', 'sft', ['t2i_clip_t']).t2i_clip_t.characters, undefined, 'one seed: pairs are characters');
  assert.ok(Math.abs(d.mean! - 0.02) < 1e-12);
  assert.match(markdownReport(m), /seeds: 3;/, 'seeds 0, 1, 2 need no list');
  assert.match(markdownReport(run([1, 2])), /seeds: 2 \(1, 2\)/, 'a lane names its seeds');
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['b/results.json', run([0, 1])]]), /b\/results\.json: A seed 0 is also in a\/results\.json/);
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['b/results.json', run([1], { grid: 'ablations' })]]), /b\/results\.json: grid: expected "main"/);
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['b/results.json', run([1], { methods: ['sft'] })]]), /b\/results\.json: methods: expected sft, grpo/);
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['b/results.json', run([1], { characters: ['A', 'C'] })]]), /b\/results\.json: cells: a cell of B seed 1/);
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['b/results.json', { ...run([1]), seed_list: [3] }]]), /b\/results\.json: cells: a cell of A seed 1/);
  // lanes split by character: C's seed 0 beside A and B's; the pair missing (C, seed 1) is missing, not invented
  const onlyC = (seeds: number[]): ExperimentResults => ({ ...run(seeds), characters: ['C'], cells: seeds.flatMap((s) => [cell('sft', 'C', { t2i_clip_t: 0.4 }, s), cell('grpo', 'C', { t2i_clip_t: 0.45 }, s)]) });
  const byChar = mergeResults([['c/results.json', onlyC([0])], ['a/results.json', run([0, 1])]]);
  assert.deepEqual(byChar.characters, ['A', 'B', 'C']);
  assert.deepEqual(byChar.seed_list, [0, 1]);
  assert.deepEqual(byChar.cells.map((c) => `${c.character}${c.seed}`), ['A0', 'A0', 'B0', 'B0', 'C0', 'C0', 'A1', 'A1', 'B1', 'B1'], 'the order one run would give: seed, then character');
  assert.equal(pairedDeltas(byChar.cells, 'grpo', 'sft', ['t2i_clip_t']).t2i_clip_t.n, 5);
  assert.throws(() => mergeResults([['a/results.json', run([0])], ['c/results.json', { ...onlyC([0]), characters: ['C', 'A'] }]]), /c\/results\.json: A seed 0 is also in a\/results\.json/);
  assert.throws(() => mergeResults([['a/results.json', run([0])]]), /at least two/);
  // files made before seed_list was recorded hold seeds 0 .. seeds - 1
  const legacy = run([0]);
  delete legacy.seed_list;
  assert.deepEqual(mergeResults([['a/results.json', legacy], ['b/results.json', run([1])]]).seed_list, [0, 1]);
});
