/**
 * What tfjs-core 4.22 + the WASM backend lack for training, registered once per process by
 * `registerKernels()` (idempotent; never overrides a gradient or kernel someone else registered).
 *
 * 1. Gradients. `@tensorflow/tfjs-core`'s CommonJS bundle (the one `require` loads) registers no
 *    gradients at all: only the `@tensorflow/tfjs` union package does, and cmrp-lab depends on
 *    tfjs-core alone. Without this file `tf.grad(x => tf.sum(x))` throws "gradient function not
 *    found for Sum". We register the gradients of the kernels a transformer, its losses and RL
 *    objectives use, ported from tfjs-core's own `src/gradients/*_grad.ts` (Apache-2.0), so plain
 *    tfjs ops differentiate exactly as they do under `@tensorflow/tfjs`.
 *
 * 2. WASM kernels on the WASM heap. The arithmetic runs in WebAssembly SIMD that this project
 *    generates itself (simd-asm.ts, a tiny assembler; simd-*.ts, the code; simd-module.ts, one
 *    module instantiated on the backend's own memory); the kernels (wasm-*.ts and below) are the
 *    JS around it. Each measured against what it replaces (reference shapes: B 16, T 64, C 128,
 *    H 4, V 512; fwd+bwd):
 *    - `CmrpMatMul` (wasm-matmul.ts): 2-D matMul with transposes read in place, on a strided SIMD
 *      GEMM with packed operands and relaxed-SIMD madd (simd-gemm.ts): 48-54 GFLOP/s vs XNNPACK's
 *      ~30, which packs its right operand per new tensor and takes no transposes (every
 *      transposed operand had to be copied first).
 *    - `CmrpAttention` / `CmrpAttentionGrad` (wasm-attention.ts): causal multi-head
 *      self-attention, the heads read in place in qkv, masked blocks skipped, the elementwise
 *      passes in SIMD (simd-causal.ts); ~5 ms at the reference shape (tfjs ops: 87 ms).
 *    - `CmrpNorm` / `CmrpNormGrad` (wasm-layernorm.ts, simd-norm.ts): LayerNorm / RMSNorm in one
 *      pass each way (0.8 vs 2.2-2.8 ms at [1024, 128] for 7 + 10 tfjs kernels).
 *    - `UnsortedSegmentSum`: missing on WASM; it is the gradient of `tf.gather` (embeddings, MoT
 *      routing); rows added in SIMD.
 *    - `CmrpGatherRows`: row gather for embeddings and Mixture-of-Transformers routing; WASM's
 *      generic GatherV2 is slow here (embedding fwd+bwd 0.5 ms vs 3.0 ms).
 *    - `CmrpLogProbs` / `CmrpLogProbsGrad`: log p(target) from WASM's vectorized Softmax plus SIMD
 *      row maxima, and a one-pass gradient (3.6 ms vs 7.9 ms at [1024, 512] as JS loops).
 *    - `CmrpAdamW`: the whole AdamW update of a parameter in one SIMD pass (simd-adamw.ts).
 *    - `CmrpTranspose2d`, `CmrpSumRows` (wasm-layout.ts): JS layout loops for the gradients.
 *    - `Identity` (wasm-identity.ts, installed by select.ts): shares data instead of copying.
 *    - `CmrpMatMul`'s epilogues `relu` and `mask` (wasm-matmul.ts, simd-relu.ts): the MLP's ReLU and
 *      its gradient as SIMD passes inside the matMuls of ops.ts `mlp` (no Relu, Step, Multiply);
 *      `residual` (simd-add.ts): the residual stream's add on the output projection's and the
 *      MLP's product where one expert takes all rows (no Add kernel, no tape node of its own).
 *    Tried and dropped: JS kernels for ReLU's gradient (WASM's SIMD elementwise kernels win);
 *    k-unrolled GEMM microkernels (V8 hoists the loads and spills registers); packing A for
 *    attention's small blocks; copying a transposed A whole
 *    before the GEMM (packing its blocks is as fast); causal blocks of 32 or 64 rows (noise-level).
 *    On other backends these kernels are absent and src/model/ops.ts uses plain tfjs ops instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GRADIENTS } from './gradients';
import { attentionBackward, attentionForward } from './wasm-attention';
import { callWasm, wasmKernel } from './wasm-heap';

import { sumRowsKernel, transpose2dKernel } from './wasm-layout';
import { matMulKernel } from './wasm-matmul';
import { normGradKernel, normKernel } from './wasm-layernorm';

export type { AttentionAttrs } from './wasm-attention';
export type { NormAttrs } from './wasm-layernorm';
export { hasKernel, setCustomKernels } from './switch';

let registered = false;

/** Register the gradients and WASM kernels below (safe to call any number of times). */
export function registerKernels(): void {
  if (registered) return;
  for (const g of GRADIENTS) if (tf.getGradient(g.kernelName) == null) tf.registerGradient(g);
  for (const k of WASM_KERNELS) if (tf.getKernel(k.kernelName, 'wasm') == null) tf.registerKernel(k);
  registered = true;
}

