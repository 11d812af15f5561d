/**
 * The notebooks' tables from danfo operations (src/viz/frames.ts) against results.ts's hand
 * computation (`aggregate`, `pairedDeltas`): on the committed results/main run and on a small run
 * with missing metrics (nulls left out of every mean and count, std NaN for n = 1).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { aggregate, pairedDeltas, type CellResult, type ExperimentResults } from '../src/eval/experiments/results';
import { METRIC_KEYS, type Metrics } from '../src/eval/suite/report';
import { frameBarsFigure, meanStdTable, metricsFrame, pairedDeltaFrame, pivotFrame, resultsFrame, sideBySideFrame, summaryFrame } from '../src/viz/frames';
import { toDataFrame } from '../src/viz/table';

const root = path.resolve(__dirname, '..', '..');

const close = (a: number, b: number | null, what: string) => {
  if (b === null) assert.ok(Number.isNaN(a), `${what}: expected NaN, got ${a}`);
  else assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
};

const cell = (character: string, method: string, m: Record<string, number | null>): CellResult =>
  ({ character, method, seed: 0, metrics: m as unknown as Metrics, train_seconds: 0, eval_seconds: 0, cached: false });

const small = {
  methods: ['b', 'a'],
  cells: [
    cell('x', 'a', { vqa_acc: 1, t2i_clip_t: null }), cell('y', 'a', { vqa_acc: 3, t2i_clip_t: 2 }),
    cell('x', 'b', { vqa_acc: 2, t2i_clip_t: 5 }), cell('y', 'b', { vqa_acc: 7, t2i_clip_t: 5.5 }), cell('z', 'b', { vqa_acc: 4, t2i_clip_t: null }),
  ],
};
const keys = ['vqa_acc', 't2i_clip_t'];

function checkSummary(r: { cells: CellResult[]; methods: string[] }, ks: readonly string[]): void {
  const want = aggregate(r.cells, r.methods, ks);
  const s = summaryFrame(r, ks);
  const rows = s.values as [string, string, number, number, number][];
  assert.deepEqual(s.columns, ['method', 'metric', 'mean', 'std', 'n']);
  const expected = r.methods.flatMap((m) => ks.filter((k) => want[m][k].n > 0).map((k) => [m, k]));
  assert.deepEqual(rows.map(([m, k]) => [m, k]), expected, 'rows: methods in the run order, then metrics in key order');
  for (const [m, k, mean, std, n] of rows) {
    assert.equal(n, want[m][k].n, `${m} ${k} n`);
    close(mean, want[m][k].mean, `${m} ${k} mean`);
    close(std, want[m][k].std, `${m} ${k} std`);
  }
}

test('summaryFrame (groupby + agg) equals aggregate, nulls left out, std NaN for n = 1', () => {
  checkSummary(small, keys);
  const s = summaryFrame(small, keys);
  assert.deepEqual((s.values as unknown[][]).find((r) => r[0] === 'a' && r[1] === 't2i_clip_t')?.[4], 1);
});

test('resultsFrame: one row per cell, null as NaN; metricsFrame: one row per cell and number', () => {
  const w = resultsFrame(small, keys);
  assert.deepEqual(w.shape, [5, 5]);
  assert.ok(Number.isNaN((w.values as unknown[][])[0][4] as number));
  assert.equal(metricsFrame(small, keys).shape[0], 8);
});

test('pivotFrame: long to wide in the given order, absent combinations NaN', () => {
  const long = toDataFrame([{ r: 'p', c: 'u', v: 1 }, { r: 'q', c: 'u', v: 2 }, { r: 'q', c: 'w', v: 3 }]);
  const p = pivotFrame(long, 'r', 'c', 'v', { rows: ['q', 'p'], columns: ['w', 'u', 'none'] });
  assert.deepEqual(p.columns, ['r', 'w', 'u', 'none']);
  const v = p.values as unknown[][];
  assert.deepEqual(v[0], ['q', 3, 2, NaN]);
  assert.deepEqual(v[1].slice(0, 1), ['p']);
  assert.ok(Number.isNaN(v[1][1] as number));
  assert.equal(v[1][2], 1);
});

test('meanStdTable: method x metric "mean ± std", n = 1 without a std', () => {
  const t = meanStdTable(small, keys);
  assert.deepEqual(t.columns, ['method', 'vqa_acc', 't2i_clip_t']);
  assert.deepEqual(t.values, [['b', '4.333 ± 2.517', '5.250 ± 0.354'], ['a', '2.000 ± 1.414', '2.000']]);
});

test('pairedDeltaFrame (merge + groupby) equals pairedDeltas', () => {
  const d = pairedDeltaFrame(small, [['b', 'a']], keys);
  const want = pairedDeltas(small.cells, 'b', 'a', keys);
  const rows = d.values as [string, string, string, string, number, number, number][];
  assert.deepEqual(rows.map((r) => r[3]), keys);
  for (const [pair, m, ref, k, mean, std, n] of rows) {
    assert.deepEqual([pair, m, ref], ['b − a', 'b', 'a']);
    assert.equal(n, want[k].n, k);
    close(mean, want[k].mean, `${k} mean`);
    close(std, want[k].std, `${k} std`);
  }
  assert.throws(() => pairedDeltaFrame(small, [['b', 'nobody']], keys), /no pair has cells/);
});

test('sideBySideFrame (summaryFrame per side, concat, pivotFrame) equals aggregate per side; note and complete', () => {
  // the second side: one method, t2i_clip_t null in every cell; 'gone' has no cells and no column
  const other = { cells: [cell('r', 'a', { vqa_acc: 0.5, t2i_clip_t: null }), cell('s', 'a', { vqa_acc: 1.5, t2i_clip_t: null })] };
  const sides = [{ label: 'synthetic', results: small }, { label: 'real', results: other, methods: ['gone', 'a'] }];
  const note = { side: 'real', column: 'on real data', why: {}, otherwise: 'null in every real cell' };
  const t = sideBySideFrame(sides, keys, { note });
  assert.deepEqual(t.columns, ['metric', 'synthetic b', 'synthetic a', 'real a', 'on real data']);
  const rows = t.values as [string, number, number, number, string][];
  assert.deepEqual(rows.map((r) => r[0]), keys);
  const want = { synthetic: aggregate(small.cells, small.methods, keys), real: aggregate(other.cells, ['a'], keys) };
  rows.forEach(([k, b, a, ra]) => {
    close(b, want.synthetic.b[k].mean, `synthetic b ${k}`);
    close(a, want.synthetic.a[k].mean, `synthetic a ${k}`);
    close(ra, want.real.a[k].mean, `real a ${k}`);
  });
  assert.deepEqual(rows.map((r) => r[4]), ['', 'null in every real cell']);
  assert.equal(sideBySideFrame(sides, keys, { note: { ...note, why: { t2i_clip_t: 'no prompt words' } } }).column('on real data').values[1], 'no prompt words');
  // a bar chart compares only what both sides have: one group, one bar per column of numbers
  const both = sideBySideFrame(sides, keys, { complete: true });
  assert.deepEqual(both.column('metric').values, ['vqa_acc']);
  const fig = frameBarsFigure(sideBySideFrame(sides, keys, { complete: true, note }), 'metric');
  assert.deepEqual(fig.data.map((d) => d.name), ['synthetic b', 'synthetic a', 'real a']);
  assert.deepEqual(fig.data.map((d) => d.x), [['vqa_acc'], ['vqa_acc'], ['vqa_acc']]);
  // a side without a single number keeps its columns (NaN), and then no metric is complete
  const empty = { label: 'real', results: { cells: [cell('r', 'a', { vqa_acc: null, t2i_clip_t: null })] } };
  const e = sideBySideFrame([sides[0], empty], keys);
  assert.ok((e.column('real a').values as number[]).every(Number.isNaN));
  assert.throws(() => sideBySideFrame([sides[0], empty], keys, { complete: true }), /no metric .* has a number on every side/);
});

test('the committed results/main: summary and paired deltas as results.ts computes them', (t) => {
  const file = path.join(root, 'results', 'main', 'results.json');
  if (!fs.existsSync(file)) return t.skip('results/main/results.json is not there');
  const r = JSON.parse(fs.readFileSync(file, 'utf8')) as ExperimentResults;
  checkSummary(r, METRIC_KEYS);
  const pairs = r.pairs ?? [];
  assert.ok(pairs.length > 0);
  const d = pairedDeltaFrame(r, pairs, METRIC_KEYS);
  for (const [, m, ref, k, mean, std, n] of d.values as [string, string, string, string, number, number, number][]) {
    const want = pairedDeltas(r.cells, m, ref, [k])[k];
    assert.equal(n, want.n);
    close(mean, want.mean, `${m} − ${ref} ${k}`);
    close(std, want.std, `${m} − ${ref} ${k} std`);
  }
});
