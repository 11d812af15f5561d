/**
 * Data-parallel training (src/parallel/): 2 workers give the same gradients, losses and weights as
 * one worker for the same global batch. Tolerances: loss within 1e-5 relative, every gradient
 * element within 1e-5 of the largest |g| of its parameter, and after 5 AdamW steps every weight
 * within 1e-4 (lr 1e-2; float32 sums in another order are the only difference).
 */
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { Transformer } from '../src/model/transformer';
import { ModelConfigInput } from '../src/model/config';
import { AdamW } from '../src/model/optim';
import { GradPool } from '../src/parallel/pool';
import { splitRows, ShardData } from '../src/parallel/shard';
import { Rng } from '../src/util/rng';

const CFG: ModelConfigInput = { vocab_size: 48, n_layer: 2, n_head: 2, n_embd: 16, block_size: 16, experts: 'mot', mot_attention: true };
let pool: GradPool | null = null;

before(async () => {
  await initBackend();
});
after(async () => {
  await pool?.dispose();
});

/** 5 rows of 12 tokens: rows 0-2 text only with task 'a', rows 3-4 with image codes (>= 32, modality 1) and task 'b'. */
function batch(seed: number): ShardData {
  const rng = new Rng(seed);
  const B = 5, T = 12;
  const ids = new Int32Array(B * T), targets = new Int32Array(B * T), mask = new Float32Array(B * T), modality = new Int32Array(B * T);
  for (let r = 0; r < B; r++) {
    for (let t = 0; t < T; t++) {
      const i = r * T + t, image = r >= 3 && t >= 6;
      ids[i] = image ? rng.int(32, 47) : rng.int(0, 31);
      targets[i] = rng.int(0, 47);
      modality[i] = image ? 1 : 0;
      mask[i] = t >= 2 + r ? 1 : 0; // different target counts per row
    }
  }
  return { B, T, ids, targets, mask, modality, tasks: ['a', 'a', 'a', 'b', 'b'] };
}

function fullLoss(m: Transformer, b: ShardData): tf.Scalar {
  const t = (a: Int32Array | Float32Array, dtype: 'int32' | 'float32') => tf.tensor2d(a, [b.B, b.T], dtype);
  return m.loss(t(b.ids, 'int32'), t(b.targets, 'int32'), { mask: t(b.mask, 'float32'), modality: t(b.modality, 'int32'), training: true });
}

test('splitRows: nearly equal contiguous parts, never empty', () => {
  assert.deepEqual(splitRows(5, 2), [[0, 3], [3, 5]]);
  assert.deepEqual(splitRows(16, 2), [[0, 8], [8, 16]]);
  assert.deepEqual(splitRows(1, 2), [[0, 1]]);
  assert.deepEqual(splitRows(7, 3), [[0, 3], [3, 5], [5, 7]]);
});

