/**
 * Experiment figures from a hand-made ExperimentResults (3 characters, 1 seed, known numbers):
 * bar heights are means, error bars the sample std (n-1) (of paired differences: their bootstrap interval), deltas are paired by character, rows
 * absent from the results are skipped and null metrics are left out of every mean and count.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { METRIC_KEYS, EXTRA_METRIC_KEYS, type Metrics } from '../src/eval/suite/report';
import { pairedDeltas, RESULTS_FORMAT, type CellResult, type ExperimentResults } from '../src/eval/experiments/results';
import { experimentFigures, methodBarsFigure, pairedDeltaFigure, rewardTermEffectsFigure, shotsCurveFigure, T2I_REWARD_KEYS } from '../src/viz/experiment-figures';
import type { Figure, PlotlyTrace } from '../src/viz/figure';

const CHARS = ['A', 'B', 'C'];
/** method -> metric -> one value per character (A, B, C); every other metric is null. */
const VALUES: Record<string, Record<string, (number | null)[]>> = {
  'sft-k1': { t2i_identity_dino: [0.1, 0.2, 0.3], t2i_copy_rate: [0, 0, 0], memorization: [0.5, 0.5, 0.5] },
  'sft-k3': { t2i_identity_dino: [0.3, 0.4, 0.5], t2i_copy_rate: [0.1, 0.1, 0.4] },
  'sft-k10': { t2i_identity_dino: [0.5, 0.7, 0.9], t2i_copy_rate: [0.2, null, 0.4], t2i_vqa_score: [0.3, 0.3, 0.3] },
  'grpo-official': { t2i_vqa_score: [0.5, 0.6, 0.7], t2i_clip_t: [0.2, 0.2, 0.2], t2i_identity_dino: [0.6, 0.6, 0.6] },
  'grpo-no-vqa': { t2i_vqa_score: [0.4, 0.6, 0.5], t2i_clip_t: [0.3, 0.2, null], t2i_identity_dino: [0.6, 0.6, 0.6] },
};

function metrics(m: string, i: number): Metrics {
  const all = Object.fromEntries([...METRIC_KEYS, ...EXTRA_METRIC_KEYS].map((k) => [k, (VALUES[m] ?? VALUES['sft-k1'])[k]?.[i] ?? null]));
  return all as Metrics;
}

function results(methods = Object.keys(VALUES), pairs: [string, string][] = [['grpo-official', 'sft-k10'], ['grpo-no-vqa', 'sft-k10']]): ExperimentResults {
  const cells: CellResult[] = methods.flatMap((m) => CHARS.map((c, i) => ({ character: c, method: m, seed: 0, metrics: metrics(m, i), train_seconds: 1, eval_seconds: 1, cached: false })));
  return { format: RESULTS_FORMAT, grid: 'synthetic', command: 'test', characters: CHARS, seeds: 1, methods, pairs, cells, seconds: 1, finished: '2026-01-01T00:00:00Z' };
}

const close = (actual: unknown, expected: (number | null)[], what: string) => {
  const a = actual as (number | null)[];
  assert.equal(a.length, expected.length, `${what}: length`);
  a.forEach((v, i) => {
    if (expected[i] === null) assert.equal(v, null, `${what}[${i}]`);
    else assert.ok(typeof v === 'number' && Math.abs(v - expected[i]!) < 1e-9, `${what}[${i}]: ${v} != ${expected[i]}`);
  });
};
const trace = (fig: Figure, name: string): PlotlyTrace => {
  const t = fig.data.find((x) => x.name === name);
  assert.ok(t, `no trace "${name}" in ${fig.data.map((x) => x.name).join(', ')}`);
  return t;
};
const errors = (t: PlotlyTrace) => (t.error_y as { array: (number | null)[] }).array;
const n = (t: PlotlyTrace) => (t.customdata as unknown[][]).map((c) => c[1]);

test('methodBarsFigure: one bar per method and metric, height the mean, error bar the sample std, n without nulls', () => {
  const fig = methodBarsFigure(results(), ['t2i_identity_dino', 't2i_copy_rate', 'knowledge_mcq_acc']);
  assert.deepEqual(fig.data.map((t) => t.name), Object.keys(VALUES));
  assert.ok(fig.data.every((t) => t.type === 'bar'));
  const k10 = trace(fig, 'sft-k10');
  assert.deepEqual(k10.x, ['t2i_identity_dino', 't2i_copy_rate', 'knowledge_mcq_acc']);
  close(k10.y, [0.7, 0.3, null], 'sft-k10 means');
  // std of (0.5, 0.7, 0.9) is 0.2; of (0.2, 0.4) (B is null) sqrt(0.02)
  close(errors(k10), [0.2, Math.sqrt(0.02), null], 'sft-k10 std');
  assert.deepEqual(n(k10), [3, 2, 0]);
  close(errors(trace(fig, 'sft-k3')), [0.1, Math.sqrt(0.03), null], 'sft-k3 std');
  assert.match(String(k10.hovertemplate), /n=%\{customdata\[1\]\}/);
});

