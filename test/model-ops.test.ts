/**
 * The fast ops (custom gradients, WASM JS kernels) against plain tfjs ops differentiated by tfjs's
 * own gradients (registered by src/backend/kernels.ts), on random inputs, to 1e-4.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import * as ops from '../src/model/ops';
import { AdamW } from '../src/model/optim';
import { registerKernels, setCustomKernels } from '../src/backend/kernels';
import { sumLeading, transpose2d } from '../src/backend/wasm-layout';
import { matMul, matMulEpilogue } from '../src/backend/wasm-matmul';

before(async () => {
  await initBackend();
  registerKernels();
  registerKernels(); // idempotent
});

test('the WASM backend gets the custom kernels; every backend gets the gradients', () => {
  assert.equal(tf.getKernel('CmrpAttention', 'wasm')?.kernelName, 'CmrpAttention');
  assert.ok(tf.getGradient(tf.BatchMatMul) && tf.getGradient(tf.Sum) && tf.getGradient(tf.GatherV2));
});

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  assert.deepEqual(a.shape, b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** Same value and same gradients (w.r.t. every input) for a random upstream gradient. */
function assertSameGrads(fast: (...xs: tf.Tensor[]) => tf.Tensor, plain: (...xs: tf.Tensor[]) => tf.Tensor, inputs: tf.Tensor[], tol = 1e-4): void {
  tf.tidy(() => {
    const y1 = fast(...inputs), y2 = plain(...inputs);
    assert.ok(maxAbsDiff(y1, y2) < tol, `values differ by ${maxAbsDiff(y1, y2)}`);
    const dy = tf.randomNormal(y1.shape, 0, 1, 'float32', 7);
    const g1 = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(fast(...xs), dy)))(inputs);
    const g2 = tf.grads((...xs: tf.Tensor[]) => tf.sum(tf.mul(plain(...xs), dy)))(inputs);
    g1.forEach((g, i) => {
      const d = maxAbsDiff(g, g2[i]);
      assert.ok(d < tol, `gradient of input ${i} [${inputs[i].shape}] differs by ${d}`);
    });
  });
}

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed);

test('registered gradients: tf.grad works on plain ops and matches a finite difference', () => {
  tf.tidy(() => {
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.softmax(tf.matMul(x, x, false, true)), tf.mean(tf.sqrt(tf.add(tf.square(x), 1)), 1, true)));
    const x = rnd([3, 4], 1);
    const g = tf.grad(f)(x).dataSync();
    const xs = x.dataSync(), eps = 1e-2;
    for (const i of [0, 5, 11]) {
      const up = Float32Array.from(xs), dn = Float32Array.from(xs);
      up[i] += eps;
      dn[i] -= eps;
      const num = (f(tf.tensor(up, [3, 4])).dataSync()[0] - f(tf.tensor(dn, [3, 4])).dataSync()[0]) / (2 * eps);
      assert.ok(Math.abs(num - g[i]) < 2e-2, `d/dx[${i}]: analytic ${g[i]} vs numeric ${num}`);
    }
  });
});

test('layout kernels: transpose2d and sumLeading equal WASM\'s Transpose and Sum, bitwise for the transpose', () => {
  tf.tidy(() => {
    for (const [r, c] of [[37, 45], [64, 32], [1, 9], [130, 3]]) {
      const x = rnd([r, c], r + c) as tf.Tensor2D;
      const fast = transpose2d(x);
      const was = setCustomKernels(false);
      const plain = transpose2d(x);
      setCustomKernels(was);
      assert.deepEqual(fast.shape, [c, r]);
      assert.deepEqual(Array.from(fast.dataSync()), Array.from(plain.dataSync()));
    }
    const x = rnd([3, 5, 7], 9);
    for (const lead of [0, 1, 2]) {
      const fast = sumLeading(x, lead);
      const plain = lead ? tf.sum(x, Array.from({ length: lead }, (_, i) => i)) : x;
      assert.ok(maxAbsDiff(fast, plain) < 1e-5, `lead ${lead}`);
    }
    // the broadcast gradient that uses it (a position table added over the batch) against the kernels off
    const pos = rnd([5, 7], 10);
    const g1 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.add(x, p), x)))(pos);
    const was = setCustomKernels(false);
    const g2 = tf.grad((p: tf.Tensor) => tf.sum(tf.mul(tf.add(x, p), x)))(pos);
    setCustomKernels(was);
    assert.ok(maxAbsDiff(g1, g2) < 1e-5);
    assert.ok(maxAbsDiff(g1, tf.sum(x, 0)) < 1e-5);
  });
});

