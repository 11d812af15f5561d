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
 * 2. WASM kernels, written in JavaScript against the WASM heap, each measured against the tfjs
 *    ops it replaces (reference shapes: B 16, T 64, C 128, H 4, V 512; fwd+bwd):
 *    - `UnsortedSegmentSum`: missing on WASM; it is the gradient of `tf.gather` (embeddings).
 *    - `CmrpGatherRows`: row gather for embeddings and Mixture-of-Transformers routing; WASM's
 *      generic GatherV2 is slow here (embedding fwd+bwd 0.5 ms vs 3.0 ms).
 *    - `CmrpAttention` / `CmrpAttentionGrad`: causal multi-head self-attention (11.6 ms vs 87 ms).
 *      WASM runs batched matMul with naive loops (2.3 GFLOP/s at [64,64,32]x[64,32,64]) but 2-D
 *      matMul through XNNPACK (25-35 GFLOP/s), and its Slice/Unstack cost ~0.2 ms per call, so
 *      splitting heads with tfjs ops costs more than the attention itself. These kernels split
 *      heads with JS copies on the heap and call the WASM module's 2-D matMul once per
 *      (batch, head) and its Softmax once, with no engine bookkeeping in between.
 *    - `CmrpLogProbs` / `CmrpLogProbsGrad`: log p(target) from WASM's vectorized Softmax plus one
 *      JS pass, and a one-pass gradient (3.6 ms vs 7.9 ms at [1024, 512]).
 *    - `CmrpAdamW`: the whole AdamW update of a parameter in one pass (3.0 vs 6.3 ms per step).
 *    Tried and dropped: JS kernels for ReLU's gradient and for LayerNorm lost to WASM's SIMD
 *    elementwise kernels (JS manages ~1-2.5 ns per element, WASM's Multiply ~0.4-1).
 *    On other backends these kernels are absent and src/model/ops.ts uses plain tfjs ops instead.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

let registered = false;

/** Register the gradients and WASM kernels below (safe to call any number of times). */
export function registerKernels(): void {
  if (registered) return;
  for (const g of GRADIENTS) if (tf.getGradient(g.kernelName) == null) tf.registerGradient(g);
  for (const k of WASM_KERNELS) if (tf.getKernel(k.kernelName, 'wasm') == null) tf.registerKernel(k);
  registered = true;
}

let customEnabled = true;

/**
 * True when `kernelName` has an implementation on the active backend. With
 * `setCustomKernels(false)`, false for the `Cmrp*` kernels, so src/model/ops.ts takes its
 * plain-tfjs path (for tests and benchmarks that compare the two).
 */
export function hasKernel(kernelName: string): boolean {
  if (!customEnabled && kernelName.startsWith('Cmrp')) return false;
  return tf.getKernel(kernelName, tf.getBackend()) != null;
}

/** Turn the `Cmrp*` kernels on or off (default on); returns the previous setting. */
export function setCustomKernels(on: boolean): boolean {
  const was = customEnabled;
  customEnabled = on;
  return was;
}

// ---------------------------------------------------------------------------------------------
// 1. Gradients (ported from tfjs-core/src/gradients)
// ---------------------------------------------------------------------------------------------

const { assertAndGetBroadcastShape, getReductionAxes } = tf.broadcast_util;

/** Sum a broadcast gradient back down to `shape`. */
function unbroadcast(g: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape);
  return tf.reshape(axes.length > 0 ? tf.sum(g, axes) : g, shape);
}

function binary(kernelName: string, da: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor, db: (dy: tf.Tensor, a: tf.Tensor, b: tf.Tensor) => tf.Tensor): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, saved) => {
      const [a, b] = saved;
      const g = dy as tf.Tensor;
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return { a: () => unbroadcast(da(g, a, b), a.shape, out), b: () => unbroadcast(db(g, a, b), b.shape, out) };
    },
  };
}

function unary(kernelName: string, dx: (dy: tf.Tensor, saved: tf.Tensor) => tf.Tensor, save: 'x' | 'y' | 'none' = 'x'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: save === 'x' ? ['x'] : [],
    outputsToSave: save === 'y' ? [true] : [],
    gradFunc: (dy, saved) => ({ x: () => dx(dy as tf.Tensor, saved[0]) }),
  };
}

