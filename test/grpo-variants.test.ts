/**
 * GRPO tests that can fail (src/train/grpo.ts, src/grpo/objective.ts), observed through the objective's
 * own functions (wrapped here, the trainer untouched):
 *   - num_iterations 2: the first pass is on-policy (ratio exactly 1), the second is not; the old
 *     log-probs are computed once per step, from the weights that sampled the rollouts;
 *   - beta > 0: the KL reference holds the SFT weights, while the policy moves;
 *   - loss_type: grpo and bnpo coincide for fixed 64-code images and differ for role-play
 *     rollouts, whose sequences have different lengths; dr_grpo differs by a constant factor.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { ensureSynthDataset } from '../src/data/synth';
import { loadCharacter } from '../src/data/rolescape';
import { resolveGrpoConfig } from '../src/train/grpo-config';
import { prepareGrpo } from '../src/train/grpo-setup';
import { grpoLoss } from '../src/grpo/objective';
import type { GrpoTrainer } from '../src/train/grpo';
import { projectRoot } from '../src/util/paths';

// the trainer calls these through the module object, so wrapping them here observes every call
// eslint-disable-next-line @typescript-eslint/no-require-imports
const objective = require('../src/grpo/objective') as Record<string, (...args: never[]) => unknown>;

const root = projectRoot();
const data = path.join(root, 'data', 'synth');
const model = path.join(root, 'checkpoints', 'base'); // stands in for an SFT model
const judgesDir = path.join(root, 'checkpoints', 'judges');
const textJudgesDir = path.join(root, 'checkpoints', 'text-judges');
// one worker: the wrapped functions observe this thread's calls only (grpo-parallel.test.ts shows 2 workers compute the same)
const smoke = (over: Record<string, unknown> = {}) => resolveGrpoConfig('smoke', { steps: 4, workers: 1, ...over });

async function character() {
  await initBackend();
  await ensureSynthDataset({ dir: data, seed: 0 });
  return (await loadCharacter(data, 'Kito')).character;
}

const paramsHash = (params: Map<string, tf.Variable> | Iterable<[string, tf.Tensor]>): string => {
  const h = crypto.createHash('sha256');
  for (const [k, v] of params) h.update(k).update(Buffer.from((v.dataSync() as Float32Array).buffer));
  return h.digest('hex');
};

interface Spy {
  /** One entry per sampling-policy log-prob pass (policyStatSums): a hash of the model's weights when called. */
  stats: string[];
  /** One entry per grpoLoss call: max |logp - oldLogp| over the masked tokens. */
  ratioGap: number[];
  restore(): void;
}

function spy(): Spy {
  const origStats = objective.policyStatSums, origLoss = objective.grpoLoss;
  const s: Spy = { stats: [], ratioGap: [], restore: () => ((objective.policyStatSums = origStats), (objective.grpoLoss = origLoss)) };
  objective.policyStatSums = ((m: { params: Map<string, tf.Variable> }, ...rest: never[]) => {
    s.stats.push(paramsHash(m.params));
    return (origStats as (...a: unknown[]) => unknown)(m, ...rest);
  }) as never;
  objective.grpoLoss = ((a: Parameters<typeof grpoLoss>[0]) => {
    s.ratioGap.push(tf.tidy(() => tf.max(tf.mul(tf.abs(tf.sub(a.logp, a.oldLogp)), a.mask)).dataSync()[0]));
    return origLoss(a as never);
  }) as never;
  return s;
}

const dispose = (t: GrpoTrainer) => {
  t.parts.judges.dispose();
  t.parts.textJudges?.emotion.dispose();
  t.parts.reference?.dispose();
  t.parts.model.dispose();
};

test('num_iterations 2: pass 1 has ratio 1, pass 2 moves it; old log-probs come once per step from the sampling weights', async () => {
  const c = await character();
  const trainer = await prepareGrpo(smoke({ num_iterations: 2, learning_rate: 1e-3 }), { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir });
  const s = spy();
  try {
    const before = paramsHash(trainer.parts.model.params);
    await trainer.run(1);
    assert.equal(s.stats.length, 1, 'old log-probs computed once for both passes (beta 0: no reference call)');
    assert.equal(s.stats[0], before, 'from the weights that sampled the rollouts');
    assert.notEqual(paramsHash(trainer.parts.model.params), before, 'the policy moved');
    assert.equal(s.ratioGap.length, 2);
    // the first pass recomputes the sampling log-probs in another batch layout: equal up to float rounding
    assert.ok(s.ratioGap[0] < 1e-5, `first pass: on-policy, ratio 1 (max |log ratio| ${s.ratioGap[0]})`);
    assert.ok(s.ratioGap[1] > 1e-3 && s.ratioGap[1] > 100 * s.ratioGap[0], `second pass: ratio off 1 (max |log ratio| ${s.ratioGap[1]})`);
    const mid = paramsHash(trainer.parts.model.params);
    await trainer.run(1);
    assert.equal(s.stats.length, 2);
    assert.equal(s.stats[1], mid, 'the next step\'s old log-probs come from the updated (new sampling) weights');
  } finally {
    s.restore();
    dispose(trainer);
  }
});