test('matmul2d and linear match tf.matMul', () => {
  assertSameGrads((a, b) => ops.matmul2d(a as tf.Tensor2D, b as tf.Tensor2D), (a, b) => tf.matMul(a, b), [rnd([12, 8], 1), rnd([8, 5], 2)]);
  // the weight-gradient path that transposes dy (K > N)
  assertSameGrads((x, w) => ops.linear(x, w as tf.Tensor2D), (x, w) => tf.reshape(tf.matMul(tf.reshape(x, [-1, 20]), w), [2, 3, 4]), [rnd([2, 3, 20], 3), rnd([20, 4], 4)]);
  assertSameGrads((x, w, b) => ops.linear(x, w as tf.Tensor2D, b as tf.Tensor1D), (x, w, b) => tf.add(tf.matMul(x, w), b), [rnd([6, 4], 5), rnd([4, 7], 6), rnd([7], 7)]);
  // tied LM head: w is [N, K]
  assertSameGrads((x, w) => ops.linear(x, w as tf.Tensor2D, undefined, { transposeW: true }), (x, w) => tf.matMul(x, w, false, true), [rnd([6, 4], 8), rnd([9, 4], 9)]);
});

test('mlp (relu and its gradient as matMul epilogues) matches tfjs ops, and linear -> relu -> linear bit for bit', () => {
  // against plain tfjs ops and tfjs autodiff: F and C not multiples of 4 or 8 (the scalar tails), then the SIMD widths
  for (const [M, C, F] of [[5, 3, 7], [12, 8, 32]]) {
    assertSameGrads((x, w1, w2) => ops.mlp(x as tf.Tensor2D, w1 as tf.Tensor2D, w2 as tf.Tensor2D), (x, w1, w2) => tf.matMul(tf.relu(tf.matMul(x, w1)), w2), [rnd([M, C], M), rnd([C, F], F), rnd([F, C], C)]);
  }
  // against the unfused ops (the same products): equal bits, values and gradients
  tf.tidy(() => {
    const [x, w1, w2] = [rnd([70, 16], 1), rnd([16, 40], 2), rnd([40, 16], 3)] as tf.Tensor2D[];
    const dy = rnd([70, 16], 4);
    const fused = (...xs: tf.Tensor[]) => tf.sum(tf.mul(ops.mlp(xs[0] as tf.Tensor2D, xs[1] as tf.Tensor2D, xs[2] as tf.Tensor2D), dy));
    const plain = (...xs: tf.Tensor[]) => tf.sum(tf.mul(ops.linear(ops.relu(ops.linear(xs[0], xs[1] as tf.Tensor2D)), xs[2] as tf.Tensor2D), dy));
    assert.deepEqual(ops.mlp(x, w1, w2).dataSync(), ops.linear(ops.relu(ops.linear(x, w1)), w2).dataSync());
    const g1 = tf.grads(fused)([x, w1, w2]), g2 = tf.grads(plain)([x, w1, w2]);
    g1.forEach((g, i) => assert.deepEqual(g.dataSync(), g2[i].dataSync(), `gradient ${i}`));
  });
  // the epilogues alone, bitwise against Relu and Multiply(Step): zeros and negatives, an odd size
  tf.tidy(() => {
    const a = tf.tensor2d([[1, -2, 0], [0, 0, 0], [-1, 3, 0.5]]), b = rnd([3, 7], 5) as tf.Tensor2D, mask = tf.tensor2d(Array.from({ length: 21 }, (_, i) => [1, -1, 0, 2][i % 4]), [3, 7]);
    assert.deepEqual(matMulEpilogue(a, b, false, { relu: true }).dataSync(), tf.relu(matMul(a, b)).dataSync());
    const bt = rnd([7, 3], 6) as tf.Tensor2D;
    assert.deepEqual(matMulEpilogue(a, bt, true, { mask }).dataSync(), tf.mul(matMul(a, bt, false, true), tf.step(mask)).dataSync());
    assert.throws(() => matMulEpilogue(a, bt, true, { mask: tf.zeros([3, 6]) as tf.Tensor2D }), /mask \[3,6\] must have the product's shape \[3,7\]/);
  });
});

test('residual epilogue (linear, mlp): residual + the product bit for bit, values and gradients, as the Add it replaces', () => {
  // against plain tfjs ops and autodiff first (odd sizes: the scalar tails), then bitwise against the unfused op + tf.add
  assertSameGrads((x, w, r) => ops.linear(x, w as tf.Tensor2D, undefined, { residual: r }), (x, w, r) => tf.add(r, tf.matMul(x, w)), [rnd([5, 3], 1), rnd([3, 7], 2), rnd([5, 7], 3)]);
  assertSameGrads((x, w1, w2, r) => ops.mlp(x as tf.Tensor2D, w1 as tf.Tensor2D, w2 as tf.Tensor2D, r as tf.Tensor2D), (x, w1, w2, r) => tf.add(r, tf.matMul(tf.relu(tf.matMul(x, w1)), w2)), [rnd([5, 3], 4), rnd([3, 7], 5), rnd([7, 3], 6), rnd([5, 3], 7)]);
  tf.tidy(() => {
    const [x, w, w1, w2, r, wt] = [rnd([70, 16], 1), rnd([16, 16], 2), rnd([16, 40], 3), rnd([40, 16], 4), rnd([70, 16], 5), rnd([16, 16], 6)] as tf.Tensor2D[];
    const dy = rnd([70, 16], 7);
    // the residual is also an input of the product (the MLP's x), as in the transformer: its gradient sums both paths
    const cases: [string, (...xs: tf.Tensor[]) => tf.Tensor, (...xs: tf.Tensor[]) => tf.Tensor][] = [
      ['linear', (x_, w_, r_) => ops.linear(x_, w_ as tf.Tensor2D, undefined, { residual: r_ }), (x_, w_, r_) => tf.add(r_, ops.linear(x_, w_ as tf.Tensor2D))],
      ['linear, transposed w', (x_, w_, r_) => ops.linear(x_, w_ as tf.Tensor2D, undefined, { transposeW: true, residual: r_ }), (x_, w_, r_) => tf.add(r_, ops.linear(x_, w_ as tf.Tensor2D, undefined, { transposeW: true }))],
      ['mlp', (x_, a_, b_) => ops.mlp(x_ as tf.Tensor2D, a_ as tf.Tensor2D, b_ as tf.Tensor2D, x_ as tf.Tensor2D), (x_, a_, b_) => tf.add(x_, ops.mlp(x_ as tf.Tensor2D, a_ as tf.Tensor2D, b_ as tf.Tensor2D))],
    ];
    for (const [name, fused, plain] of cases) {
      const inputs = name === 'mlp' ? [x, w1, w2] : [x, name === 'linear' ? w : wt, r];
      assert.deepEqual(fused(...inputs).dataSync(), plain(...inputs).dataSync(), `${name}: values`);
      const loss = (f: (...xs: tf.Tensor[]) => tf.Tensor) => (...xs: tf.Tensor[]) => tf.sum(tf.mul(f(...xs), dy));
      const g1 = tf.grads(loss(fused))(inputs), g2 = tf.grads(loss(plain))(inputs);
      g1.forEach((g, i) => assert.deepEqual(g.dataSync(), g2[i].dataSync(), `${name}: gradient ${i}`));
    }
    assert.throws(() => ops.linear(x, w, undefined, { residual: tf.zeros([70, 15]) }), /residual \[70,15\] must have the output's shape \[70,16\]/);
    assert.throws(() => ops.linear(x, w, tf.zeros([16]) as tf.Tensor1D, { residual: r }), /not supported with a bias/);
    assert.throws(() => matMulEpilogue(x, w, false, { residual: tf.zeros([70, 15]) as tf.Tensor2D }), /residual \[70,15\] \(float32\) must be float32 with the product's shape \[70,16\]/);
  });
});

test('embedding, gatherRows and mergeRows match tf.gather', () => {
  const ids = tf.tensor2d([[1, 3, 3], [0, 7, 1]], undefined, 'int32');
  assertSameGrads((t) => ops.embedding(ids, t as tf.Tensor2D), (t) => tf.gather(t, ids), [rnd([8, 5], 1)]);
  assertSameGrads((t) => ops.embedding(ids, t as tf.Tensor2D), (t) => tf.gather(t, ids), [rnd([8, 12], 11)]); // SIMD width, repeated ids
  const idx = tf.tensor1d([4, 0, 2], 'int32');
  assertSameGrads((x) => ops.gatherRows(x as tf.Tensor2D, idx), (x) => tf.gather(x, idx), [rnd([5, 3], 2)]);
  const ia = tf.tensor1d([1, 3], 'int32'), ib = tf.tensor1d([0, 2, 4], 'int32');
  const order = tf.tensor1d([2, 0, 3, 1, 4], 'int32'); // row r of the result is row order[r] of concat(a, b)
  assertSameGrads((a, b) => ops.mergeRows([a as tf.Tensor2D, b as tf.Tensor2D], [ia, ib]), (a, b) => tf.gather(tf.concat([a, b], 0), order), [rnd([2, 3], 3), rnd([3, 3], 4)]);
});

test('causal self-attention kernel matches the plain-ops reference (values and gradients)', () => {
  // [5, 128, 4, 32] and [3, 256, 2, 16]: the forward kernel's Softmax in chunks of 4 and 2 batch rows, the last one shorter
  for (const [B, T, H, C] of [[2, 5, 2, 8], [3, 16, 4, 32], [2, 37, 2, 16], [2, 40, 2, 16], [5, 128, 4, 32], [3, 256, 2, 16]]) {
    assertSameGrads((q) => ops.causalSelfAttention(q as tf.Tensor2D, B, H), (q) => ops.attentionReference(q as tf.Tensor2D, B, H), [rnd([B * T, 3 * C], B + T)]);
  }
  // causality: changing the last position changes no earlier output
  tf.tidy(() => {
    const q = rnd([6, 12], 1).arraySync() as number[][];
    const y1 = ops.causalSelfAttention(tf.tensor2d(q), 1, 2).arraySync() as number[][];
    q[5] = q[5].map((v) => v + 1);
    const y2 = ops.causalSelfAttention(tf.tensor2d(q), 1, 2).arraySync() as number[][];
    for (let t = 0; t < 5; t++) assert.deepEqual(y1[t], y2[t]);
  });
});

test('layerNorm / rmsNorm / relu match tfjs compositions', () => {
  const ln = (x: tf.Tensor, eps = 1e-5) => {
    const { mean, variance } = tf.moments(x, -1, true);
    return tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps)));
  };
  assertSameGrads((x) => ops.layerNorm(x), (x) => ln(x), [rnd([2, 3, 16], 1)]);
  assertSameGrads((x, g, b) => ops.layerNorm(x, g as tf.Tensor1D, b as tf.Tensor1D), (x, g, b) => tf.add(tf.mul(ln(x), g), b), [rnd([7, 16], 2), rnd([16], 3), rnd([16], 4)]);
  const rms = (x: tf.Tensor) => tf.div(x, tf.sqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-6)));
  assertSameGrads((x, g) => ops.rmsNorm(x, g as tf.Tensor1D), (x, g) => tf.mul(rms(x), g), [rnd([7, 16], 5), rnd([16], 6)]);
  // widths that are not a multiple of 4 (the SIMD kernels' scalar tails), with and without a gain
  assertSameGrads((x, g) => ops.layerNorm(x, g as tf.Tensor1D), (x, g) => tf.mul(ln(x), g), [rnd([5, 13], 8), rnd([13], 9)]);
  assertSameGrads((x) => ops.rmsNorm(x), (x) => rms(x), [rnd([3, 2, 7], 10)]);
  assertSameGrads((x, g) => ops.layerNorm(x, g as tf.Tensor1D), (x, g) => tf.mul(ln(x), g), [rnd([64, 128], 11), rnd([128], 12)]);
  assertSameGrads((x) => ops.relu(x), (x) => tf.relu(x), [rnd([9, 11], 7)]);
});

