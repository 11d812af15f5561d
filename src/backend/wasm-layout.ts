/**
 * Layout kernels on the WASM heap, and the ops that pick them (plain tfjs elsewhere).
 *
 * WASM's Transpose walks a generic N-D index per element: 11-16 ns per element for a [1024, 512]
 * float matrix, more than the 134 MFLOP matMul that follows it (~4 ms), and its Sum over a leading
 * axis transposes first. Measured under load (CPU time, 2026-12-05): transposing [1024, 512] 5.6-8.5
 * ms with WASM, column sums of [1024, 512] 5.5-6.5 ms. These JS loops copy in 32 x 32 tiles and sum
 * rows in one sequential pass.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './switch';
import { wasmKernel } from './wasm-heap';

const TILE = 32;

/** out [C, R] = x [R, C]^T for a 2-D float32 x. */
export const transpose2dKernel = wasmKernel('CmrpTranspose2d', (h, { x }) => {
  const [R, C] = x.shape;
  const out = h.alloc([C, R]);
  const m = h.f32();
  const xo = h.at(x), oo = h.at(out);
  for (let r0 = 0; r0 < R; r0 += TILE) {
    const r1 = Math.min(R, r0 + TILE);
    for (let c0 = 0; c0 < C; c0 += TILE) {
      const c1 = Math.min(C, c0 + TILE);
      for (let c = c0; c < c1; c++) {
        const dst = oo + c * R;
        for (let r = r0; r < r1; r++) m[dst + r] = m[xo + r * C + c];
      }
    }
  }
  return out;
});

/** out [N] = sum over the rows of x [M, N] (float32). */
export const sumRowsKernel = wasmKernel('CmrpSumRows', (h, { x }) => {
  const [M, N] = x.shape;
  const out = h.alloc([N]);
  const m = h.f32();
  const xo = h.at(x), oo = h.at(out);
  m.fill(0, oo, oo + N);
  for (let i = 0; i < M; i++) for (let j = 0, src = xo + i * N; j < N; j++) m[oo + j] += m[src + j];
  return out;
});

/** x^T for a 2-D tensor (not differentiable: for use inside custom gradients and forward passes). */
export function transpose2d(x: tf.Tensor2D): tf.Tensor2D {
  if (x.dtype === 'float32' && hasKernel('CmrpTranspose2d')) return tf.engine().runKernel('CmrpTranspose2d', { x }) as tf.Tensor2D;
  return tf.transpose(x);
}

/**
 * Sum of `x` over its first `lead` axes (a bias's or a broadcast operand's gradient); not
 * differentiable (for use inside gradients).
 */
export function sumLeading(x: tf.Tensor, lead: number): tf.Tensor {
  if (lead === 0) return x;
  const rest = x.shape.slice(lead);
  if (x.dtype === 'float32' && hasKernel('CmrpSumRows')) {
    const n = rest.reduce((a, b) => a * b, 1);
    const s = tf.engine().runKernel('CmrpSumRows', { x: tf.reshape(x, [x.size / n, n]) }) as tf.Tensor;
    return tf.reshape(s, rest);
  }
  return tf.sum(x, Array.from({ length: lead }, (_, i) => i));
}