test('beta > 0: the KL reference holds the SFT weights while the policy moves', async () => {
  const c = await character();
  const trainer = await prepareGrpo(smoke({ beta: 0.04, learning_rate: 1e-3 }), { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir });
  const s = spy();
  try {
    const sft = paramsHash(trainer.parts.model.params);
    assert.ok(trainer.parts.reference, 'a reference is held when beta > 0');
    assert.equal(paramsHash(trainer.parts.reference!.params), sft);
    const rows = await trainer.run(2);
    assert.equal(paramsHash(trainer.parts.reference!.params), sft, 'the reference did not move');
    assert.notEqual(paramsHash(trainer.parts.model.params), sft, 'the policy did');
    assert.equal(s.stats.length, 4, 'per step: the policy\'s old log-probs and the reference\'s');
    assert.equal(s.stats[1], sft);
    assert.equal(s.stats[3], sft, 'step 2 still scores the KL against the SFT weights');
    assert.notEqual(s.stats[2], sft);
    assert.ok(Math.abs(rows[0].kl) < 1e-7, `step 1, first pass: the policy is the reference (KL ${rows[0].kl})`);
    assert.ok(rows[1].kl > 1e-6, `step 2: KL > 0 (${rows[1].kl})`);
  } finally {
    s.restore();
    dispose(trainer);
  }
});

async function oneStep(over: Record<string, unknown>) {
  const c = await character();
  const trainer = await prepareGrpo(smoke({ learning_rate: 1e-3, ...over }), { modelDir: model, dataDir: data, character: c, outDir: null, judgesDir, textJudgesDir });
  try {
    const [row] = await trainer.run(1);
    return { loss: row.policy_loss, weights: [...trainer.parts.model.params].map(([k, v]) => [k, Float32Array.from(v.dataSync())] as const) };
  } finally {
    dispose(trainer);
  }
}

const maxDiff = (a: Awaited<ReturnType<typeof oneStep>>, b: typeof a): number =>
  Math.max(...a.weights.map(([, x], i) => x.reduce((m, v, j) => Math.max(m, Math.abs(v - b.weights[i][1][j])), 0)));

test('loss_type: grpo and bnpo coincide for 64-code images and differ for role-play rollouts of different lengths', { timeout: 10 * 60_000 }, async () => {
  const t2i = { grpo: await oneStep({ loss_type: 'grpo' }), bnpo: await oneStep({ loss_type: 'bnpo' }) };
  assert.ok(Math.abs(t2i.grpo.loss - t2i.bnpo.loss) < 1e-6, `t2i losses ${t2i.grpo.loss} vs ${t2i.bnpo.loss}`);
  assert.ok(maxDiff(t2i.grpo, t2i.bnpo) < 1e-6, `t2i weights differ by ${maxDiff(t2i.grpo, t2i.bnpo)}`);
  const rp = { rollouts: 'roleplay', max_completion_length: 40 }; // long enough that replies end (and their pictures start) at different lengths
  const r = { grpo: await oneStep({ ...rp, loss_type: 'grpo' }), bnpo: await oneStep({ ...rp, loss_type: 'bnpo' }) };
  // on-policy the ratio is 1: grpo's loss is -mean(A) = 0 (advantages are centred per group), bnpo's
  // weights each A by its sequence's length, so it is 0 only when every length is the same
  assert.ok(Math.abs(r.grpo.loss) < 1e-5, `role-play grpo loss ${r.grpo.loss}`);
  assert.ok(Math.abs(r.bnpo.loss) > 1e-4, `role-play bnpo loss ${r.bnpo.loss}`);
  assert.ok(maxDiff(r.grpo, r.bnpo) > 1e-6, 'different aggregations, different updates');
});

test('loss_type on hand-made masks: equal lengths make grpo = bnpo and dr_grpo a constant multiple; unequal lengths separate them', async () => {
  await initBackend();
  const run = (mask: number[][], lossType: 'grpo' | 'bnpo' | 'dr_grpo') => tf.tidy(() => grpoLoss({
    logp: tf.tensor2d([[-1, -2, -0.5, -1], [-0.3, -1.2, -2, -0.7]]), oldLogp: tf.tensor2d([[-1.1, -1.9, -0.5, -1.2], [-0.2, -1.2, -2.2, -0.7]]), refLogp: null,
    advantages: tf.tensor1d([1, -1]), mask: tf.tensor2d(mask), epsilon: 0.2, epsilonHigh: 0.2, beta: 0, lossType, maxCompletionLength: 4,
  }).loss.dataSync()[0]);
  const equal = [[1, 1, 1, 0], [1, 1, 1, 0]], unequal = [[1, 1, 1, 1], [1, 0, 0, 0]];
  assert.ok(Math.abs(run(equal, 'grpo') - run(equal, 'bnpo')) < 1e-6);
  assert.ok(Math.abs(run(equal, 'dr_grpo') - run(equal, 'bnpo') * (6 / 8)) < 1e-6, 'dr_grpo = bnpo x tokens / (B x max length)');
  assert.ok(Math.abs(run(unequal, 'grpo') - run(unequal, 'bnpo')) > 1e-3);
});