test('tokenLogProbs matches logSoftmax + gather', () => {
  const targets = tf.tensor1d([3, 0, 9, 9, 5, 1], 'int32');
  const plain = (l: tf.Tensor) => tf.sum(tf.mul(tf.logSoftmax(l), tf.oneHot(targets, 10)), 1);
  assertSameGrads((l) => ops.tokenLogProbs(l as tf.Tensor2D, targets), plain, [tf.mul(rnd([6, 10], 1), 4)]);
});

test('masked cross-entropy equals a hand computation', () => {
  tf.tidy(() => {
    // two rows, vocabulary 3; only the second row counts
    const logits = tf.tensor3d([[[1, 2, 3], [0, 0, Math.log(2)]]]); // [1, 2, 3]
    const targets = tf.tensor2d([[0, 2]], undefined, 'int32');
    const mask = tf.tensor2d([[0, 1]]);
    const loss = ops.maskedCrossEntropy(logits, targets, mask).dataSync()[0];
    assert.ok(Math.abs(loss - -Math.log(2 / 4)) < 1e-6, `masked loss ${loss}`); // p(2) = 2 / (1 + 1 + 2)
    const all = ops.maskedCrossEntropy(logits, targets).dataSync()[0];
    const row0 = -Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(2) + Math.exp(3)));
    assert.ok(Math.abs(all - (row0 + -Math.log(0.5)) / 2) < 1e-6, `unmasked loss ${all}`);
    assert.equal(Math.abs(ops.maskedCrossEntropy(logits, targets, tf.zeros([1, 2])).dataSync()[0]), 0); // empty mask: 0, not NaN
    // gradient: (softmax - onehot) / (masked rows) on the masked row, zero elsewhere
    const g = tf.grad((l: tf.Tensor) => ops.maskedCrossEntropy(l, targets, mask))(logits).arraySync() as number[][][];
    g[0][0].forEach((v) => assert.equal(Math.abs(v), 0));
    [0.25, 0.25, 0.5 - 1].forEach((v, j) => assert.ok(Math.abs(g[0][1][j] - v) < 1e-6));
  });
});

