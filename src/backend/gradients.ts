/**
 * Gradients of the kernels a transformer, its losses and RL objectives use, ported from
 * tfjs-core's own `src/gradients/*_grad.ts` (Apache-2.0): tfjs-core's CommonJS bundle registers
 * none (see kernels.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { sumLeading } from './wasm-layout';

const { assertAndGetBroadcastShape, getReductionAxes } = tf.broadcast_util;

/** Sum a broadcast gradient back down to `shape`. */
function unbroadcast(g: tf.Tensor, shape: number[], outShape: number[]): tf.Tensor {
  const axes = getReductionAxes(shape, outShape);
  if (axes.length === 0) return tf.reshape(g, shape);
  // leading axes only (a bias, a position table over the batch): one pass over the rows on WASM
  if (axes.every((a, i) => a === i)) return tf.reshape(sumLeading(g, axes.length), shape);
  return tf.reshape(tf.sum(g, axes), shape);
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

export const GRADIENTS: tf.GradConfig[] = [
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
