import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { resolveGrid, runExperiment, aggregate, markdownTable, pairedDeltas, comparisonPairs, GRIDS, type CellResult } from '../src/eval/experiments';
import { METRIC_KEYS } from '../src/eval/suite';
import { projectRoot } from '../src/util/paths';
import { UserError } from '../src/util/errors';
import { tempDir } from './synth-helpers';

const root = projectRoot();
const data = path.join(root, 'data', 'synth');
const tmp = tempDir('experiments');
const dirs = { dataDir: data, baseDir: path.join(root, 'checkpoints', 'base'), judgesDir: path.join(root, 'checkpoints', 'judges'), textJudgesDir: path.join(root, 'checkpoints', 'text-judges') };

test('the smoke grid runs every method on 2 characters; a rerun is served from the cache; an edited row reruns alone', { timeout: 10 * 60_000 }, async () => {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  const out = path.join(tmp, 'smoke');
  const grid = resolveGrid('smoke');
  const first = await runExperiment({ grid, characters: 2, seeds: 1, out, command: 'test', ...dirs });
  assert.equal(first.cells.length, 2 * grid.methods.length);
  assert.ok(first.cells.every((c) => !c.cached));
  for (const c of first.cells) for (const k of METRIC_KEYS) assert.ok(k in c.metrics, `${c.method}: ${k}`);
  const report = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  for (const m of grid.methods) assert.match(report, new RegExp(`\\| ${m.name} \\|`));
  const again = await runExperiment({ grid, characters: 2, seeds: 1, out, command: 'test', ...dirs });
  assert.ok(again.cells.every((c) => c.cached), 'a rerun recomputed cells');
  assert.deepEqual(again.cells.map((c) => c.metrics), first.cells.map((c) => c.metrics));
  // a grid is data: change the unified-sft row; it and the GRPO row built on it rerun, nothing else
  const file = path.join(tmp, 'grid.json');
  const edited = { ...GRIDS.smoke, methods: GRIDS.smoke.methods.map((m) => (m.kind === 'unified-sft' ? { ...m, sft: { shots: 3 } } : m)) };
  fs.writeFileSync(file, JSON.stringify(edited));
  const third = await runExperiment({ grid: resolveGrid(file), characters: 2, seeds: 1, out, command: 'test', ...dirs });
  const rerun = new Set(third.cells.filter((c) => !c.cached).map((c) => c.method));
  assert.deepEqual([...rerun].sort(), ['unified-sft', 'unified-sft-grpo']);
});

test('grid files are validated with the field named', () => {
  const bad = (grid: unknown, re: RegExp) => {
    const file = path.join(tmp, `bad-${Math.random().toString(36).slice(2)}.json`);
    fs.writeFileSync(file, JSON.stringify(grid));
    assert.throws(() => resolveGrid(file), (e: unknown) => e instanceof UserError && re.test((e as Error).message), JSON.stringify(grid));
  };
  bad({ methods: [{ name: 'a', kind: 'nope' }] }, /methods\.0\.kind/);
  bad({ methods: [{ name: 'sep', kind: 'separate' }] }, /methods\.0\.text_from: a separate row needs an earlier text-only row/);
  bad({ methods: [{ name: 'g', kind: 'grpo' }] }, /methods\.0\.sft_from: a grpo row needs an earlier unified-sft row/);
  bad({ methods: [{ name: 'u', kind: 'unified-sft', sft: { shots: 0 } }] }, /methods\.0\.sft: .*shots/);
  bad({ methods: [{ name: 'u', kind: 'unified-sft' }, { name: 'u', kind: 'unified-sft' }] }, /duplicate method name "u"/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft', model_from: 'b' }, { name: 'b', kind: 'unified-sft' }] }, /methods\.0\.model_from: model_from needs an earlier row/);
  bad({ methods: [{ name: 'a', kind: 'prompt-only' }, { name: 'b', kind: 'unified-sft', model_from: 'a' }] }, /methods\.1\.model_from: .*same kind/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft', eval: { picture_after_reply: 'no' } }] }, /methods\.0\.eval: .*picture_after_reply/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft' }, { name: 'b', kind: 'unified-sft', model_from: 'a', sft: { shots: 3 } }] }, /methods\.1\.sft: a model_from row trains nothing/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft' }, { name: 'b', kind: 'unified-sft', model_from: 'a' }, { name: 'g', kind: 'grpo', sft_from: 'b' }] }, /methods\.2\.sft_from/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft' }, { name: 'g', kind: 'grpo', base: 'checkpoints/base' }] }, /methods\.1\.base: a grpo row builds on other rows/);
  bad({ methods: [{ name: 'a', kind: 'unified-sft', base: 'checkpoints/no-such-base' }] }, /methods\.0\.base: .*no-such-base: no base checkpoint there \(config\.json missing\).*cmrp pretrain --config dense/);
  for (const name of ['main', 'ablations', 'demo', 'real', 'smoke', 'ablations-smoke', 'demo-smoke', 'real-smoke']) assert.ok(resolveGrid(name).methods.length >= 2, `built-in grid ${name} validates`);
  assert.equal(resolveGrid('ablations').methods.length, 15);
  assert.throws(() => resolveGrid('nope'), (e: unknown) => e instanceof UserError && /neither a built-in grid/.test((e as Error).message));
});