test('AdamW (fused kernel where available) takes the same steps as tf.train.adam', () => {
  const p1 = tf.variable(rnd([5, 7], 1)), p2 = tf.variable(p1.clone()); // 35 elements: the SIMD kernel's scalar tail too
  const ours = new AdamW({ lr: 0.01 });
  const ref = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
  for (let s = 0; s < 3; s++) {
    tf.tidy(() => {
      const g = rnd([5, 7], 10 + s);
      ours.step([p1], { [p1.name]: g });
      ref.applyGradients([{ name: p2.name, tensor: g }]);
    });
  }
  assert.ok(maxAbsDiff(p1, p2) < 1e-6, `parameters differ by ${maxAbsDiff(p1, p2)}`);
  // clipping scales the gradient to clipNorm; weight decay shrinks by lr * wd
  const q = tf.variable(tf.ones([2, 2]));
  const clipped = new AdamW({ lr: 0.1, clipNorm: 1, weightDecay: 0.5 });
  const norm = clipped.step([q], { [q.name]: tf.fill([2, 2], 3) })!;
  assert.ok(Math.abs(norm.dataSync()[0] - 6) < 1e-5);
  // first step: m/bc1 = g, v/bc2 = g^2, so the Adam part is lr * sign(g); decay: 1 - 0.1 * 0.5
  q.dataSync().forEach((v) => assert.ok(Math.abs(v - (0.95 - 0.1)) < 1e-5, `decayed, clipped step gave ${v}`));
  tf.dispose([p1, p2, q, norm]);
  ours.dispose();
  clipped.dispose();
  ref.dispose();
});
