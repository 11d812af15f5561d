import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { Transformer, positionRows } from '../src/model/transformer';
import { resolveModelConfig, ModelConfigInput } from '../src/model/config';
import { AdamW, trainStep } from '../src/model/optim';
import { Rng } from '../src/util/rng';

before(async () => {
  await initBackend();
});

const TINY: ModelConfigInput = { vocab_size: 40, n_layer: 2, n_head: 2, n_embd: 16, block_size: 24 };

/** Deterministic ids [B, T] in [0, V) and a modality map mixing text (0) and image (1) runs. */
function batch(B: number, T: number, V: number, seed: number): { ids: number[][]; modality: number[][] } {
  const rng = new Rng(seed);
  const ids = Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(0, V - 1)));
  const modality = Array.from({ length: B }, (_, b) => Array.from({ length: T }, (_, t) => ((t + b) % 7 >= 4 ? 1 : 0)));
  return { ids, modality };
}
const int2d = (a: number[][]) => tf.tensor2d(a, undefined, 'int32');

test('config: defaults, validation, unknown keys rejected', () => {
  const c = resolveModelConfig({});
  assert.equal(c.experts, 'mot');
  assert.equal(c.n_embd % c.n_head, 0);
  assert.throws(() => resolveModelConfig({ n_layers: 3 } as unknown as ModelConfigInput), /Unrecognized key/);
  assert.throws(() => resolveModelConfig({ n_embd: 30, n_head: 4 }), /does not divide/);
});

test('forward gives [B, T, V] logits for dense and MoT, text-only and mixed batches', () => {
  for (const experts of ['dense', 'mot'] as const) {
    const m = new Transformer({ ...TINY, experts }, 1);
    tf.tidy(() => {
      const { ids, modality } = batch(3, 10, 40, 2);
      assert.deepEqual(m.forward(int2d(ids)).shape, [3, 10, 40]);
      const y = m.forward(int2d(ids), int2d(modality));
      assert.deepEqual(y.shape, [3, 10, 40]);
      assert.ok(Number.isFinite(tf.sum(y).dataSync()[0]));
    });
    m.dispose();
  }
});

test('MoT doubles the expert weights: parameter counts match the formula', () => {
  const c = resolveModelConfig(TINY);
  const C = c.n_embd, F = c.mlp_ratio * C, L = c.n_layer;
  const attn = C + 3 * C * C + C * C; // ln_1 gain, c_attn, c_proj
  const ffn = C + C * F + F * C; // ln_2 gain, c_fc, c_proj
  const shared = c.vocab_size * C + c.block_size * C + C; // wte, wpe, ln_f
  const count = (extra: ModelConfigInput) => {
    const m = new Transformer({ ...TINY, ...extra }, 0);
    const n = m.numParams();
    m.dispose();
    return n;
  };
  assert.equal(count({ experts: 'dense' }), shared + L * (attn + ffn));
  assert.equal(count({ experts: 'mot' }), shared + 2 * L * (attn + ffn));
  assert.equal(count({ experts: 'mot', mot_attention: false }), shared + L * (attn + 2 * ffn));
});

test('image tokens use the image experts: changing image weights changes only image-routed outputs downstream', () => {
  const m = new Transformer({ ...TINY, n_layer: 1 }, 3);
  tf.tidy(() => {
    const ids = int2d([[1, 2, 3, 4]]);
    const textOnly = m.forward(ids, int2d([[0, 0, 0, 0]]));
    // perturb every image-expert weight: a text-only sequence must not notice
    for (const [name, v] of m.params) if (name.includes('.image.')) v.assign(tf.add(v, 0.5));
    assert.ok(tf.max(tf.abs(tf.sub(m.forward(ids, int2d([[0, 0, 0, 0]])), textOnly))).dataSync()[0] < 1e-6);
    // a sequence with image tokens does
    assert.ok(tf.max(tf.abs(tf.sub(m.forward(ids, int2d([[0, 1, 1, 0]])), textOnly))).dataSync()[0] > 1e-3);
  });
  m.dispose();
});

test('KV-cache decoding equals the full forward pass to 1e-4 (absolute and grid image positions)', () => {
  for (const [experts, image_positions] of [['dense', 'absolute'], ['mot', 'absolute'], ['mot', 'grid']] as const) {
    const m = new Transformer({ ...TINY, experts, image_positions, image_tokens: 4 }, 4);
    const { ids, modality } = batch(2, 12, 40, 5);
    tf.tidy(() => {
      const full = m.forward(int2d(ids), int2d(modality)); // [2, 12, V]
      const cache = m.createCache(2);
      // prefill 5, then one token, then a chunk of 3, then single tokens
      const cuts = [0, 5, 6, 9, 10, 11, 12];
      for (let i = 0; i + 1 < cuts.length; i++) {
        const [a, b] = [cuts[i], cuts[i + 1]];
        const step = m.decodeStep(int2d(ids.map((r) => r.slice(a, b))), cache, int2d(modality.map((r) => r.slice(a, b))));
        const want = tf.slice(full, [0, a, 0], [2, b - a, 40]);
        const d = tf.max(tf.abs(tf.sub(step, want))).dataSync()[0];
        assert.ok(d < 1e-4, `${experts}/${image_positions}: positions ${a}..${b - 1} differ by ${d}`);
      }
      assert.equal(cache.length, 12);
      m.disposeCache(cache);
    });
    m.dispose();
  }
});