test('aggregation: mean ± sample std per method, best of each column in bold by its direction', () => {
  const cell = (method: string, character: string, m: Record<string, number | null>): CellResult => ({
    character, method, seed: 0, metrics: Object.fromEntries(METRIC_KEYS.map((k) => [k, m[k] ?? null])) as CellResult['metrics'], train_seconds: 0, eval_seconds: 0, cached: false,
  });
  const cells = [
    cell('a', 'x', { vqa_acc: 0.2, t2i_copy_rate: 0.5, catchphrase_rate_ratio: 3 }),
    cell('a', 'y', { vqa_acc: 0.4, t2i_copy_rate: 0.3, catchphrase_rate_ratio: 1 }),
    cell('b', 'x', { vqa_acc: 0.1, t2i_copy_rate: 0.1, catchphrase_rate_ratio: 1.1 }),
    cell('b', 'y', { vqa_acc: null, t2i_copy_rate: 0.1, catchphrase_rate_ratio: 0.9 }),
  ];
  const s = aggregate(cells, ['a', 'b']);
  assert.ok(Math.abs(s.a.vqa_acc.mean! - 0.3) < 1e-12 && Math.abs(s.a.vqa_acc.std! - Math.sqrt(0.02)) < 1e-12);
  assert.equal(s.b.vqa_acc.n, 1);
  const md = markdownTable(s, ['vqa_acc', 't2i_copy_rate', 'catchphrase_rate_ratio']);
  const row = (m: string) => md.split('\n').find((l) => l.startsWith(`| ${m} |`))!.split('|').map((x) => x.trim());
  assert.match(row('a')[2], /^\*\*0\.300/); // higher vqa is better
  assert.match(row('b')[3], /^\*\*0\.100/); // lower copy rate is better
  assert.match(row('b')[4], /^\*\*1\.000/); // ratio closest to 1 (b: 1.0 mean vs a: 2.0)
  const d = pairedDeltas(cells, 'b', 'a', ['vqa_acc', 't2i_copy_rate']);
  assert.equal(d.vqa_acc.n, 1); // b has no vqa_acc for y
  assert.ok(Math.abs(d.vqa_acc.mean! - -0.1) < 1e-12 && d.vqa_acc.better === 0);
  assert.ok(Math.abs(d.t2i_copy_rate.mean! - -0.3) < 1e-12 && d.t2i_copy_rate.better === 2); // lower copy rate is better
  assert.deepEqual(comparisonPairs(resolveGrid('ablations')).slice(0, 3), [['sft-k10-picture-without-reply', 'sft-k10'], ['grpo-official', 'sft-k10'], ['grpo-no-vqa', 'sft-k10']]);
  const ablPairs = comparisonPairs(resolveGrid('ablations'));
  assert.ok(ablPairs.some(([m, r]) => m === 'grpo-no-vqa' && r === 'grpo-official'), 'each GRPO variant is compared with the official GRPO row');
  assert.ok(!ablPairs.some(([m, r]) => m === r), 'no row is compared with itself');
  assert.deepEqual(comparisonPairs(resolveGrid('smoke')), [['unified-sft-grpo', 'unified-sft'], ['unified-sft', 'prompt-only'], ['unified-sft', 'image-only'], ['unified-sft', 'text-only'], ['unified-sft', 'separate']]);
});

test('a model_from row scores an earlier row\'s model under its own eval settings, without training', { timeout: 5 * 60_000 }, async () => {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  const out = path.join(tmp, 'model-from');
  const grid = resolveGrid(writeGrid({
    sft_config: 'smoke', eval_config: 'smoke', grpo_config: 'smoke',
    methods: [{ name: 'sft', kind: 'unified-sft' }, { name: 'sft-no-reply', kind: 'unified-sft', model_from: 'sft', eval: { picture_after_reply: false } }],
  }));
  const r = await runExperiment({ grid, characters: ['Calmaric'], seeds: 1, out, command: 'test', ...dirs });
  const [chain, noReply] = r.cells;
  assert.equal(noReply.train_seconds, 0);
  assert.ok(!fs.existsSync(path.join(out, 'models', 'Calmaric', 'sft-no-reply')), 'a model_from row wrote a model');
  // same model, same text items and seed: the text metrics agree; the pictures were drawn differently
  assert.equal(noReply.metrics.knowledge_mcq_acc, chain.metrics.knowledge_mcq_acc);
  const saved = (m: string) => JSON.parse(fs.readFileSync(path.join(out, 'cells', 'Calmaric', m, 'seed0.json'), 'utf8'));
  assert.equal(saved('sft-no-reply').report.config.picture_after_reply, false);
  assert.equal(saved('sft').report.config.picture_after_reply, undefined);
  assert.notDeepEqual(saved('sft-no-reply').report.details.mmrp, saved('sft').report.details.mmrp);
  const again = await runExperiment({ grid, characters: ['Calmaric'], seeds: 1, out, command: 'test', ...dirs });
  assert.ok(again.cells.every((c) => c.cached));
});

function writeGrid(grid: unknown): string {
  const file = path.join(tmp, `grid-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(grid));
  return file;
}
