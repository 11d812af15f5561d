/**
 * Fast differentiable primitives for the transformer, tuned for the WASM backend.
 *
 * Why custom gradients: on WASM, `matMul` with transposeA/transposeB or batch dimensions runs
 * through naive loops (1.3-2.8 GFLOP/s) while a plain 2-D matMul goes through XNNPACK
 * (25-35 GFLOP/s). tfjs's own gradient for matMul uses the transpose flags, so every backward
 * matMul was on the slow path. Each op here is a `tf.customGrad` whose products go through
 * `matMul` of src/backend/wasm-matmul.ts: on WASM a SIMD GEMM that reads transposed operands in
 * place (src/backend/simd-gemm.ts), elsewhere tfjs's matMul.
 * Where tfjs ops are still slow or too many, a JS kernel on the WASM heap takes over (attention,
 * embedding rows, log-probabilities, AdamW: src/backend/kernels.ts); measured alternatives that
 * lost are noted where they were tried.
 *
 * Custom gradients must `save()` every tensor their backward needs: tfjs runs the forward pass in
 * its own tidy(), so a tensor captured by the closure is disposed before the backward pass.
 *
 * Every op also works on the cpu backend (plain tfjs ops), so tests can compare paths.
 * Shapes: B batch, T time, C width (n_embd), H heads, V vocabulary, N = B*T rows.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerKernels, hasKernel, AttentionAttrs } from '../backend/kernels';
import { sumLeading } from '../backend/wasm-layout';
import { matMul, matMulEpilogue } from '../backend/wasm-matmul';

registerKernels();

type Saver = (tensors: tf.Tensor[]) => void;
type Forward = (inputs: tf.Tensor[], save: Saver) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor[] };

/** `tf.customGrad` over a list of inputs: f gets them as an array, and must return one gradient each. */
function customOp(f: Forward): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad(((...args: unknown[]) => {
    const save = args.pop() as Saver;
    return f(args as tf.Tensor[], save);
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
}

/**
 * tf.reshape, or x itself where it has the shape already: every reshape is a kernel call with
 * its engine bookkeeping (and a tape node outside custom ops), ~60 a reference step, most of them
 * [M, K] to [M, K] in `linear`.
 */
function reshapeTo(x: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.util.arraysEqual(x.shape, shape) ? x : tf.reshape(x, shape);
}

/** y = a @ b for 2-D a [M, K], b [K, N], with a backward pass of 2-D matMuls (transposes read in place on WASM). */
export function matmul2d(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  const op = customOp(([a_, b_], save) => {
    save([a_, b_]);
    return {
      value: matMul(a_ as tf.Tensor2D, b_ as tf.Tensor2D),
      gradFunc: (dy, [sa, sb]) => [
        matMul(dy as tf.Tensor2D, sb as tf.Tensor2D, false, true), // dA = dy @ b^T  [M, K]
        matMul(sa as tf.Tensor2D, dy as tf.Tensor2D, true, false), // dB = a^T @ dy  [K, N]
      ],
    };
  });
  return op(a, b) as tf.Tensor2D;
}

/**
 * y = x @ w (+ bias) over the last axis: x [..., K], w [K, N] → [..., N].
 * `transposeW` takes w as [N, K] (a tied embedding table used as the LM head).
 * `residual` (a tensor of y's shape; not with a bias) returns residual + x @ w instead: the residual
 * stream's add as the product's epilogue (CmrpMatMul on WASM) instead of an Add kernel after the op,
 * whose gradient is dy passed through: the same values as tf.add(residual, linear(x, w)).
 */
export function linear(x: tf.Tensor, w: tf.Tensor2D, bias?: tf.Tensor1D, opts: { transposeW?: boolean; residual?: tf.Tensor } = {}): tf.Tensor {
  const tw = opts.transposeW ?? false;
  const K = x.shape[x.rank - 1];
  const N = tw ? w.shape[0] : w.shape[1];
  if ((tw ? w.shape[1] : w.shape[0]) !== K) throw new Error(`linear: x [..., ${K}] does not fit w [${w.shape}]${tw ? ' (transposed)' : ''}`);
  const lead = x.shape.slice(0, -1);
  const M = x.size / K;
  const residual = opts.residual;
  if (residual && bias) throw new Error('linear: a residual epilogue is not supported with a bias (add the residual after the op)');
  if (residual && !tf.util.arraysEqual(residual.shape, [...lead, N])) throw new Error(`linear: residual [${residual.shape}] must have the output's shape [${[...lead, N]}]`);
  const op = customOp(([x_, w_, third], save) => {
    const x2 = reshapeTo(x_, [M, K]) as tf.Tensor2D; // [M, K]
    save([x2, w_]);
    let y: tf.Tensor;
    if (residual) y = matMulEpilogue(x2, w_ as tf.Tensor2D, tw, { residual: reshapeTo(third, [M, N]) as tf.Tensor2D }); // [M, N]
    else {
      y = matMul(x2, w_ as tf.Tensor2D, false, tw); // [M, N]
      if (third) y = tf.add(y, third);
    }
    return {
      value: reshapeTo(y, [...lead, N]),
      gradFunc: (dy, [sx, sw]) => {
        const g = reshapeTo(dy, [M, N]) as tf.Tensor2D; // [M, N]
        const x2s = sx as tf.Tensor2D;
        // dx = g @ w^T: for w [K, N] a transposed operand; for a transposed w [N, K] a plain matMul
        const dx = reshapeTo(matMul(g, sw as tf.Tensor2D, false, !tw), x.shape);
        // dw [K, N] = x^T @ g; for w [N, K] its transpose, g^T @ x
        const dw = tw ? matMul(g, x2s, true, false) : matMul(x2s, g, true, false);
        // the residual's gradient is dy itself, as a tensor of its own (the engine may dispose one gradient while adding)
        return third ? [dx, dw, residual ? dy.clone() : sumLeading(g, 1)] : [dx, dw];
      },
    };
  });
  const third = residual ?? bias;
  return third ? op(x, w, third) : op(x, w);
}

/**
 * The feed-forward block without biases: relu(x @ w1) @ w2, x [M, C], w1 [C, F], w2 [F, C] → [M, C],
 * as one op: the relu rides on the first product and its gradient on the product that makes dh
 * (CmrpMatMul's epilogues on WASM, wasm-matmul.ts), instead of Relu, Step and Multiply kernels and
 * two more custom ops. The same products in the same order as linear → relu → linear: the same bits.
 * `residual` [M, C] returns residual + the block (the residual stream's add as the second product's
 * epilogue, its gradient dy passed through), as `linear` does.
 */
export function mlp(x: tf.Tensor2D, w1: tf.Tensor2D, w2: tf.Tensor2D, residual?: tf.Tensor2D): tf.Tensor2D {
  const C = x.shape[1];
  if (w1.shape[0] !== C || w2.shape[0] !== w1.shape[1] || w2.shape[1] !== C) throw new Error(`mlp: x [${x.shape}], w1 [${w1.shape}], w2 [${w2.shape}] do not fit [M, C] [C, F] [F, C]`);
  if (residual && !tf.util.arraysEqual(residual.shape, x.shape)) throw new Error(`mlp: residual [${residual.shape}] must have x's shape [${x.shape}]`);
  const op = customOp(([x_, w1_, w2_, r_], save) => {
    const h = matMulEpilogue(x_ as tf.Tensor2D, w1_ as tf.Tensor2D, false, { relu: true }); // [M, F]
    save([x_, w1_, h, w2_]);
    return {
      value: r_ ? matMulEpilogue(h, w2_ as tf.Tensor2D, false, { residual: r_ as tf.Tensor2D }) : matMul(h, w2_ as tf.Tensor2D),
      gradFunc: (dy, [sx, sw1, sh, sw2]) => {
        const g = dy as tf.Tensor2D; // [M, C]
        const dh = matMulEpilogue(g, sw2 as tf.Tensor2D, true, { mask: sh as tf.Tensor2D }); // (g @ w2^T) * step(h)  [M, F]
        const grads = [
          matMul(dh, sw1 as tf.Tensor2D, false, true), // dx = dh @ w1^T
          matMul(sx as tf.Tensor2D, dh, true, false), // dw1 = x^T @ dh
          matMul(sh as tf.Tensor2D, g, true, false), // dw2 = h^T @ g
        ];
        return r_ ? [...grads, dy.clone()] : grads; // the residual's gradient: dy, as a tensor of its own
      },
    };
  });
  return (residual ? op(x, w1, w2, residual) : op(x, w1, w2)) as tf.Tensor2D;
}

/** Rows of a 2-D float tensor: x [R, C], idx int32 [n] → [n, C]. Fast JS kernel on WASM. */
function gatherRowsRaw(x: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  if (hasKernel('CmrpGatherRows')) return tf.engine().runKernel('CmrpGatherRows', { x, indices: idx }) as tf.Tensor2D;
  return tf.gather(x, idx) as tf.Tensor2D;
}

/**
 * Embedding lookup: table [V, C], ids int32 [...] → [..., C]. Backward sums rows per id
 * (UnsortedSegmentSum, a JS kernel on WASM) instead of a one-hot matMul: for a [1024]-token batch
 * and V = 512 that saves two 134 MFLOP matMuls.
 */
export function embedding(ids: tf.Tensor, table: tf.Tensor2D): tf.Tensor {
  const [V, C] = table.shape;
  const flat = tf.reshape(tf.cast(ids, 'int32'), [ids.size]) as tf.Tensor1D; // the row kernels read int32
  const op = customOp(([t], save) => {
    save([flat]);
    return {
      value: tf.reshape(gatherRowsRaw(t as tf.Tensor2D, flat), [...ids.shape, C]),
      gradFunc: (dy, [f]) => [tf.unsortedSegmentSum(tf.reshape(dy, [ids.size, C]), f as tf.Tensor1D, V)],
    };
  });
  return op(table);
}

/**
 * Route rows: x [R, C] → x[idx] [n, C]; the gradient scatters back into [R, C] (zeros elsewhere).
 * Mixture-of-Transformers uses it to send each token to its modality's weights.
 */
export function gatherRows(x: tf.Tensor2D, idx: tf.Tensor1D): tf.Tensor2D {
  const R = x.shape[0];
  const op = customOp(([x_], save) => {
    save([idx]);
    return {
      value: gatherRowsRaw(x_ as tf.Tensor2D, idx),
      gradFunc: (dy, [i]) => [tf.unsortedSegmentSum(dy, i as tf.Tensor1D, R)],
    };
  });
  return op(x) as tf.Tensor2D;
}

/**
 * Inverse of routing: parts[p] [n_p, C] hold the rows idx[p] of the result [R, C]; together the
 * idx cover 0..R-1 exactly once. Implemented as one concat and one row gather by the inverse
 * permutation; the gradient of part p is dy[idx[p]].
 */
export function mergeRows(parts: tf.Tensor2D[], idx: tf.Tensor1D[]): tf.Tensor2D {
  if (parts.length !== idx.length) throw new Error(`mergeRows: ${parts.length} parts but ${idx.length} index lists`);
  if (parts.length === 1) return gatherRows(parts[0], invertPermutation(idx));
  const inv = invertPermutation(idx);
  const op = customOp((xs, save) => {
    save(idx); // not captured: tensors made during the forward pass are gone by the backward pass
    return {
      value: gatherRowsRaw(tf.concat(xs as tf.Tensor2D[], 0), inv),
      gradFunc: (dy, saved) => saved.map((i) => gatherRowsRaw(dy as tf.Tensor2D, i as tf.Tensor1D)),
    };
  });
  return op(...parts) as tf.Tensor2D;
}

function invertPermutation(idx: tf.Tensor1D[]): tf.Tensor1D {
  const all = idx.flatMap((i) => Array.from(i.dataSync()));
  const inv = new Int32Array(all.length).fill(-1);
  all.forEach((r, k) => {
    if (r < 0 || r >= all.length || inv[r] !== -1) throw new Error(`mergeRows: row ${r} is out of range or routed twice`);
    inv[r] = k;
  });
  return tf.tensor1d(inv, 'int32');
}

/**
 * Causal multi-head self-attention from fused projections: qkv [B*T, 3C] (q | k | v blocks, head h
 * at columns h*C/H within each) → [B*T, C]. On WASM one JS kernel per direction splits heads on
 * the heap and runs per-(batch, head) 2-D matMuls (see src/backend/kernels.ts); elsewhere it is
 * `attentionReference`.
 */
export function causalSelfAttention(qkv: tf.Tensor2D, batch: number, nHead: number): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  const T = N / batch, C = C3 / 3;
  if (!Number.isInteger(T) || C % nHead !== 0) throw new Error(`causalSelfAttention: qkv [${qkv.shape}] does not split into batch ${batch}, ${nHead} heads`);
  if (!hasKernel('CmrpAttention')) return attentionReference(qkv, batch, nHead);
  const attrs: AttentionAttrs = { batch, seqLen: T, nHead, scale: 1 / Math.sqrt(C / nHead) };
  const op = customOp(([x], save) => {
    const [y, P] = tf.engine().runKernel('CmrpAttention', { qkv: x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([x, P]);
    return {
      value: y,
      gradFunc: (dy, [sx, sP]) => [
        tf.engine().runKernel('CmrpAttentionGrad', { qkv: sx, P: sP, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor,
      ],
    };
  });
  return op(qkv) as tf.Tensor2D;
}

/** Additive causal mask [T, T]: 0 on and below the diagonal, -1e9 above. */
export function causalMask(T: number): tf.Tensor2D {
  const a = new Float32Array(T * T);
  for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) a[i * T + j] = -1e9;
  return tf.tensor2d(a, [T, T]);
}

/** Plain-tfjs causal attention with the same contract as `causalSelfAttention` (tfjs autodiff). */
export function attentionReference(qkv: tf.Tensor2D, batch: number, nHead: number): tf.Tensor2D {
  const [N, C3] = qkv.shape;
  const T = N / batch, C = C3 / 3, hd = C / nHead;
  const heads = tf.transpose(tf.reshape(qkv, [batch, T, 3, nHead, hd]), [2, 0, 3, 1, 4]); // [3, B, H, T, hd]
  const [q, k, v] = tf.unstack(heads);
  const att = tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(hd)), causalMask(T)), -1); // [B, H, T, T]
  const y = tf.matMul(att, v); // [B, H, T, hd]
  return tf.reshape(tf.transpose(y, [0, 2, 1, 3]), [N, C]) as tf.Tensor2D;
}

/**
 * ReLU with the gradient dy * step(y): two WASM kernels where tfjs's registered gradient needs
 * three (Step, Cast, Multiply). (A JS one-pass kernel was slower: 4.7 vs 1.7 ms fwd+bwd at
 * [1024, 512]; WASM's SIMD elementwise kernels beat branchy JS loops.)
 */
export function relu(x: tf.Tensor): tf.Tensor {
  const op = customOp(([x_], save) => {
    const y = tf.relu(x_);
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [sy]) => [tf.mul(dy, tf.step(sy))],
    };
  });
  return op(x);
}

