/**
 * 2-D matMul with optional transposes on the SIMD GEMM of simd-gemm.ts (`CmrpMatMul`), and the op
 * that picks it on WASM and tfjs's matMul elsewhere. Not differentiable: for forward passes and
 * custom gradients (src/model/ops.ts), where it replaces WASM's BatchMatMul (XNNPACK, which packs
 * its right operand per new tensor and takes no transposes) plus the transposes that fed it.
 * Epilogues, each one SIMD pass over the product while it is fresh instead of a kernel of its own:
 * for the fused MLP (ops.ts `mlp`, simd-relu.ts) `relu` (the hidden layer) and `mask` (its
 * gradient: the product times step(mask)); for the residual stream (ops.ts `linear` and `mlp`,
 * simd-add.ts) `residual` (the product plus a tensor of its shape).
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './switch';
import { wasmKernel } from './wasm-heap';

/** Attributes of CmrpMatMul. */
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
  relu?: boolean; // out = relu(op(a) @ op(b))
}

/** out = op(a) @ op(b) for 2-D float32 a, b; then relu (attrs.relu), or times step(mask) (input mask, out's shape); then plus residual (input, out's shape). */
export const matMulKernel = wasmKernel('CmrpMatMul', (h, { a, b, mask, residual }, attrs) => {
  const { transposeA, transposeB, relu } = attrs as unknown as MatMulAttrs;
  const out = h.mm(a, b, transposeA, transposeB);
  const n = out.shape[0] * out.shape[1];
  if (relu) h.k.relu(h.addr(out), h.addr(out), n);
  if (mask) {
    if (!tf.util.arraysEqual(mask.shape, out.shape)) throw new Error(`CmrpMatMul: mask [${mask.shape}] must have the product's shape [${out.shape}]`);
    h.k.reluGrad(h.addr(out), h.addr(mask), h.addr(out), n);
  }
  if (residual) {
    if (!tf.util.arraysEqual(residual.shape, out.shape) || residual.dtype !== 'float32') throw new Error(`CmrpMatMul: residual [${residual.shape}] (${residual.dtype}) must be float32 with the product's shape [${out.shape}]`);
    h.k.add(h.addr(residual), h.addr(out), h.addr(out), n);
  }
  return out;
});

/** op(a) @ op(b) for 2-D tensors (not differentiable). */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D, transposeA = false, transposeB = false): tf.Tensor2D {
  if (a.dtype === 'float32' && b.dtype === 'float32' && hasKernel('CmrpMatMul')) {
    const attrs: MatMulAttrs = { transposeA, transposeB };
    return tf.engine().runKernel('CmrpMatMul', { a, b }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  // explicit transposes: WASM's BatchMatMul takes the XNNPACK path only without the flags
  return tf.matMul(transposeA ? tf.transpose(a) : a, transposeB ? tf.transpose(b) : b);
}

/** What matMulEpilogue does to the product: relu, times step(mask), or plus residual. */
export type Epilogue = { relu: true } | { mask: tf.Tensor2D } | { residual: tf.Tensor2D };

/**
 * relu(a @ b) (`relu`), or (a @ b^T) * step(mask) (`mask`: relu's gradient through the next layer),
 * for the fused MLP; or residual + a @ op(b) (`residual`: the residual stream's add); one CmrpMatMul
 * on WASM, tfjs ops elsewhere (the same values: a multiply by 1 or 0, one add).
 */
export function matMulEpilogue(a: tf.Tensor2D, b: tf.Tensor2D, transposeB: boolean, epilogue: Epilogue): tf.Tensor2D {
  if (a.dtype === 'float32' && b.dtype === 'float32' && hasKernel('CmrpMatMul')) {
    const attrs: MatMulAttrs = { transposeA: false, transposeB, relu: 'relu' in epilogue };
    const inputs: tf.NamedTensorMap = 'mask' in epilogue ? { a, b, mask: epilogue.mask } : 'residual' in epilogue ? { a, b, residual: epilogue.residual } : { a, b };
    return tf.engine().runKernel('CmrpMatMul', inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
  }
  const y = matMul(a, b, false, transposeB);
  if ('residual' in epilogue) return tf.add(epilogue.residual, y) as tf.Tensor2D;
  return ('mask' in epilogue ? tf.mul(y, tf.step(epilogue.mask)) : tf.relu(y)) as tf.Tensor2D;
}
