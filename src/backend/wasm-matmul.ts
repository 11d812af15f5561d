/**
 * 2-D matMul with optional transposes on the SIMD GEMM of simd-gemm.ts (`CmrpMatMul`), and the op
 * that picks it on WASM and tfjs's matMul elsewhere. Not differentiable: for forward passes and
 * custom gradients (src/model/ops.ts), where it replaces WASM's BatchMatMul (XNNPACK, which packs
 * its right operand per new tensor and takes no transposes) plus the transposes that fed it.
 */
import * as tf from '@tensorflow/tfjs-core';
import { hasKernel } from './switch';
import { wasmKernel } from './wasm-heap';

/** Attributes of CmrpMatMul. */
export interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** out = op(a) @ op(b) for 2-D float32 a, b. */
export const matMulKernel = wasmKernel('CmrpMatMul', (h, { a, b }, attrs) => {
  const { transposeA, transposeB } = attrs as unknown as MatMulAttrs;
  return h.mm(a, b, transposeA, transposeB);
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