test('grid image positions: the k-th code of an image takes row block_size + k wherever the image starts; text keeps its position', () => {
  const c = resolveModelConfig({ ...TINY, image_positions: 'grid', image_tokens: 3 });
  // two rows: the image (three codes) after a 2-token and after a 5-token prompt
  const mod = Int32Array.from([0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0]);
  const rows = positionRows(c, mod, 2, 9, 0, null);
  assert.deepEqual([...rows], [0, 1, 24, 25, 26, 5, 6, 7, 8, 0, 1, 2, 3, 4, 24, 25, 26, 8]);
  // decoding chunk by chunk carries the run over the chunk border
  const run = new Int32Array(1);
  const a = positionRows(c, Int32Array.from([0, 1]), 1, 2, 10, run);
  const b = positionRows(c, Int32Array.from([1, 1, 0]), 1, 3, 12, run);
  assert.deepEqual([...a, ...b], [10, 24, 25, 26, 14]);
  assert.throws(() => positionRows(c, Int32Array.from([1, 1, 1, 1]), 1, 4, 0, null), /an image has 3 codes/);
  // absolute positions: every token at its sequence position
  assert.deepEqual([...positionRows(resolveModelConfig(TINY), mod, 2, 9, 3, null)].slice(0, 9), [3, 4, 5, 6, 7, 8, 9, 10, 11]);
  const m = new Transformer({ ...TINY, image_positions: 'grid', image_tokens: 3 }, 1);
  assert.deepEqual(m.params.get('wpe')!.shape, [24 + 3, 16]);
  m.dispose();
});

test('generate: greedy decoding with and without the cache gives the same tokens', () => {
  const m = new Transformer(TINY, 6);
  const prompts = [[1, 2, 3], [7, 8, 9]];
  const before = tf.memory().numTensors;
  const a = m.generate(prompts, 6, { rng: new Rng(0), temperature: 0 });
  const b = m.generate(prompts, 6, { rng: new Rng(0), temperature: 0, useCache: false });
  assert.deepEqual(a, b);
  assert.equal(a[0].length, 6);
  const c = m.generate(prompts, 4, { rng: new Rng(1), temperature: 1, topK: 5 });
  assert.ok(c.flat().every((t) => t >= 0 && t < 40));
  assert.equal(tf.memory().numTensors, before, 'generate leaked tensors');
  m.dispose();
});

test('logProbs sums log p(target) over masked positions', () => {
  const m = new Transformer(TINY, 7);
  tf.tidy(() => {
    const { ids } = batch(2, 6, 40, 8);
    const targets = ids.map((r) => r.slice(1).concat([0]));
    const mask = [[0, 0, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]];
    const lp = m.logProbs(int2d(ids), int2d(targets), tf.tensor2d(mask)).arraySync() as number[];
    const logits = m.forward(int2d(ids));
    const logp = tf.logSoftmax(logits).arraySync() as number[][][];
    mask.forEach((row, b) => {
      const want = row.reduce((s, mk, t) => s + (mk ? logp[b][t][targets[b][t]] : 0), 0);
      assert.ok(Math.abs(lp[b] - want) < 1e-4, `sequence ${b}: ${lp[b]} vs ${want}`);
    });
  });
  m.dispose();
});

test('training on a tiny repeated sequence makes the loss fall clearly', () => {
  const m = new Transformer({ ...TINY, n_layer: 1 }, 8);
  const seq = Array.from({ length: 17 }, (_, i) => (i * 5) % 11);
  const ids = int2d([seq.slice(0, 16), seq.slice(0, 16)]);
  const tgt = int2d([seq.slice(1, 17), seq.slice(1, 17)]);
  const mod = int2d([Array(16).fill(0), Array.from({ length: 16 }, (_, t) => (t < 8 ? 0 : 1))]);
  const opt = new AdamW({ lr: 1e-2, clipNorm: 1 });
  const losses: number[] = [];
  for (let s = 0; s < 40; s++) losses.push(trainStep(m.variables(), opt, () => m.loss(ids, tgt, { modality: mod })));
  assert.ok(losses[0] > 3, `initial loss ${losses[0]}`);
  assert.ok(losses[39] < losses[0] / 3, `loss went ${losses[0].toFixed(3)} -> ${losses[39].toFixed(3)}`);
  tf.dispose([ids, tgt, mod]);
  opt.dispose();
  m.dispose();
});

test('a training step leaks no tensors (20 steps, MoT and dense, masked loss)', () => {
  // dense: the residual adds ride on the products (ops.linear / ops.mlp residual), whose gradient is a clone of dy
  for (const config of [TINY, { ...TINY, experts: 'dense' } as ModelConfigInput]) {
    const m = new Transformer(config, 9);
    const { ids, modality } = batch(2, 12, 40, 10);
    const x = int2d(ids), y = int2d(ids.map((r) => r.slice(1).concat([0]))), mod = int2d(modality);
    const mask = tf.tensor2d(modality.map((r) => r.map((v) => 1 - v)));
    const opt = new AdamW({ lr: 1e-3, clipNorm: 1, weightDecay: 0.1 });
    trainStep(m.variables(), opt, () => m.loss(x, y, { mask, modality: mod })); // creates the optimizer's moments
    const n0 = tf.memory().numTensors;
    for (let s = 0; s < 20; s++) {
      trainStep(m.variables(), opt, () => m.loss(x, y, { mask, modality: mod }));
      assert.equal(tf.memory().numTensors, n0, `${config.experts ?? 'mot'}: step ${s} changed the tensor count`);
    }
    tf.dispose([x, y, mod, mask]);
    opt.dispose();
    m.dispose();
  }
});
