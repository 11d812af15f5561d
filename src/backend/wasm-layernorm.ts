/**
 * The LayerNorm / RMSNorm kernels on the WASM heap, running simd-norm's passes (see there for the
 * formulas and numerics); src/model/ops.ts uses them through its customGrad `normalize`.
 */
import { wasmKernel } from './wasm-heap';

/** Attributes of CmrpNorm / CmrpNormGrad. */
export interface NormAttrs {
  eps: number;
  rms: boolean; // RMSNorm: no centring
}

/** inputs x [N, C] (+ gain [C]); outputs [xhat, rstd] without a gain, [y, xhat, rstd] with one. */
export const normKernel = wasmKernel('CmrpNorm', (h, { x, gain }, attrs) => {
  const { eps, rms } = attrs as unknown as NormAttrs;
  const C = x.shape[x.shape.length - 1], N = x.shape.reduce((a, b) => a * b, 1) / C;
  const xhat = h.alloc(x.shape), rstd = h.alloc([N]);
  const y = gain ? h.alloc(x.shape) : null;
  h.k.normFwd(h.addr(x), gain ? h.addr(gain) : 0, y ? h.addr(y) : 0, h.addr(xhat), h.addr(rstd), N, C, 1 / C, eps, rms ? 1 : 0);
  return y ? [y, xhat, rstd] : [xhat, rstd];
});

/** inputs dy, xhat [N, C], rstd [N] (+ gain [C]); outputs [dx] without a gain, [dx, dgain] with one. */
export const normGradKernel = wasmKernel('CmrpNormGrad', (h, { dy, xhat, rstd, gain }, attrs) => {
  const { rms } = attrs as unknown as NormAttrs;
  const C = xhat.shape[xhat.shape.length - 1], N = rstd.shape[0];
  const dx = h.alloc(xhat.shape);
  const dgain = gain ? h.alloc([C]) : null;
  h.k.normBwd(h.addr(dy), h.addr(xhat), h.addr(rstd), gain ? h.addr(gain) : 0, h.addr(dx), dgain ? h.addr(dgain) : 0, N, C, 1 / C, rms ? 1 : 0);
  return dgain ? [dx, dgain] : [dx];
});
