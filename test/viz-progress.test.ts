/**
 * The notebooks' live-steering helpers: the progress bar under a long cell (label, steps, rate,
 * time left; one output entry redrawn in place) and the what-if over every stored step of a GRPO run.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as viz from '../src/viz/index';
import { COMPONENT_NAMES, parseRewardConfig, type RewardConfig, type RewardMeasurements } from '../src/rewards';
import type { GrpoRow, StoredStep } from '../src/train/grpo';

function recorder() {
  const outputs: { entry: string; html: string }[] = [];
  let n = 0;
  const mk = (entry: string): viz.DisplayLike => {
    const put = (html: string) => outputs.push({ entry, html: String(html) });
    return { html: put, markdown: put, svg: put, png: () => {}, jpeg: () => {}, gif: () => {}, text: put, bundle: (d) => put(String(d['text/html'] ?? '')) };
  };
  return { provider: { display: mk('main'), newDisplay: () => mk(`d${n++}`) } as viz.DisplayProvider, outputs };
}

test('progressBar: steps, rate and time left from the recent steps, one output entry, final state on close', () => {
  const rec = recorder();
  viz.setDisplayProvider(rec.provider);
  try {
    let t = 0;
    const bar = viz.progressBar('SFT <Calmaric>', 10, { now: () => t, throttleMs: 0, window: 2 });
    t = 10_000; bar.tick(); // a slow first step (10 s)
    t = 11_000; bar.tick(1, 'loss 2.5');
    t = 12_000; bar.tick();
    const s = bar.state();
    assert.equal(s.done, 3);
    assert.equal(s.rate, 1, 'the window of 2 steps forgets the slow first step');
    assert.equal(s.leftMs, 7000);
    assert.equal(viz.progressSummary(s), 'SFT <Calmaric>: 3/10 steps (30%), 1.00 steps/s, 12 s elapsed, 7 s left · loss 2.5');
    bar.close();
    assert.equal(new Set(rec.outputs.map((o) => o.entry)).size, 1, 'every redraw replaces the same output entry');
    const last = rec.outputs[rec.outputs.length - 1].html;
    assert.match(last, /SFT &lt;Calmaric&gt;: 3\/10 steps/, 'escaped');
    assert.match(last, /width:30\.0%/);
    assert.throws(() => bar.tick(), /closed/);
  } finally {
    viz.setDisplayProvider(null);
  }
  assert.equal(viz.formatDuration(125_000), '2 min 05 s');
  assert.equal(viz.formatDuration(3_720_000), '1 h 02 min');
  assert.throws(() => viz.progressBar('x', -1), /total/);
});

test('progressBar outside a notebook: one summary line at close', () => {
  const lines: string[] = [];
  viz.setTextFallback((l) => lines.push(l));
  try {
    let t = 0;
    const bar = viz.progressBar('GRPO', 4, { now: () => t });
    t = 2000; bar.tick(2);
    bar.close();
    assert.deepEqual(lines, ['[progress] GRPO: 2/4 steps (50%), 1.00 steps/s, 2 s elapsed']);
  } finally {
    viz.setTextFallback((l) => console.log(l));
  }
});

test('runWhatIf: every stored step re-weighted against the weights in force at that step', () => {
  const only = (w: Partial<RewardConfig['weights']>) => parseRewardConfig({ weights: { ...Object.fromEntries(COMPONENT_NAMES.map((c) => [c, 0])), ...w } });
  const vqaOnly = only({ vqa: 1 });
  const groups = [0, 0, 0, 1, 1, 1];
  const m: RewardMeasurements = {
    n: 6, groups,
    raw: { vqa: Float64Array.from([1, 0.5, 0, 0.2, 0.3, 0.9]), clip_t: Float64Array.from([0, 0.5, 1, 0.9, 0.3, 0.2]) } as RewardMeasurements['raw'],
    seconds: {},
  };
  const stored: StoredStep[] = [1, 2].map((step) => ({ step, prompts: ['a', 'b'], groups, measurements: m, images: null }));
  // step 1 ran on vqa alone, step 2 already on clip_t alone (a mid-run change, as setRewardWeights records it)
  const history = [{ step: 1, rewards: vqaOnly }, { step: 2, rewards: only({ clip_t: 1 }) }] as unknown as GrpoRow[];
  const steps = viz.runWhatIf({ stored, history, config: { scale_rewards: 'group', clip_advantages: null, rewards: vqaOnly } }, { vqa: 0, clip_t: 1 });
  assert.deepEqual(steps.map((s) => s.step), [1, 2]);
  assert.equal(steps[0].meanKendallTau, -1, 'step 1: clip_t reverses both groups');
  assert.equal(steps[0].rankChangedShare, 1);
  assert.ok(steps[0].advantageCorrelation! < -0.5, String(steps[0].advantageCorrelation));
  assert.equal(steps[1].meanKendallTau, 1, 'step 2 was already on these weights: nothing changes');
  assert.ok(Math.abs(steps[1].advantageCorrelation! - 1) < 1e-12);
  assert.equal(steps[1].signFlipShare, 0);
  const fig = viz.runWhatIfFigure(steps);
  assert.equal(fig.data.length, 4);
  assert.deepEqual(fig.data[0].x, [1, 2]);
});

test('cellProgress: the total comes with the first cell; done counts are absolute', () => {
  const lines: string[] = [];
  viz.setTextFallback((l) => lines.push(l));
  try {
    const p = viz.cellProgress('grid');
    p.onCell(1, 3, { character: 'A', method: 'sft', cached: true });
    p.onCell(3, 3, { character: 'B', method: 'sft' });
    p.close();
    assert.match(lines[0], /^\[progress\] grid: 3\/3 steps \(100%\).* · B sft$/);
  } finally {
    viz.setTextFallback((l) => console.log(l));
  }
});