/** LayerNorm over the last axis with optional gain/bias (torch_tiny.py uses none). */
export function layerNorm(x: tf.Tensor, gain?: tf.Tensor1D, bias?: tf.Tensor1D, eps = 1e-5): tf.Tensor {
  const y = normalize(x, gain, eps, false);
  return bias ? tf.add(y, bias) : y;
}

/** RMSNorm over the last axis: x / sqrt(mean(x^2) + eps) * gain. */
export function rmsNorm(x: tf.Tensor, gain?: tf.Tensor1D, eps = 1e-6): tf.Tensor {
  return normalize(x, gain, eps, true);
}

/**
 * xhat * gain with xhat = (x - mean) * rstd (RMSNorm: mean = 0), over the last axis.
 * Backward: dx = rstd * (g - mean(g) - xhat * mean(g * xhat)), g = dy * gain. On WASM one SIMD
 * kernel each way (CmrpNorm / CmrpNormGrad, src/backend/wasm-layernorm.ts); elsewhere 10 tfjs
 * elementwise kernels instead of tfjs autodiff's ~25.
 */
function normalize(x: tf.Tensor, gain: tf.Tensor1D | undefined, eps: number, rms: boolean): tf.Tensor {
  if (x.dtype === 'float32' && hasKernel('CmrpNorm')) return normalizeKernel(x, gain, eps, rms);
  const ax = x.rank - 1;
  const op = customOp((xs, save) => {
    const [x_, g_] = [xs[0], gain ? xs[1] : null];
    const xc = rms ? x_ : tf.sub(x_, tf.mean(x_, ax, true));
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), ax, true), eps));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd]);
    return {
      value: g_ ? tf.mul(xhat, g_) : xhat,
      gradFunc: (dy, [sxhat, srstd]) => {
        const g = g_ ? tf.mul(dy, g_) : dy;
        const centred = rms ? g : tf.sub(g, tf.mean(g, ax, true));
        const dx = tf.mul(srstd, tf.sub(centred, tf.mul(sxhat, tf.mean(tf.mul(g, sxhat), ax, true))));
        return g_ ? [dx, sumLeading(tf.mul(dy, sxhat), ax)] : [dx];
      },
    };
  });
  return gain ? op(x, gain) : op(x);
}