const f32 = (t: tf.Tensor) => tf.cast(t, 'float32');
/** Expand a reduced gradient back over the reduced axes (Sum, Mean, Max). */
function expandReduced(dy: tf.Tensor, x: tf.Tensor, axis: number | number[]): tf.Tensor {
  const axes = tf.util.parseAxisParam(axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  return tf.reshape(dy, shape);
}

const GRADIENTS: tf.GradConfig[] = [
  binary(tf.Add, (dy) => dy, (dy) => dy),
  binary(tf.Sub, (dy) => dy, (dy) => tf.neg(dy)),
  binary(tf.Multiply, (dy, _a, b) => tf.mul(dy, f32(b)), (dy, a) => tf.mul(dy, f32(a))),
  binary(tf.RealDiv, (dy, _a, b) => tf.div(dy, f32(b)), (dy, a, b) => tf.neg(tf.div(tf.mul(dy, f32(a)), tf.square(f32(b))))),
  binary(tf.Maximum, (dy, a, b) => tf.mul(dy, f32(tf.greaterEqual(a, b))), (dy, a, b) => tf.mul(dy, f32(tf.less(a, b)))),
  binary(tf.Minimum, (dy, a, b) => tf.mul(dy, f32(tf.lessEqual(a, b))), (dy, a, b) => tf.mul(dy, f32(tf.greater(a, b)))),
  binary(tf.SquaredDifference, (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(a, b))), (dy, a, b) => tf.mul(dy, tf.mul(2, tf.sub(b, a)))),
  {
    kernelName: tf.Pow,
    inputsToSave: ['a', 'b'],
    outputsToSave: [true],
    gradFunc: (dy, saved) => {
      const [a, b, y] = saved;
      const g = dy as tf.Tensor;
      const out = assertAndGetBroadcastShape(a.shape, b.shape);
      return {
        a: () => unbroadcast(tf.mul(g, tf.mul(f32(b), tf.pow(a, tf.sub(f32(b), 1)))), a.shape, out),
        b: () => unbroadcast(tf.mul(g, tf.mul(y, tf.where(tf.greater(a, 0), tf.log(a), tf.zerosLike(a)))), b.shape, out),
      };
    },
  },
  {
    kernelName: tf.AddN,
    saveAllInputs: true,
    gradFunc: (dy, saved) => Object.fromEntries(saved.map((_, i) => [i, () => (dy as tf.Tensor).clone()])),
  },
  unary(tf.Neg, (dy) => tf.neg(dy), 'none'),
  unary(tf.Identity, (dy) => f32(dy), 'none'),
  unary(tf.Cast, (dy) => dy.clone(), 'none'),
  unary(tf.Exp, (dy, y) => tf.mul(dy, y), 'y'),
  unary(tf.Log, (dy, x) => tf.div(dy, f32(x))),
  unary(tf.Sqrt, (dy, x) => tf.div(dy, tf.mul(tf.sqrt(f32(x)), 2))),
  unary(tf.Rsqrt, (dy, x) => tf.neg(tf.div(dy, tf.mul(tf.pow(x, 1.5), 2)))),
  unary(tf.Square, (dy, x) => tf.mul(dy, tf.mul(f32(x), 2))),
  unary(tf.Abs, (dy, x) => tf.mul(dy, tf.step(f32(x), -1))),
  unary(tf.Relu, (dy, x) => tf.mul(dy, f32(tf.step(x)))),
  unary(tf.Tanh, (dy, y) => tf.mul(tf.sub(1, tf.square(y)), dy), 'y'),
  unary(tf.Sigmoid, (dy, y) => tf.mul(dy, tf.mul(y, tf.sub(1, y))), 'y'),
  {
    kernelName: tf.ClipByValue,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { clipValueMin, clipValueMax } = attrs as unknown as tf.ClipByValueAttrs;
      const inside = tf.logicalAnd(tf.greaterEqual(x, clipValueMin), tf.lessEqual(x, clipValueMax));
      return { x: () => tf.where(inside, dy as tf.Tensor, tf.zerosLike(dy as tf.Tensor)) };
    },
  },
  {
    kernelName: tf.Select,
    inputsToSave: ['condition'],
    gradFunc: (dy, [condition]) => ({
      condition: () => f32(tf.zerosLike(condition)),
      t: () => tf.mul(dy as tf.Tensor, tf.cast(condition, (dy as tf.Tensor).dtype)),
      e: () => tf.mul(dy as tf.Tensor, tf.cast(tf.logicalNot(condition), (dy as tf.Tensor).dtype)),
    }),
  },
  {
    kernelName: tf.Reshape,
    inputsToSave: ['x'],
    gradFunc: (dy, [x]) => ({ x: () => tf.reshape(dy as tf.Tensor, x.shape) }),
  },
  {
    kernelName: tf.Transpose,
    gradFunc: (dy, _saved, attrs) => {
      const { perm } = attrs as unknown as tf.TransposeAttrs;
      return { x: () => tf.transpose(dy as tf.Tensor, tf.backend_util.getUndoAxesPermutation(perm)) };
    },
  },
  {
    kernelName: tf.Sum,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { axis } = attrs as unknown as tf.SumAttrs;
      return { x: () => tf.mul(expandReduced(dy as tf.Tensor, x, axis), tf.ones(x.shape, 'float32')) };
    },
  },
  {
    kernelName: tf.Mean,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { axis } = attrs as unknown as tf.MeanAttrs;
      const axes = tf.util.parseAxisParam(axis, x.shape);
      const n = axes.reduce((p, a) => p * x.shape[a], 1);
      return { x: () => tf.div(tf.mul(expandReduced(dy as tf.Tensor, x, axis), tf.ones(x.shape, 'float32')), n) };
    },
  },
  {
    kernelName: tf.Max,
    inputsToSave: ['x'],
    outputsToSave: [true],
    gradFunc: (dy, [x, y], attrs) => {
      const { reductionIndices } = attrs as unknown as tf.MaxAttrs;
      const yk = expandReduced(y, x, reductionIndices);
      return { x: () => tf.mul(expandReduced(dy as tf.Tensor, x, reductionIndices), f32(tf.equal(x, yk))) };
    },
  },
  {
    kernelName: tf.Softmax,
    outputsToSave: [true],
    gradFunc: (dy, [y], attrs) => {
      const { dim } = attrs as unknown as tf.SoftmaxAttrs;
      const dyy = tf.mul(dy as tf.Tensor, y);
      return { logits: () => tf.sub(dyy, tf.mul(tf.sum(dyy, [dim], true), y)) };
    },
  },
  {
    kernelName: tf.BatchMatMul,
    inputsToSave: ['a', 'b'],
    gradFunc: (dy, [a, b], attrs) => {
      const { transposeA, transposeB } = attrs as unknown as tf.BatchMatMulAttrs;
      const g = dy as tf.Tensor;
      if (!transposeA && !transposeB) return { a: () => tf.matMul(g, b, false, true), b: () => tf.matMul(a, g, true, false) };
      if (!transposeA && transposeB) return { a: () => tf.matMul(g, b, false, false), b: () => tf.matMul(g, a, true, false) };
      if (transposeA && !transposeB) return { a: () => tf.matMul(b, g, false, true), b: () => tf.matMul(a, g, false, false) };
      return { a: () => tf.matMul(b, g, true, true), b: () => tf.matMul(g, a, true, true) };
    },
  },
  {
    kernelName: tf.Slice,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      const { begin, size } = attrs as unknown as tf.SliceAttrs;
      const [b, s] = tf.slice_util.parseSliceParams(x, begin, size);
      return { x: () => tf.pad(dy as tf.Tensor, x.shape.map((n, i) => [b[i], n - b[i] - s[i]] as [number, number])) };
    },
  },
  {
    kernelName: tf.Concat,
    saveAllInputs: true,
    gradFunc: (dy, saved, attrs) => {
      const { axis } = attrs as unknown as tf.ConcatAttrs;
      const ax = tf.util.parseAxisParam(axis, saved[0].shape)[0];
      const parts = tf.split(dy as tf.Tensor, saved.map((t) => t.shape[ax]), ax);
      return Object.fromEntries(parts.map((t, i) => [i, () => t]));
    },
  },
  {
    kernelName: tf.SplitV,
    gradFunc: (dy, _saved, attrs) => ({ x: () => tf.concat(dy as tf.Tensor[], (attrs as unknown as tf.SplitVAttrs).axis) }),
  },
  {
    kernelName: tf.Pack,
    saveAllInputs: true,
    gradFunc: (dy, _saved, attrs) => {
      const parts = tf.unstack(dy as tf.Tensor, (attrs as unknown as tf.PackAttrs).axis);
      return Object.fromEntries(parts.map((t, i) => [i, () => t]));
    },
  },
  {
    kernelName: tf.Unpack,
    gradFunc: (dy, _saved, attrs) => ({ value: () => tf.stack(dy as tf.Tensor[], (attrs as unknown as tf.UnpackAttrs).axis) }),
  },
  {
    kernelName: tf.Tile,
    inputsToSave: ['x'],
    gradFunc: (dy, [x], attrs) => {
      // sum the tiles: reshape [r0*n0, r1*n1, ...] to [r0, n0, r1, n1, ...] and reduce the r axes
      const { reps } = attrs as unknown as tf.TileAttrs;
      const split = x.shape.flatMap((n, i) => [reps[i], n]);
      return { x: () => tf.sum(tf.reshape(dy as tf.Tensor, split), reps.map((_, i) => 2 * i)) };
    },
  },
  {
    kernelName: tf.GatherV2,
    inputsToSave: ['x', 'indices'],
    gradFunc: (dy, [x, indices], attrs) => {
      const { axis, batchDims } = attrs as unknown as tf.GatherV2Attrs;
      if (batchDims) throw new Error(`gather gradient: batchDims=${batchDims} is not supported`);
      const ax = tf.util.parseAxisParam(axis, x.shape)[0];
      return {
        x: () => {
          // move the gathered axis first, sum rows per index, move it back
          const outer = x.shape.slice(0, ax), inner = x.shape.slice(ax + 1);
          const values = tf.reshape(dy as tf.Tensor, [...outer, indices.size, ...inner]);
          const perm = [outer.length, ...outer.map((_, i) => i), ...inner.map((_, i) => outer.length + 1 + i)];
          const summed = tf.unsortedSegmentSum(tf.transpose(values, perm), tf.reshape(indices, [indices.size]), x.shape[ax]);
          return tf.transpose(summed, tf.backend_util.getUndoAxesPermutation(perm));
        },
        indices: () => indices,
      };
    },
  },
];