test('methodBarsFigure: a subset of methods, in the order given; a method without cells is left out', () => {
  const fig = methodBarsFigure(results(), ['t2i_identity_dino'], { methods: ['grpo-official', 'sft-k5', 'sft-k1'] });
  assert.deepEqual(fig.data.map((t) => t.name), ['grpo-official', 'sft-k1']);
  close(trace(fig, 'sft-k1').y, [0.2], 'sft-k1 mean');
});

test('methodBarsFigure: more methods than palette colours repeat the colours with a hatch, and the figure grows to fit the legend', () => {
  const many = Array.from({ length: 16 }, (_, i) => `m${i}`);
  const fig = methodBarsFigure(results(many), ['t2i_identity_dino']);
  const pattern = (t: PlotlyTrace) => (t.marker as { pattern?: { shape: string } }).pattern?.shape;
  assert.deepEqual(fig.data.map(pattern), [...Array(8).fill(undefined), ...Array(8).fill('/')]);
  assert.equal((fig.data[8].marker as { color: string }).color, (fig.data[0].marker as { color: string }).color);
  assert.ok(Number(fig.layout!.height) > Number(methodBarsFigure(results(), ['t2i_identity_dino']).layout!.height));
});

test('pairedDeltaFigure: mean of per-character differences, its bootstrap interval as the error bar, better-for counts, a zero line', () => {
  const keys = ['t2i_vqa_score', 't2i_clip_t', 'memorization'];
  const fig = pairedDeltaFigure(results(), [['grpo-no-vqa', 'grpo-official']], keys)!;
  assert.equal(fig.data.length, 1);
  const t = fig.data[0];
  assert.equal(t.name, 'grpo-no-vqa − grpo-official');
  // vqa: (-0.1, 0, -0.2) -> mean -0.1, better 0/3; clip_t: (+0.1, 0, C null) -> mean 0.05, better 1/2
  close(t.y, [-0.1, 0.05, null], 'delta means');
  const d = pairedDeltas(results().cells, 'grpo-no-vqa', 'grpo-official', keys);
  const ci = d.t2i_vqa_score.ci!;
  assert.ok(ci.lo >= -0.2 - 1e-9 && ci.lo < -0.1 && ci.hi > -0.1 && ci.hi <= 1e-9, `vqa interval inside the differences' range: [${ci.lo}, ${ci.hi}]`);
  const bars = t.error_y as { array: (number | null)[]; arrayminus: (number | null)[]; symmetric: boolean };
  assert.equal(bars.symmetric, false);
  close(bars.array, [ci.hi + 0.1, d.t2i_clip_t.ci!.hi - 0.05, null], 'upper side: hi - mean');
  close(bars.arrayminus, [-0.1 - ci.lo, 0.05 - d.t2i_clip_t.ci!.lo, null], 'lower side: mean - lo');
  assert.deepEqual((t.customdata as unknown[][]).map((c) => [c[2], c[3]]), [[0, 3], [1, 2], [0, 0]]);
  assert.match(String(t.hovertemplate), /\[%\{customdata\[0\]:\+\.3f\}, %\{customdata\[1\]:\+\.3f\}\]<br>better for %\{customdata\[2\]\}\/%\{customdata\[3\]\} characters/);
  assert.equal((fig.layout!.yaxis as Record<string, unknown>).zeroline, true);
});

test('pairedDeltaFigure: the results\' own pairs by default; pairs with a missing row are skipped; none left is null', () => {
  const fig = pairedDeltaFigure(results(), undefined, ['t2i_vqa_score'])!;
  assert.deepEqual(fig.data.map((t) => t.name), ['grpo-official − sft-k10', 'grpo-no-vqa − sft-k10']);
  close(fig.data[0].y, [0.3], 'grpo-official - sft-k10');
  assert.equal(pairedDeltaFigure(results(), [['grpo-g4', 'grpo-official'], ['grpo-no-vqa', 'sft-k5']], ['t2i_vqa_score']), null);
  assert.equal(pairedDeltaFigure(results(Object.keys(VALUES), []), undefined, ['t2i_vqa_score']), null);
  assert.equal(pairedDeltaFigure(results(), undefined, ['memorization']), null, 'no pair has data on both sides');
});