/** `normalize` through the CmrpNorm / CmrpNormGrad kernels. */
function normalizeKernel(x: tf.Tensor, gain: tf.Tensor1D | undefined, eps: number, rms: boolean): tf.Tensor {
  const attrs = { eps, rms } as unknown as tf.NamedAttrMap;
  const op = customOp((xs, save) => {
    const [x_, g_] = [xs[0], gain ? xs[1] : null];
    const out = tf.engine().runKernel('CmrpNorm', g_ ? { x: x_, gain: g_ } : { x: x_ }, attrs) as tf.Tensor[];
    const [y, xhat, rstd] = g_ ? out : [out[0], out[0], out[1]];
    save([xhat, rstd]);
    return {
      value: y,
      gradFunc: (dy, [sxhat, srstd]) => tf.engine().runKernel('CmrpNormGrad', { dy, xhat: sxhat, rstd: srstd, ...(g_ ? { gain: g_ } : {}) }, attrs) as tf.Tensor[],
    };
  });
  return gain ? op(x, gain) : op(x);
}

/**
 * log p(target) per row: logits [N, V], targets int32 [N] → [N]. Backward: (onehot - softmax) * dy.
 * The building block of the masked cross-entropy and of GRPO's sequence log-probabilities.
 */
export function tokenLogProbs(logits: tf.Tensor2D, targets: tf.Tensor1D): tf.Tensor1D {
  const [N, V] = logits.shape;
  if (targets.size !== N) throw new Error(`tokenLogProbs: ${targets.size} targets for ${N} rows of logits`);
  const tgt = tf.cast(targets, 'int32');
  if (hasKernel('CmrpLogProbs')) {
    // one vectorized Softmax + one JS pass, and a one-pass backward (see kernels.ts)
    const op = customOp(([l], save) => {
      const [lp, P] = tf.engine().runKernel('CmrpLogProbs', { logits: l, targets: tgt }) as tf.Tensor[];
      save([P, tgt]);
      return { value: lp, gradFunc: (dy, [sP, st]) => [tf.engine().runKernel('CmrpLogProbsGrad', { P: sP, targets: st, dlp: dy }) as tf.Tensor] };
    });
    return op(logits) as tf.Tensor1D;
  }
  const flatIdx = tf.add(tf.mul(tf.range(0, N, 1, 'int32'), tf.scalar(V, 'int32')), tgt) as tf.Tensor1D; // n*V + target
  const op = customOp(([l], save) => {
    const logp = tf.logSoftmax(l as tf.Tensor2D); // [N, V]
    save([logp, tgt]);
    return {
      value: tf.gather(tf.reshape(logp, [N * V]), flatIdx),
      gradFunc: (dy, [slogp, st]) => [tf.mul(tf.sub(tf.oneHot(st as tf.Tensor1D, V, 1, 0, 'float32'), tf.exp(slogp)), tf.reshape(dy, [N, 1]))],
    };
  });
  return op(logits) as tf.Tensor1D;
}

/**
 * Mean cross-entropy over the rows where mask is 1: logits [..., V], targets int32 [...],
 * mask [...] of 0/1 ("loss only on the character's turns"); no mask means every row.
 * A mask of all zeros gives 0, not NaN.
 */
export function maskedCrossEntropy(logits: tf.Tensor, targets: tf.Tensor, mask?: tf.Tensor): tf.Scalar {
  const V = logits.shape[logits.rank - 1];
  const N = logits.size / V;
  const lp = tokenLogProbs(tf.reshape(logits, [N, V]) as tf.Tensor2D, tf.reshape(targets, [N]) as tf.Tensor1D); // [N]
  if (!mask) return tf.neg(tf.mean(lp)) as tf.Scalar;
  const m = tf.reshape(tf.cast(mask, 'float32'), [N]);
  return tf.div(tf.neg(tf.sum(tf.mul(lp, m))), tf.maximum(tf.sum(m), 1)) as tf.Scalar;
}