// ---------------------------------------------------------------------------------------------
// 2. WASM kernels in JavaScript on the heap
// ---------------------------------------------------------------------------------------------

/** Heap access for one kernel call: typed views, offsets, allocation, direct 2-D matMul. */
class Heap {
  private buf: ArrayBufferLike | null = null;
  private view = new Float32Array(0);
  constructor(readonly be: BackendWasm) {}

  /**
   * Float32 view of the whole WASM heap. Any allocation may grow the heap and replace its
   * buffer, so call this again after `alloc` or `matmul` rather than keeping the view.
   */
  f32(): Float32Array {
    const buf = (this.be.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer; // present at run time, absent from the .d.ts
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new Float32Array(buf);
    }
    return this.view;
  }
  i32(): Int32Array {
    return new Int32Array(this.f32().buffer);
  }
  /** Index of a tensor's first element in `f32()`. */
  at(t: tf.TensorInfo): number {
    return this.be.dataIdMap.get(t.dataId)!.memoryOffset >>> 2;
  }
  alloc(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
    return this.be.makeOutput(shape, dtype);
  }
  free(...ts: tf.TensorInfo[]): void {
    for (const t of ts) this.be.disposeData(t.dataId);
  }
  /**
   * a [M, K] @ b [K, N] → new [M, N], calling the WASM module's BatchMatMul (XNNPACK) directly:
   * the registered kernel adds two reshapes and typed-array allocations per call, which costs
   * more than the multiply itself at attention sizes ([64,32]x[32,64]).
   * XNNPACK caches its packed copy of b under b's id: never refill a b in place.
   */
  matmul(a: tf.TensorInfo, b: tf.TensorInfo): tf.TensorInfo {
    const [M, K] = a.shape, N = b.shape[1];
    const out = this.alloc([M, N]);
    const ids = this.be.dataIdMap;
    batchMatMulFn(this.be)(ids.get(a.dataId)!.id, shape3(1, M, K), 3, ids.get(b.dataId)!.id, shape3(1, K, N), 3, 0, 0, ids.get(out.dataId)!.id);
    return out;
  }
}

