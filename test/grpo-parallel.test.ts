/**
 * Character-GRPO on 2 workers computes what 1 worker computes (src/train/grpo-workers.ts): the same
 * rollouts (bit for bit: each group has its own random stream, whichever thread draws it), the
 * same rewards (exactly: the same drawings), and the same policy loss, KL, clip fraction, entropy,
 * gradient norm and weights up to float32 summation order. Tolerances (measured differences are
 * printed as diagnostics): loss, KL and clip fraction within 1e-6 absolute, entropy within 1e-5
 * and gradient norm within 1e-3 relative, and the run's whole weight update (after - before) within
 * 1e-3 of its L2 norm. Weights are compared by their update, not element by element: AdamW divides
 * each gradient element by its own RMS, so an element whose gradient is at the float32 noise level
 * of the sum (~1e-7 of the largest) moves by up to ~lr either way. Measured (2026-11-27): the
 * largest element differs by 7.8e-4 after 8 updates at lr 1e-3, the update's L2 by 2.8e-4 of its
 * norm (minibatches case; 6e-6-8e-6 in the others), loss by <= 7.3e-7, gradient norm by 1.5e-6.
 * Shares are uneven on purpose: 3 groups of 3 (groups 2 + 1, update rows 5 + 4, a group split
 * across threads), 2 minibatches x 2 inner epochs (ratios move off 1), every loss type, the KL
 * reference, role-play rollouts.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadCharacter } from '../src/data/rolescape';
import { resolveGrpoConfig } from '../src/train/grpo-config';
import { prepareGrpo } from '../src/train/grpo-setup';
import type { GrpoRow } from '../src/train/grpo';
import { projectRoot } from '../src/util/paths';
import { UserError } from '../src/util/errors';

const root = projectRoot();
const data = path.join(root, 'data', 'synth');
const model = path.join(root, 'checkpoints', 'base'); // stands in for an SFT model: GRPO only needs a policy that draws
const judgesDir = path.join(root, 'checkpoints', 'judges');
const textJudgesDir = path.join(root, 'checkpoints', 'text-judges');

interface Run {
  workers: number;
  history: GrpoRow[];
  codes: Int32Array[][];
  texts: string[][];
  weights: Map<string, Float32Array>;
  before: Map<string, Float32Array>;
}

async function run(over: Record<string, unknown>, workers: number): Promise<Run> {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  const c = (await loadCharacter(data, 'Kito')).character;
  const config = resolveGrpoConfig('smoke', { prompts_per_step: 3, num_generations: 3, learning_rate: 1e-3, warmup: 1, ...over, workers });
  const trainer = await prepareGrpo(config, { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir, textJudgesDir });
  const snapshot = () => new Map([...trainer.parts.model.params].map(([k, v]) => [k, v.dataSync().slice() as Float32Array]));
  const before = snapshot();
  const codes: Int32Array[][] = [], texts: string[][] = [];
  await trainer.run(config.steps, (_, r) => (codes.push(r.codes), texts.push(r.texts ?? [])));
  const out = { workers: trainer.workerCount, history: trainer.history, codes, texts, weights: snapshot(), before };
  await trainer.dispose();
  trainer.parts.judges.dispose();
  trainer.parts.model.dispose();
  trainer.parts.reference?.dispose();
  return out;
}

function compare(t: { diagnostic: (s: string) => void }, label: string, one: Run, two: Run): void {
  assert.equal(two.workers, 2, `${label}: 2 workers did not start`);
  assert.equal(one.history.length, two.history.length);
  // the same drawings at every step, so exactly the same rewards
  one.codes.forEach((step, s) => step.forEach((codes, i) => assert.deepEqual(two.codes[s][i], codes, `${label}: step ${s + 1} rollout ${i} differs`)));
  assert.deepEqual(two.texts, one.texts, `${label}: reply texts differ`);
  const worst = { loss: 0, kl: 0, clip: 0, entropy: 0, norm: 0, weight: 0, update: 0 };
  one.history.forEach((a, s) => {
    const b = two.history[s];
    assert.deepEqual(b.reward, a.reward, `${label}: step ${a.step} rewards differ`);
    worst.loss = Math.max(worst.loss, Math.abs(a.policy_loss - b.policy_loss));
    worst.kl = Math.max(worst.kl, Math.abs(a.kl - b.kl));
    worst.clip = Math.max(worst.clip, Math.abs(a['clip_ratio/region_mean'] - b['clip_ratio/region_mean']));
    worst.entropy = Math.max(worst.entropy, Math.abs(a.entropy - b.entropy) / Math.abs(a.entropy));
    worst.norm = Math.max(worst.norm, Math.abs(a.grad_norm - b.grad_norm) / Math.abs(a.grad_norm));
  });
  let diff2 = 0, update2 = 0;
  for (const [k, w] of one.weights) {
    const v = two.weights.get(k)!, w0 = one.before.get(k)!;
    assert.deepEqual(two.before.get(k), w0, `${label}: ${k} starts differently`);
    for (let i = 0; i < w.length; i++) {
      worst.weight = Math.max(worst.weight, Math.abs(w[i] - v[i]));
      diff2 += (w[i] - v[i]) ** 2;
      update2 += (w[i] - w0[i]) ** 2;
    }
  }
  worst.update = Math.sqrt(diff2 / update2);
  t.diagnostic(`${label}: largest differences 1 vs 2 workers: ${JSON.stringify(worst)}`);
  assert.ok(worst.loss <= 1e-6 && worst.kl <= 1e-6 && worst.clip <= 1e-6, `${label}: loss/KL/clip differ: ${JSON.stringify(worst)}`);
  assert.ok(worst.entropy <= 1e-5 && worst.norm <= 1e-3, `${label}: entropy/gradient norm differ: ${JSON.stringify(worst)}`);
  assert.ok(update2 > 0 && worst.update <= 1e-3, `${label}: the weight updates differ by ${worst.update} of their norm`);
  assert.ok(one.history.some((r) => r.grad_norm > 0), `${label}: nothing was trained`);
}

const cases: [string, Record<string, unknown>][] = [
  ['t2i, grpo loss, 2 minibatches x 2 epochs', { steps: 2, loss_type: 'grpo', minibatches: 2, num_iterations: 2 }],
  ['t2i, dr_grpo loss, KL reference', { steps: 2, loss_type: 'dr_grpo', beta: 0.05 }],
  ['role-play, bnpo loss', { steps: 2, loss_type: 'bnpo', rollouts: 'roleplay', max_completion_length: 12, prompts_per_step: 2 }],
];

for (const [label, over] of cases) {
  test(`GRPO, 1 vs 2 workers: the same rollouts, rewards, losses and weights (${label})`, async (t) => {
    await initBackend();
    if (!['wasm', 'cpu'].includes(tf.getBackend())) return t.skip(`backend ${tf.getBackend()} runs one worker`);
    compare(t, label, await run(over, 1), await run(over, 2));
  });
}

test('the GRPO worker count is checked: a whole number 0-256 in the config', () => {
  for (const workers of [-1, 1.5, 257, '2', null]) {
    assert.throws(() => resolveGrpoConfig('smoke', { workers }), (e: unknown) => e instanceof UserError && /workers/.test((e as Error).message), `workers ${workers} accepted`);
  }
  assert.equal(resolveGrpoConfig('smoke').workers, 0);
  assert.equal(resolveGrpoConfig('smoke', { workers: 2 }).workers, 2);
});
