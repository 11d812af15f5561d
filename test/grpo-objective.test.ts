import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { grpoLoss, imageTokenLogProbs, samplingPolicyStats } from '../src/grpo/objective';
import { Transformer } from '../src/model/transformer';
import type { Batch } from '../src/train/encode';

const close = (a: number, b: number, tol = 1e-5) => assert.ok(Math.abs(a - b) < tol, `${a} != ${b}`);

test('clipped surrogate, k3 KL and the three aggregations match a hand computation', async () => {
  await initBackend();
  // two sequences; the second has one masked-out position
  const logp = [[-1.0, -2.0, -0.5], [-1.5, -0.2, -3.0]];
  const old = [[-1.2, -1.8, -0.5], [-1.0, -0.2, -3.0]];
  const ref = [[-1.1, -2.2, -0.4], [-1.4, -0.3, -2.0]];
  const mask = [[1, 1, 1], [1, 1, 0]];
  const adv = [1.0, -2.0];
  const eps = 0.2, epsHigh = 0.28, beta = 0.1;
  // by hand
  const perTok: number[][] = [], clipped: number[][] = [], kls: number[][] = [];
  for (let b = 0; b < 2; b++) {
    perTok.push([]), clipped.push([]), kls.push([]);
    for (let t = 0; t < 3; t++) {
      const r = Math.exp(logp[b][t] - old[b][t]);
      const a = adv[b];
      const s1 = r * a, s2 = Math.min(Math.max(r, 1 - eps), 1 + epsHigh) * a;
      const d = ref[b][t] - logp[b][t];
      const kl = Math.exp(d) - d - 1;
      perTok[b].push(-Math.min(s1, s2) + beta * kl);
      clipped[b].push((r < 1 - eps && a < 0) || (r > 1 + epsHigh && a > 0) ? 1 : 0);
      kls[b].push(kl);
    }
  }
  const msum = (f: (b: number, t: number) => number) => [0, 1].reduce((s, b) => s + [0, 1, 2].reduce((u, t) => u + mask[b][t] * f(b, t), 0), 0);
  const nTok = msum(() => 1);
  const expect = {
    grpo: [0, 1].reduce((s, b) => s + [0, 1, 2].reduce((u, t) => u + mask[b][t] * perTok[b][t], 0) / mask[b].reduce((x, y) => x + y, 0), 0) / 2,
    bnpo: msum((b, t) => perTok[b][t]) / nTok,
    dr_grpo: msum((b, t) => perTok[b][t]) / (2 * 4),
  };
  for (const lossType of ['grpo', 'bnpo', 'dr_grpo'] as const) {
    const out = grpoLoss({
      logp: tf.tensor2d(logp), oldLogp: tf.tensor2d(old), refLogp: tf.tensor2d(ref), advantages: tf.tensor1d(adv), mask: tf.tensor2d(mask),
      epsilon: eps, epsilonHigh: epsHigh, beta, lossType, maxCompletionLength: 4,
    });
    close(out.loss.dataSync()[0], expect[lossType]);
    close(out.kl.dataSync()[0], msum((b, t) => kls[b][t]) / nTok);
    close(out.clipFraction.dataSync()[0], msum((b, t) => clipped[b][t]) / nTok);
  }
  assert.ok(msum((b, t) => clipped[b][t]) >= 1, 'the example exercises the clip');
});

test('on-policy (ratio 1) the gradient is -A times the log-prob gradient, and KL is zero at the reference', async () => {
  await initBackend();
  const lp = tf.variable(tf.tensor2d([[-1, -2]]));
  const { grads } = tf.variableGrads(() => grpoLoss({
    logp: lp, oldLogp: tf.tensor2d([[-1, -2]]), refLogp: tf.tensor2d([[-1, -2]]), advantages: tf.tensor1d([0.5]), mask: tf.tensor2d([[1, 1]]),
    epsilon: 0.2, epsilonHigh: 0.2, beta: 0.3, lossType: 'bnpo', maxCompletionLength: 2,
  }).loss, [lp]);
  assert.deepEqual(Array.from(grads[lp.name].dataSync()).map((x) => +x.toFixed(6)), [-0.25, -0.25]);
});

