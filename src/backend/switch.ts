/** Which custom kernels are in use: ops check here before taking a `Cmrp*` kernel (kernels.ts). */
import * as tf from '@tensorflow/tfjs-core';

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