test('2 workers: the same loss, gradients and per-task losses as one worker', async (t) => {
  const single = new Transformer(CFG, 3), dual = new Transformer(CFG, 3);
  pool = new GradPool(dual, dual.params, 2);
  const b = batch(1);
  const one = tf.variableGrads(() => fullLoss(single, b), single.variables());
  const two = await pool.grads(b, true, true);
  // the worker thread reports its CPU time for the request where the OS tells it (Linux)
  if (process.platform === 'linux') assert.ok(pool.lastWorkerCpuMs.length === 1 && (pool.lastWorkerCpuMs[0] ?? -1) >= 0, `worker CPU ${pool.lastWorkerCpuMs}`);
  const l1 = one.value.dataSync()[0], l2 = two.value.dataSync()[0];
  assert.ok(Math.abs(l1 - l2) <= 1e-5 * Math.abs(l1), `loss ${l1} vs ${l2}`);
  const names = [...single.params.keys()];
  let compared = 0;
  for (const name of names) {
    const g1 = one.grads[single.params.get(name)!.name], g2 = two.grads[dual.params.get(name)!.name];
    assert.equal(!!g1, !!g2, `${name}: gradient present in one run only`);
    if (!g1) continue;
    const a = g1.dataSync(), c = g2.dataSync();
    const scale = Math.max(...Array.from(a, Math.abs), 1e-12);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - c[i]) <= 1e-5 * scale, `${name}[${i}]: ${a[i]} vs ${c[i]}`);
    compared++;
  }
  assert.ok(compared >= names.length - 1, `only ${compared} of ${names.length} parameters had gradients`);
  // per-task means from the workers' (sum, count) pairs = each task's masked mean over the whole batch
  for (const [task, rows] of [['a', [0, 1, 2]], ['b', [3, 4]]] as const) {
    const m = new Float32Array(b.mask.length);
    for (const r of rows) for (let i = r * b.T; i < (r + 1) * b.T; i++) m[i] = b.mask[i];
    const want = tf.tidy(() => fullLoss(single, { ...b, mask: m }).dataSync()[0]);
    assert.ok(Math.abs(two.taskLosses[task] - want) <= 1e-5 * want, `task ${task}: ${two.taskLosses[task]} vs ${want}`);
  }
  tf.dispose([one.value, ...Object.values(one.grads), two.value, ...Object.values(two.grads)]);
  single.dispose();
  // 5 AdamW steps with clipping and decay on each side; the workers see every update
  const a1 = new Transformer(CFG, 4), a2 = dual;
  a2.params.forEach((v, k) => v.assign(a1.params.get(k)!));
  const o1 = new AdamW({ lr: 1e-2, weightDecay: 0.1, clipNorm: 1 }), o2 = new AdamW({ lr: 1e-2, weightDecay: 0.1, clipNorm: 1 });
  for (let s = 0; s < 5; s++) {
    const bs = batch(10 + s);
    const g1 = tf.variableGrads(() => fullLoss(a1, bs), a1.variables());
    tf.tidy(() => o1.step(a1.variables().filter((v) => g1.grads[v.name]), g1.grads)?.dispose());
    const g2 = await pool.grads(bs, true, false);
    tf.tidy(() => o2.step(a2.variables().filter((v) => g2.grads[v.name]), g2.grads)?.dispose());
    const [x, y] = [g1.value.dataSync()[0], g2.value.dataSync()[0]];
    assert.ok(Math.abs(x - y) <= 1e-5 * Math.abs(x), `step ${s}: loss ${x} vs ${y}`);
    tf.dispose([g1.value, g2.value, ...Object.values(g1.grads), ...Object.values(g2.grads)]);
  }
  let worst = 0;
  a1.params.forEach((v, k) => {
    const p = v.dataSync(), q = a2.params.get(k)!.dataSync();
    for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
  });
  t.diagnostic(`largest weight difference after 5 steps: ${worst}`);
  assert.ok(worst <= 1e-4, `weights differ by up to ${worst} after 5 steps`);
  o1.dispose();
  o2.dispose();
  a1.dispose();
});

test('resolveWorkers: 0 means one per core; LoRA adapters and one core stay on the main thread; --workers is checked', async () => {
  const os = await import('node:os');
  const { resolveWorkers, parseWorkers } = await import('../src/parallel/pool');
  const m = new Transformer(CFG, 1);
  const cores = os.availableParallelism();
  assert.equal(resolveWorkers(0, m).workers, cores > 1 && ['wasm', 'cpu'].includes(tf.getBackend()) ? cores : 1);
  assert.equal(resolveWorkers(1, m).workers, 1);
  m.adapters = {} as Transformer['adapters'];
  assert.deepEqual(resolveWorkers(2, m), { workers: 1, note: 'LoRA adapters train on one worker' });
  m.adapters = null;
  assert.equal(parseWorkers('3'), 3);
  assert.throws(() => parseWorkers('two'), /--workers must be a whole number >= 0/);
  m.dispose();
});