type WasmMatMul = (aId: number, aShape: Uint8Array, aRank: number, bId: number, bShape: Uint8Array, bRank: number, transposeA: number, transposeB: number, outId: number) => void;
const matMulFns = new WeakMap<BackendWasm, WasmMatMul>();
function batchMatMulFn(be: BackendWasm): WasmMatMul {
  let f = matMulFns.get(be);
  if (!f) {
    const cwrap = (be.wasm as unknown as { cwrap: (name: string, ret: null, args: string[]) => WasmMatMul }).cwrap;
    f = cwrap(tf.BatchMatMul, null, ['number', 'array', 'number', 'number', 'array', 'number', 'number', 'number', 'number']);
    matMulFns.set(be, f);
  }
  return f;
}
const shapeBytes = new Map<string, Uint8Array>();
function shape3(a: number, b: number, c: number): Uint8Array {
  const key = `${a},${b},${c}`;
  let s = shapeBytes.get(key);
  if (!s) shapeBytes.set(key, (s = new Uint8Array(new Int32Array([a, b, c]).buffer)));
  return s;
}

/** A JS kernel for the WASM backend. */
function wasmKernel(kernelName: string, f: (h: Heap, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => f(new Heap(backend as BackendWasm), inputs as Record<string, tf.TensorInfo>, attrs ?? {}),
  };
}

