/**
 * Identity on WASM without a copy. The engine clones every tensor a gradient saves (an Identity
 * kernel per saved tensor: 55 per reference step, 193 per base step) and WASM's Identity copies the
 * data; tensors are immutable (a variable's assign swaps in another tensor's data), so the clone
 * can share the data under a reference count, as WASM's own Reshape and the cpu backend's Identity
 * do. Measured: Identity 3.4-5.0 ms of CPU per reference step under load (2026-12-06).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const shared: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend }) => {
    const x = (inputs as { x: tf.TensorInfo }).x;
    if (x.dtype === 'string') throw new Error('Identity: string tensors are not supported on wasm');
    (backend as BackendWasm).incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  },
};

/** Replace WASM's copying Identity (call after @tensorflow/tfjs-backend-wasm has registered its kernels). */
export function shareIdentityOnWasm(): void {
  const k = tf.getKernel(tf.Identity, 'wasm');
  if (k?.kernelFunc === shared.kernelFunc) return;
  if (k) tf.unregisterKernel(tf.Identity, 'wasm');
  tf.registerKernel(shared);
}
