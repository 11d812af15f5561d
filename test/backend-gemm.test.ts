/**
 * The SIMD GEMM of src/backend/simd-gemm.ts (through the CmrpMatMul kernel and Heap.mm) against
 * tfjs's matMul (XNNPACK on WASM): every transpose combination, shapes that exercise the 4-row,
 * 8-, 4- and 1-column remainder kernels, k in several packed blocks (K > 256), rows in several blocks (M > 256), strided views and
 * accumulation. Tolerance: 1e-5 relative to
 * the largest |value| (the fused multiply-add and XNNPACK's blocking round differently in the last bits).
 * The packed path (A in row groups, B in panels, B^T packed directly) must give exactly the bits
 * of the in-place path: the same madds in the same order.
 */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { initBackend } from '../src/backend/select';
import { registerKernels } from '../src/backend/kernels';
import { matMul } from '../src/backend/wasm-matmul';
import { Heap } from '../src/backend/wasm-heap';
import { packAFloats, packFloats } from '../src/backend/simd-gemm';

let wasm = false;
before(async () => {
  await initBackend();
  registerKernels();
  wasm = tf.getBackend() === 'wasm';
});

const rnd = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', seed) as unknown as tf.Tensor2D;

function assertClose(a: tf.Tensor, b: tf.Tensor, what: string): void {
  assert.deepEqual(a.shape, b.shape, what);
  const x = a.dataSync(), y = b.dataSync();
  let scale = 1e-6, err = 0;
  for (let i = 0; i < x.length; i++) {
    scale = Math.max(scale, Math.abs(y[i]));
    err = Math.max(err, Math.abs(x[i] - y[i]));
  }
  assert.ok(err <= 1e-5 * scale, `${what}: max error ${err} (largest value ${scale})`);
}

test('matMul: every transpose combination and remainder shape equals tf.matMul', () => {
  let seed = 1;
  for (const [M, K, N] of [[1, 1, 1], [3, 5, 7], [4, 8, 8], [5, 3, 13], [9, 17, 12], [37, 13, 21], [64, 32, 64], [130, 96, 200], [20, 600, 24], [300, 270, 36]]) {
    for (const [ta, tb] of [[false, false], [true, false], [false, true], [true, true]]) {
      tf.tidy(() => {
        const a = rnd(ta ? [K, M] : [M, K], seed++), b = rnd(tb ? [N, K] : [K, N], seed++);
        assertClose(matMul(a, b, ta, tb), tf.matMul(a, b, ta, tb), `[${M},${K},${N}] transposeA ${ta} transposeB ${tb}`);
      });
    }
  }
});

test('gemm: strided operands read in place, acc adds to C, transpose copies a strided block', (t) => {
  if (!wasm) return t.skip('the WASM backend is not active');
  tf.tidy(() => {
    const h = new Heap(tf.backend() as BackendWasm);
    // A = columns 3..8 of a [7, 12] tensor, B = columns 2..11 of a [6, 16] tensor
    const A = rnd([7, 12], 1), B = rnd([6, 16], 2), C0 = rnd([7, 10], 3);
    const want = tf.add(C0, tf.matMul(tf.slice(A, [0, 3], [7, 6]), tf.slice(B, [0, 2], [6, 10])));
    const C = tf.clone(C0);
    h.k.gemm(h.addr(A) + 12, 48, 4, h.addr(B) + 8, 64, h.addr(C), 40, 7, 10, 6, 1, 0, 0, 0);
    assertClose(C, want, 'strided gemm with acc');
    const T = tf.zeros([10, 7]);
    h.k.transpose(h.addr(C), 40, h.addr(T), 28, 7, 10);
    assertClose(T, tf.transpose(C), 'transpose');
  });
});

test('gemm: packed operands (A in 6-row groups, B in panels, B^T packed in place of a transpose) give the bits of the in-place path', (t) => {
  if (!wasm) return t.skip('the WASM backend is not active');
  // M: 6-row groups and each remainder (M mod 6 = 1..5), several MC blocks; K: the 4-k packing
  // steps and their tails, several KC blocks; N: multiples of 8 (B^T packing needs them) and not
  for (const [M, K, N] of [[6, 4, 8], [7, 5, 16], [11, 9, 24], [40, 13, 64], [263, 300, 40], [520, 70, 37]]) {
    for (const ta of [false, true]) {
      tf.tidy(() => {
        const h = new Heap(tf.backend() as BackendWasm);
        const a = rnd(ta ? [K, M] : [M, K], M + K), b = rnd([K, N], N), bT = tf.transpose(b);
        const [ars, aks] = ta ? [4, 4 * M] : [4 * K, 4];
        const inPlace = tf.zeros([M, N]), packed = tf.zeros([M, N]), packedT = tf.zeros([M, N]);
        const pk = tf.zeros([packFloats(N, K)]), pa = tf.zeros([packAFloats(M, K)]);
        h.k.gemm(h.addr(a), ars, aks, h.addr(b), 4 * N, h.addr(inPlace), 4 * N, M, N, K, 0, 0, 0, 0);
        h.k.gemm(h.addr(a), ars, aks, h.addr(b), 4 * N, h.addr(packed), 4 * N, M, N, K, 0, h.addr(pk), h.addr(pa), 0);
        const what = `[${M},${K},${N}] transposeA ${ta}`;
        assert.deepEqual(packed.dataSync(), inPlace.dataSync(), `${what}: packed`);
        if (N % 8 === 0) {
          h.k.gemm(h.addr(a), ars, aks, h.addr(bT), 4 * K, h.addr(packedT), 4 * N, M, N, K, 0, h.addr(pk), h.addr(pa), 1);
          assert.deepEqual(packedT.dataSync(), inPlace.dataSync(), `${what}: B^T packed`);
        }
        assertClose(inPlace, tf.matMul(a, b, ta, false), `${what}: in place vs tf.matMul`);
      });
    }
  }
});

test('gemm: B packed beforehand by pack_b (tb 2), from rows or from B^T, starting at a later row, gives the bits of the in-place path', (t) => {
  if (!wasm) return t.skip('the WASM backend is not active');
  for (const [M, K, N, r0] of [[16, 32, 64, 0], [13, 40, 24, 8], [7, 9, 8, 3]]) {
    tf.tidy(() => {
      const h = new Heap(tf.backend() as BackendWasm);
      const a = rnd([M, K - r0], M), b = rnd([K, N], N + K), bT = tf.transpose(b);
      const pk = tf.zeros([K * N]), want = tf.zeros([M, N]), got = tf.zeros([M, N]);
      // in place: rows r0.. of b
      h.k.gemm(h.addr(a), 4 * (K - r0), 4, h.addr(b) + 4 * r0 * N, 4 * N, h.addr(want), 4 * N, M, N, K - r0, 0, 0, 0, 0);
      for (const tb of [0, 1]) {
        if (tb) h.k.packB(h.addr(bT), 4 * K, 1, N, K, h.addr(pk), K);
        else h.k.packB(h.addr(b), 4 * N, 0, N, K, h.addr(pk), K);
        h.k.gemm(h.addr(a), 4 * (K - r0), 4, 0, K, h.addr(got), 4 * N, M, N, K - r0, 0, h.addr(pk) + 32 * r0, 0, 2);
        assert.deepEqual(got.dataSync(), want.dataSync(), `[${M},${K},${N}] from row ${r0}, packed ${tb ? 'from B^T' : 'from B'}`);
      }
    });
  }
});