test('shotsCurveFigure: metric against K with error bars; the missing sft-k5 row is skipped; fewer than 2 rows is null', () => {
  const fig = shotsCurveFigure(results(), undefined, ['t2i_identity_dino', 't2i_copy_rate', 'knowledge_mcq_acc'])!;
  assert.deepEqual(fig.data.map((t) => t.name), ['t2i_identity_dino', 't2i_copy_rate'], 'a metric null on every row gets no line');
  const dino = trace(fig, 't2i_identity_dino');
  assert.deepEqual(dino.x, [1, 3, 10]);
  close(dino.y, [0.2, 0.4, 0.7], 'identity by K');
  close(errors(dino), [0.1, 0.1, 0.2], 'identity std by K');
  assert.deepEqual(n(trace(fig, 't2i_copy_rate')), [3, 3, 2]);
  assert.equal(shotsCurveFigure(results(['sft-k10', 'grpo-official'])), null);
  const custom = shotsCurveFigure(results(), { 2: 'sft-k1', 7: 'grpo-official' }, ['t2i_identity_dino'])!;
  close(custom.data[0].y, [0.2, 0.6], 'custom rows');
});

test('rewardTermEffectsFigure: each grpo-* row minus grpo-official on the t2i metrics', () => {
  const fig = rewardTermEffectsFigure(results())!;
  assert.deepEqual(fig.data.map((t) => t.name), [...T2I_REWARD_KEYS]);
  for (const t of fig.data) assert.deepEqual(t.x, ['grpo-no-vqa']);
  close(trace(fig, 't2i_vqa_score').y, [-0.1], 'vqa delta');
  const ci = pairedDeltas(results().cells, 'grpo-no-vqa', 'grpo-official', ['t2i_vqa_score']).t2i_vqa_score.ci!;
  close(errors(trace(fig, 't2i_vqa_score')), [ci.hi + 0.1], 'vqa delta: upper side of its interval');
  close(trace(fig, 't2i_identity_dino').y, [0], 'identity delta');
  close(trace(fig, 't2i_diversity').y, [null], 'diversity (null everywhere)');
  assert.equal(rewardTermEffectsFigure(results(['sft-k10', 'grpo-no-vqa'])), null, 'no reference');
  assert.equal(rewardTermEffectsFigure(results(['sft-k10', 'grpo-official'])), null, 'no variant');
});

test('experimentFigures: only the figures the rows allow, and only metrics with data', () => {
  const all = experimentFigures(results());
  // memorization has data (sft-k1) but no pair has it on both sides: bars, no deltas
  assert.deepEqual(Object.keys(all).sort(), ['deltas-image', 'methods-image', 'methods-text', 'reward-term-effects', 'shots-curve']);
  assert.deepEqual(all['methods-text'].data[0].x, ['memorization']);
  // the pairs are grpo-* vs sft-k10: clip_t is null for sft-k10, copy rate for the grpo rows
  assert.deepEqual(all['deltas-image'].data[0].x, ['t2i_identity_dino', 't2i_vqa_score']);
  assert.deepEqual(all['methods-image'].data[0].x, ['t2i_identity_dino', 't2i_clip_t', 't2i_vqa_score', 't2i_copy_rate']);
  // more than 6 pairs: the GRPO rows and the others in separate charts
  const many: [string, string][] = [['sft-k1', 'sft-k10'], ['sft-k3', 'sft-k10'], ['sft-k1', 'sft-k3'], ['grpo-official', 'sft-k10'], ['grpo-no-vqa', 'sft-k10'], ['grpo-no-vqa', 'grpo-official'], ['grpo-official', 'sft-k3']];
  const split = experimentFigures(results(Object.keys(VALUES), many));
  assert.deepEqual(Object.keys(split).filter((k) => k.startsWith('deltas')).sort(), ['deltas-image-grpo', 'deltas-image-other']);
  assert.deepEqual(split['deltas-image-grpo'].data.map((t) => t.name), ['grpo-official − sft-k10', 'grpo-no-vqa − sft-k10', 'grpo-no-vqa − grpo-official', 'grpo-official − sft-k3']);
  assert.deepEqual(split['deltas-image-other'].data.map((t) => t.name), ['sft-k1 − sft-k10', 'sft-k3 − sft-k10', 'sft-k1 − sft-k3']);
  const main = experimentFigures(results(['sft-k10', 'grpo-official'], [['grpo-official', 'sft-k10']]));
  assert.deepEqual(Object.keys(main).sort(), ['deltas-image', 'methods-image']);
});