/** out[s, ...] = sum of x[i, ...] over the i with segmentIds[i] = s (gather's gradient). */
const unsortedSegmentSum = wasmKernel(tf.UnsortedSegmentSum, (h, { x, segmentIds }, attrs) => {
  const { numSegments } = attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const inner = tf.util.sizeFromShape(x.shape) / rows;
  const out = h.alloc([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  const m = x.dtype === 'int32' ? h.i32() : h.f32();
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

/** out[i, :] = x[indices[i], :] for a 2-D float x. */
const gatherRows = wasmKernel('CmrpGatherRows', (h, { x, indices }) => {
  const [rows, width] = x.shape;
  const n = indices.shape[0];
  const out = h.alloc([n, width]);
  const m = h.f32(), ids = h.i32();
  const xo = h.at(x), oo = h.at(out), io = h.at(indices);
  for (let i = 0; i < n; i++) {
    const r = ids[io + i];
    if (r < 0 || r >= rows) throw new Error(`CmrpGatherRows: index ${r} out of range [0, ${rows})`);
    m.copyWithin(oo + i * width, xo + r * width, xo + (r + 1) * width);
  }
  return out;
});

/** Attributes of CmrpAttention / CmrpAttentionGrad. */
export interface AttentionAttrs {
  batch: number; // B
  seqLen: number; // T
  nHead: number; // H
  scale: number; // usually 1/sqrt(head size)
}

/**
 * Causal self-attention forward. inputs: qkv [B*T, 3C] (q | k | v column blocks, head h at
 * columns h*hd within each). outputs: y [B*T, C] and the attention probabilities P [B*H*T, T]
 * for the backward kernel. Per (b, h): S = (scale q) k^T with the upper triangle at -inf, then
 * one Softmax kernel over all rows of all heads, then y_bh = P_bh v.
 */
const attentionForward = wasmKernel('CmrpAttention', (h, { qkv }, attrs) => {
  const { batch: B, seqLen: T, nHead: H, scale } = attrs as unknown as AttentionAttrs;
  const C3 = qkv.shape[1], C = C3 / 3, hd = C / H;
  const y = h.alloc([B * T, C]);
  const S = h.alloc([B * H * T, T]);
  const q = h.alloc([T, hd]); // a left operand: safe to refill
  const p = h.alloc([T, T]);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const kT = h.alloc([hd, T]); // right operands are fresh per head (XNNPACK caches them by id)
      let m = h.f32();
      const src = h.at(qkv) + b * T * C3 + hh * hd; // q of position t at src + t*C3, k at +C, v at +2C
      const qo = h.at(q), ko = h.at(kT);
      for (let t = 0; t < T; t++) {
        for (let d = 0, row = src + t * C3; d < hd; d++) {
          m[qo + t * hd + d] = scale * m[row + d];
          m[ko + d * T + t] = m[row + C + d];
        }
      }
      const s = h.matmul(q, kT); // [T, T]
      m = h.f32();
      const so = h.at(s), dst = h.at(S) + (b * H + hh) * T * T;
      for (let i = 0; i < T; i++) for (let j = 0; j < T; j++) m[dst + i * T + j] = j <= i ? m[so + i * T + j] : -Infinity;
      h.free(s, kT);
    }
  }
  const P = callWasm(tf.Softmax, h.be, { logits: S }, { dim: 1 }); // [B*H*T, T]
  h.free(S, q);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const v = h.alloc([T, hd]);
      const m = h.f32();
      const src = h.at(qkv) + b * T * C3 + 2 * C + hh * hd, vo = h.at(v);
      for (let t = 0; t < T; t++) for (let d = 0, row = src + t * C3; d < hd; d++) m[vo + t * hd + d] = m[row + d];
      const po = h.at(P) + (b * H + hh) * T * T;
      m.copyWithin(h.at(p), po, po + T * T);
      const o = h.matmul(p, v); // [T, hd]
      const m2 = h.f32();
      const oo = h.at(o), dst = h.at(y) + b * T * C + hh * hd;
      for (let t = 0; t < T; t++) for (let d = 0, row = dst + t * C; d < hd; d++) m2[row + d] = m2[oo + t * hd + d];
      h.free(o, v);
    }
  }
  h.free(p);
  return [y, P];
});