/** out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s (gather's gradient). */
const unsortedSegmentSum = wasmKernel(tf.UnsortedSegmentSum, (h, { x, segmentIds }, attrs) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape) / rows;
  const out = h.alloc([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  if (x.dtype === 'float32') {
    h.f32().fill(0, h.at(out), h.at(out) + numSegments * inner);
    h.k.scatterAddRows(h.addr(x), h.addr(segmentIds), h.addr(out), rows, inner, numSegments); // SIMD (simd-rows.ts)
    return out;
  }
  const m = h.i32();
  const ids = h.i32();
  const xo = h.at(x), oo = h.at(out), so = h.at(segmentIds);
  m.fill(0, oo, oo + numSegments * inner);
  for (let r = 0; r < rows; r++) {
    const s = ids[so + r];
    if (s < 0 || s >= numSegments) continue; // TF drops out-of-range ids
    for (let j = 0, src = xo + r * inner, dst = oo + s * inner; j < inner; j++) m[dst + j] += m[src + j];
  }
  return out;
});

/** out[i, :] = x[indices[i], :] for a 2-D float x (indices checked here, rows copied in SIMD: simd-rows.ts). */
const gatherRows = wasmKernel('CmrpGatherRows', (h, { x, indices }) => {
  const [rows, width] = x.shape;
  const n = indices.shape[0];
  const out = h.alloc([n, width]);
  const ids = h.i32(), io = h.at(indices);
  for (let i = 0; i < n; i++) {
    const r = ids[io + i];
    if (r < 0 || r >= rows) throw new Error(`CmrpGatherRows: index ${r} out of range [0, ${rows})`);
  }
  h.k.gatherRows(h.addr(x), h.addr(indices), h.addr(out), n, width);
  return out;
});

/**
 * Token log-probabilities: logits [N, V], targets int32 [N] → lp [N] and the softmax P [N, V]
 * (kept for the gradient). P comes from WASM's vectorized Softmax kernel; then
 * lp = l_t - max(l) + log(max(P)), since max(P) = exp(max(l) - logsumexp(l)) >= 1/V never
 * underflows (log(P_t) would, for very unlikely targets). The row maxima are a SIMD pass (simd-rows.ts).
 */
const logProbs = wasmKernel('CmrpLogProbs', (h, { logits, targets }) => {
  const [N, V] = logits.shape;
  const P = callWasm(tf.Softmax, h.be, { logits }, { dim: 1 });
  const lp = h.alloc([N]);
  const ml = h.alloc([N]), mp = h.alloc([N]);
  h.k.rowMax(h.addr(logits), h.addr(ml), N, V);
  h.k.rowMax(h.addr(P), h.addr(mp), N, V);
  const m = h.f32(), t = h.i32();
  const lo = h.at(logits), to = h.at(targets), out = h.at(lp), mlo = h.at(ml), mpo = h.at(mp);
  for (let n = 0; n < N; n++) {
    const target = t[to + n];
    if (target < 0 || target >= V) throw new Error(`CmrpLogProbs: target ${target} out of range [0, ${V})`);
    m[out + n] = m[lo + n * V + target] - m[mlo + n] + Math.log(m[mpo + n]);
  }
  h.free(ml, mp);
  return [lp, P];
});

/** Gradient of CmrpLogProbs: dlogits [N, V] = (onehot(targets) - P) * dlp[:, None] (a SIMD pass, then the targets). */
const logProbsGrad = wasmKernel('CmrpLogProbsGrad', (h, { P, targets, dlp }) => {
  const [N, V] = P.shape;
  const dl = h.alloc([N, V]);
  h.k.negScaleRows(h.addr(P), h.addr(dlp), h.addr(dl), N, V);
  const m = h.f32(), t = h.i32();
  const to = h.at(targets), go = h.at(dlp), o = h.at(dl);
  for (let n = 0; n < N; n++) m[o + n * V + t[to + n]] += m[go + n];
  return dl;
});

/** Attributes of CmrpAdamW. */
export interface AdamWAttrs {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number; // decoupled; 0 for parameters that do not decay
  bc1: number; // 1 - beta1^t
  bc2: number; // 1 - beta2^t
}

/**
 * One AdamW update of one parameter in a single pass. inputs: p, g, m, v, and gscale, a scalar
 * the gradient is multiplied by (global-norm clipping; read from the heap, no device sync).
 * outputs: new p, m, v. Replaces ~12 elementwise kernels per parameter.
 */
const adamW = wasmKernel('CmrpAdamW', (h, { p, g, m: m0, v: v0, gscale }, attrs) => {
  const { lr, beta1, beta2, eps, weightDecay, bc1, bc2 } = attrs as unknown as AdamWAttrs;
  const n = tf.util.sizeFromShape(p.shape);
  const p1 = h.alloc(p.shape), m1 = h.alloc(p.shape), v1 = h.alloc(p.shape);
  // one SIMD pass (simd-adamw.ts)
  h.k.adamw(h.addr(p), h.addr(g), h.addr(m0), h.addr(v0), h.addr(p1), h.addr(m1), h.addr(v1), n, h.addr(gscale), beta1, 1 - beta1, beta2, 1 - beta2, lr / bc1, 1 / bc2, 1 - lr * weightDecay, eps);
  return [p1, m1, v1];
});

const WASM_KERNELS: tf.KernelConfig[] = [unsortedSegmentSum, gatherRows, attentionForward, attentionBackward, logProbs, logProbsGrad, adamW, transpose2dKernel, sumRowsKernel, matMulKernel, normKernel, normGradKernel];
