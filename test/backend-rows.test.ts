/**
 * The row and elementwise SIMD passes on the WASM heap that must give exact results: row_max
 * (simd-rows.ts; CmrpLogProbs's row maxima) against a JS loop, and add (simd-add.ts; CmrpMatMul's
 * residual epilogue) against tfjs's Add, bit for bit. Widths cover the 16-wide loop, the 4-wide
 * loop and the scalar tail; the values cover -0 and +0, -Infinity and NaN.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/backend/select';
import { registerKernels } from '../src/backend/kernels';
import { Heap } from '../src/backend/wasm-heap';

let wasm = false;
before(async () => {
  await initBackend();
  registerKernels();
  wasm = tf.getBackend() === 'wasm';
});

/** WASM's f32 max: NaN if either is NaN, and -0 below +0. */
function wasmMax(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === 0 && b === 0) return Object.is(a, -0) ? b : a;
  return a > b ? a : b;
}

test('row_max: the maximum of every row, exactly, for every width (16-wide, 4-wide and scalar parts)', (t) => {
  if (!wasm) return t.skip('WASM backend only');
  const h = new Heap(tf.backend() as BackendWasm);
  for (const V of [3, 4, 16, 21, 37, 64, 515]) {
    const N = 7;
    const rows = Array.from({ length: N }, (_, n) => Array.from({ length: V }, (_, j) => Math.fround(Math.sin(1 + n * 97 + j * 13) * (j + 1))));
    rows[1] = rows[1].map(() => -Infinity);
    rows[2] = rows[2].map((_, j) => (j % 2 ? -0 : -1)); // the maximum is -0 ...
    rows[3] = rows[3].map((_, j) => (j === V - 1 ? 0 : j % 2 ? -0 : -1)); // ... and +0 where both occur
    rows[4][Math.floor(V / 2)] = NaN;
    rows[5][V - 1] = 1e30; // the maximum in the scalar tail or the last vector
    const x = tf.tensor2d(rows);
    const out = h.alloc([N]);
    h.k.rowMax(h.addr(x), h.addr(out), N, V);
    const got = Array.from(h.f32().subarray(h.at(out), h.at(out) + N));
    const want = rows.map((r) => Math.fround(r.reduce(wasmMax, -Infinity)));
    got.forEach((g, n) => assert.ok(Object.is(g, want[n]), `V ${V}, row ${n}: ${g} but the maximum is ${want[n]}`));
    h.free(out);
    x.dispose();
  }
});

test('add: x + y bit for bit as tfjs Add, in place into y as CmrpMatMul does', (t) => {
  if (!wasm) return t.skip('WASM backend only');
  const h = new Heap(tf.backend() as BackendWasm);
  for (const n of [1, 4, 37]) {
    const x = tf.tensor1d(Array.from({ length: n }, (_, i) => [0.1, -0, 3e38, -7.25][i % 4] * (i + 1)));
    const y = tf.tensor1d(Array.from({ length: n }, (_, i) => [0.2, 0, 3e38, 7.25][i % 4] / (i + 1)));
    const want = tf.add(x, y).dataSync();
    const out = tf.tensor1d(y.dataSync()); // y's values in memory of its own (a clone would share y's)
    h.k.add(h.addr(x), h.addr(out), h.addr(out), n);
    assert.deepEqual(out.dataSync(), want, `n ${n}`);
    tf.dispose([x, y, out]);
  }
});