/**
 * Causal self-attention backward. inputs: qkv [B*T, 3C], P [B*H*T, T] from the forward kernel,
 * dy [B*T, C]. output: dqkv [B*T, 3C]. Per (b, h), with q' = scale q and dO = dy_bh:
 *   dP = dO v^T    dv^T = dO^T P    dS = P * (dP - rowsum(dP * P))    dq = scale dS k    dk^T = q'^T dS
 * dv and dk are computed transposed so that no T x T matrix is transposed in JS. (The variant
 * dv = P^T dO, dk = dS^T q', which transposes P and dS in JS and keeps XNNPACK from repacking
 * T x T right operands, measured slower: 16.3 vs 12.0 ms at B 16, T 64; 130 vs 107 ms at B 8, T 256.)
 */
const attentionBackward = wasmKernel('CmrpAttentionGrad', (h, { qkv, P, dy }, attrs) => {
  const { batch: B, seqLen: T, nHead: H, scale } = attrs as unknown as AttentionAttrs;
  const C3 = qkv.shape[1], C = C3 / 3, hd = C / H;
  const dqkv = h.alloc([B * T, C3]);
  const dO = h.alloc([T, hd]); // left operands, refilled per head
  const dOT = h.alloc([hd, T]);
  const qT = h.alloc([hd, T]);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const vT = h.alloc([hd, T]); // right operands, fresh per head (XNNPACK caches them by id)
      const k = h.alloc([T, hd]);
      const Pb = h.alloc([T, T]);
      const dS = h.alloc([T, T]); // left operand of dq and right operand of dk^T
      let m = h.f32();
      const src = h.at(qkv) + b * T * C3 + hh * hd;
      const gsrc = h.at(dy) + b * T * C + hh * hd;
      const po = h.at(P) + (b * H + hh) * T * T;
      const dOo = h.at(dO), dOTo = h.at(dOT), qTo = h.at(qT), vTo = h.at(vT), ko = h.at(k);
      for (let t = 0; t < T; t++) {
        const row = src + t * C3, grow = gsrc + t * C;
        for (let d = 0; d < hd; d++) {
          const g = m[grow + d];
          m[dOo + t * hd + d] = g;
          m[dOTo + d * T + t] = g;
          m[qTo + d * T + t] = scale * m[row + d];
          m[ko + t * hd + d] = m[row + C + d];
          m[vTo + d * T + t] = m[row + 2 * C + d];
        }
      }
      m.copyWithin(h.at(Pb), po, po + T * T);
      const dP = h.matmul(dO, vT); // [T, T]
      const dVT = h.matmul(dOT, Pb); // [hd, T]
      m = h.f32();
      const dPo = h.at(dP), dSo = h.at(dS);
      for (let i = 0; i < T; i++) {
        // P is exactly 0 above the diagonal, so full rows need no causal branch
        let dot = 0;
        for (let j = 0, r = i * T; j < T; j++) dot += m[dPo + r + j] * m[po + r + j];
        for (let j = 0, r = i * T; j < T; j++) m[dSo + r + j] = m[po + r + j] * (m[dPo + r + j] - dot);
      }
      const dq = h.matmul(dS, k); // [T, hd], before the scale
      const dKT = h.matmul(qT, dS); // [hd, T]
      m = h.f32();
      const dqo = h.at(dq), dKTo = h.at(dKT), dVTo = h.at(dVT), dst = h.at(dqkv) + b * T * C3 + hh * hd;
      for (let t = 0; t < T; t++) {
        for (let d = 0, row = dst + t * C3; d < hd; d++) {
          m[row + d] = scale * m[dqo + t * hd + d];
          m[row + C + d] = m[dKTo + d * T + t];
          m[row + 2 * C + d] = m[dVTo + d * T + t];
        }
      }
      h.free(dP, dVT, dq, dKT, vT, k, Pb, dS);
    }
  }
  h.free(dO, dOT, qT);
  return dqkv;
});