test('image-token log-probs: constrained to the image codes, tempered, equal in the training and sampling paths', async () => {
  await initBackend();
  const model = new Transformer({ vocab_size: 40, n_layer: 1, n_head: 2, n_embd: 16, block_size: 8 }, 3);
  const ids = Int32Array.from([1, 5, 30, 31, 35, 36]);
  const targets = Int32Array.from([5, 30, 31, 35, 36, 32]);
  const mask = Float32Array.from([0, 1, 1, 1, 1, 0]);
  const modality = Int32Array.from(ids, (i) => (i >= 30 ? 1 : 0));
  const b: Batch = { B: 1, T: 6, ids, targets, mask, modality, tasks: ['t2i'] };
  const x = { batch: b, imageOffset: 30, codebookSize: 10, temperature: 0.7 };
  const lp = imageTokenLogProbs(model, x).dataSync();
  const stats = samplingPolicyStats(model, x);
  const lp2 = stats.logp.dataSync();
  const logits = model.forward(tf.tensor2d(ids, [1, 6], 'int32'), tf.tensor2d(modality, [1, 6], 'int32')).arraySync()[0];
  for (let t = 0; t < 6; t++) {
    if (!mask[t]) {
      assert.ok(lp[t] === 0, `masked position ${t}: ${lp[t]}`);
      continue;
    }
    const z = logits[t].slice(30, 40).map((v) => v / 0.7);
    const mx = Math.max(...z);
    const lse = mx + Math.log(z.reduce((s, v) => s + Math.exp(v - mx), 0));
    close(lp[t], z[targets[t] - 30] - lse, 1e-4);
    close(lp2[t], lp[t], 1e-4);
  }
  assert.ok(stats.entropy > 0 && stats.entropy <= Math.log(10) + 1e-6);
  stats.logp.dispose();
  model.dispose();
});

test('reply-text log-probs: restricted to text tokens, <eos> and <boi>, tempered, equal in both paths', async () => {
  await initBackend();
  // vocabulary: 0-9 specials (eos 2, boi 6), text 10-29, image 30-39
  const model = new Transformer({ vocab_size: 40, n_layer: 1, n_head: 2, n_embd: 16, block_size: 8 }, 5);
  const ids = Int32Array.from([1, 12, 4, 15, 17, 6, 33]);
  const targets = Int32Array.from([12, 4, 15, 17, 6, 33, 7]);
  const mask = Float32Array.from([0, 0, 1, 1, 1, 1, 0]);
  const kinds = Uint8Array.from([0, 0, 1, 3, 1, 2, 0]); // text choices; position 3 scores the choice <eos> (its target is a forced token); the chosen <boi>; one image code
  const modality = Int32Array.from(ids, (i) => (i >= 30 ? 1 : 0));
  const b: Batch = { B: 1, T: 7, ids, targets, mask, modality, tasks: ['roleplay'] };
  const x = { batch: b, imageOffset: 30, codebookSize: 10, temperature: 0.8, text: { kinds, textOffset: 10, eos: 2, boi: 6 } };
  const lp = imageTokenLogProbs(model, x).dataSync();
  const stats = samplingPolicyStats(model, x);
  const lp2 = stats.logp.dataSync();
  const logits = model.forward(tf.tensor2d(ids, [1, 7], 'int32'), tf.tensor2d(modality, [1, 7], 'int32')).arraySync()[0];
  const lse = (z: number[]) => { const m = Math.max(...z); return m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0)); };
  for (let t = 0; t < 7; t++) {
    let want = 0;
    if (kinds[t] === 1 || kinds[t] === 3) {
      const allowed = [...Array.from({ length: 20 }, (_, i) => 10 + i), 2, 6];
      const z = allowed.map((id) => logits[t][id] / 0.8);
      want = logits[t][kinds[t] === 3 ? 2 : targets[t]] / 0.8 - lse(z);
    } else if (kinds[t] === 2) {
      const z = logits[t].slice(30, 40).map((v) => v / 0.8);
      want = logits[t][targets[t]] / 0.8 - lse(z);
    }
    close(lp[t], want, 1e-4);
    close(lp2[t], want, 1e-4);
  }
  stats.logp.dispose();
  model.dispose();
});