/**
 * Token log-probabilities: logits [N, V], targets int32 [N] → lp [N] and the softmax P [N, V]
 * (kept for the gradient). P comes from WASM's vectorized Softmax kernel; then
 * lp = l_t - max(l) + log(max(P)), since max(P) = exp(max(l) - logsumexp(l)) >= 1/V never
 * underflows (log(P_t) would, for very unlikely targets).
 */
const logProbs = wasmKernel('CmrpLogProbs', (h, { logits, targets }) => {
  const [N, V] = logits.shape;
  const P = callWasm(tf.Softmax, h.be, { logits }, { dim: 1 });
  const lp = h.alloc([N]);
  const m = h.f32(), t = h.i32();
  const lo = h.at(logits), Po = h.at(P), to = h.at(targets), out = h.at(lp);
  for (let n = 0; n < N; n++) {
    let ml = -Infinity, mp = 0;
    for (let j = 0, r = n * V; j < V; j++) {
      if (m[lo + r + j] > ml) ml = m[lo + r + j];
      if (m[Po + r + j] > mp) mp = m[Po + r + j];
    }
    const target = t[to + n];
    if (target < 0 || target >= V) throw new Error(`CmrpLogProbs: target ${target} out of range [0, ${V})`);
    m[out + n] = m[lo + n * V + target] - ml + Math.log(mp);
  }
  return [lp, P];
});

/** Gradient of CmrpLogProbs: dlogits [N, V] = (onehot(targets) - P) * dlp[:, None]. */
const logProbsGrad = wasmKernel('CmrpLogProbsGrad', (h, { P, targets, dlp }) => {
  const [N, V] = P.shape;
  const dl = h.alloc([N, V]);
  const m = h.f32(), t = h.i32();
  const Po = h.at(P), to = h.at(targets), go = h.at(dlp), o = h.at(dl);
  for (let n = 0; n < N; n++) {
    const g = m[go + n], r = n * V;
    for (let j = 0; j < V; j++) m[o + r + j] = -g * m[Po + r + j];
    m[o + r + t[to + n]] += g;
  }
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
  const a = h.f32();
  const po = h.at(p), go = h.at(g), mo = h.at(m0), vo = h.at(v0), p1o = h.at(p1), m1o = h.at(m1), v1o = h.at(v1);
  const s = a[h.at(gscale)];
  const stepSize = lr / bc1, rbc2 = 1 / bc2, decay = 1 - lr * weightDecay;
  for (let i = 0; i < n; i++) {
    const gi = a[go + i] * s;
    const mi = beta1 * a[mo + i] + (1 - beta1) * gi;
    const vi = beta2 * a[vo + i] + (1 - beta2) * gi * gi;
    a[m1o + i] = mi;
    a[v1o + i] = vi;
    a[p1o + i] = a[po + i] * decay - (stepSize * mi) / (Math.sqrt(vi * rbc2) + eps);
  }
  return [p1, m1, v1];
});

/** Call another registered WASM kernel directly (no engine bookkeeping, no tape). */
function callWasm(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  return tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

const WASM_KERNELS: tf.KernelConfig[] = [unsortedSegmentSum, gatherRows, attentionForward, attentionBackward, logProbs, logProbsGrad, adamW];
