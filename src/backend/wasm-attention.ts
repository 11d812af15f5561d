/**
 * Causal multi-head self-attention on the WASM heap (forward and backward kernels), every product
 * a call of the strided SIMD GEMM of simd-gemm.ts on the heads where they lie in qkv [B*T, 3C]:
 * no head is copied out (k^T and v^T are packed by the GEMM straight from k's and v's rows; only
 * when T is not a multiple of 8 are they first transposed into a small [hd, T] scratch), no
 * XNNPACK operator is made per head, and the engine sees one kernel per
 * direction. Products skip the masked part (blocks of R rows, see below); the scale and mask and
 * softmax's backward are SIMD passes (simd-causal.ts); the softmax is WASM's vectorized Softmax
 * kernel, once over all rows of all heads.
 *
 * fwd+bwd, CPU time, best of 30 under load (2026-12-06): 5.2 ms at B 16, T 64, C 128, H 4 and
 * 21 ms at B 8, T 256 (the base config); per-head copies + XNNPACK + JS passes took 11.6 ms
 * (idle, 2026-11-27) and 34 ms, tfjs ops 87 ms at B 16, T 64.
 */
import * as tf from '@tensorflow/tfjs-core';
import { callWasm, wasmKernel } from './wasm-heap';
import { packFloats } from './simd-gemm';

/**
 * Rows per causal block: rows r0..r0+R of a head need keys 0..r0+R only, so each product runs
 * per block of rows over the part of the other side that is not masked (about half the work
 * at T 256).
 */
const R = 16;

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
 * for the backward kernel. Per (b, h): S = scale q k^T with the upper triangle at -inf, then one
 * Softmax over all rows of all heads, then y_bh = P_bh v.
 */
export const attentionForward = wasmKernel('CmrpAttention', (h, { qkv }, attrs) => {
  const { batch: B, seqLen: T, nHead: H, scale } = attrs as unknown as AttentionAttrs;
  const C3 = qkv.shape[1], C = C3 / 3, hd = C / H;
  const { gemm, transpose } = h.k;
  const y = h.alloc([B * T, C]);
  const S = h.alloc([B * H * T, T]);
  const packKt = T % 8 === 0; // the GEMM packs a transposed B only in whole panels of 8 (R is a multiple of 8)
  const kT = h.alloc([packKt ? 1 : hd, T]);
  const pkT = h.alloc([Math.max(packFloats(T, hd), packFloats(hd, T))]);
  const pk = h.addr(pkT); // B panels packed: measured 5.0 vs 6.2 ms fwd+bwd at B 16, T 64; 34 vs 39 ms at B 8, T 256
  const x = h.addr(qkv), so = h.addr(S), kTo = h.addr(kT), yo = h.addr(y);
  const ld = 4 * C3; // bytes between rows of qkv
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const q = x + 4 * (b * T * C3 + hh * hd); // head hh's q of position t at q + t*ld, k at +4C, v at +8C
      if (!packKt) transpose(q + 4 * C, ld, kTo, 4 * T, T, hd); // kT [hd, T]
      const sb = so + 4 * (b * H + hh) * T * T;
      // S_bh = q k^T [T, T], rows r0..r1 only up to column r1 (the rest is masked); k^T packed from k's rows, or read from kT
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        if (packKt) gemm(q + r0 * ld, ld, 4, q + 4 * C, ld, sb + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 1);
        else gemm(q + r0 * ld, ld, 4, kTo, 4 * T, sb + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 0);
      }
    }
  }
  h.k.causalMask(so, B * H * T, T, scale); // scale, and -inf above the diagonal
  const P = callWasm(tf.Softmax, h.be, { logits: S }, { dim: 1 }); // [B*H*T, T]
  h.free(S, kT);
  const po = h.addr(P);
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const v = x + 4 * (b * T * C3 + 2 * C + hh * hd);
      const pb = po + 4 * (b * H + hh) * T * T, yb = yo + 4 * (b * T * C + hh * hd);
      // y_bh = P_bh v [T, hd]; P is 0 past the diagonal, so rows r0..r1 sum over k < r1
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        gemm(pb + 4 * r0 * T, 4 * T, 4, v, ld, yb + 4 * r0 * C, 4 * C, r1 - r0, hd, r1, 0, pk, 0, 0);
      }
    }
  }
  h.free(pkT);
  return [y, P];
});

/**
 * Causal self-attention backward. inputs: qkv [B*T, 3C], P [B*H*T, T] from the forward kernel,
 * dy [B*T, C]. output: dqkv [B*T, 3C]. Per (b, h), with dO = dy_bh:
 *   dP = dO v^T    dv = P^T dO    dS = scale P * (dP - rowsum(dP * P))    dq = dS k    dk = dS^T q
 * P^T and dS^T are read in place by the GEMM's strides; v^T is packed from v's rows.
 */
export const attentionBackward = wasmKernel('CmrpAttentionGrad', (h, { qkv, P, dy }, attrs) => {
  const { batch: B, seqLen: T, nHead: H, scale } = attrs as unknown as AttentionAttrs;
  const C3 = qkv.shape[1], C = C3 / 3, hd = C / H;
  const { gemm, transpose } = h.k;
  const dqkv = h.alloc([B * T, C3]);
  const packVt = T % 8 === 0; // as packKt in the forward kernel
  const vT = h.alloc([packVt ? 1 : hd, T]);
  const dP = h.alloc([T, T]);
  const dS = h.alloc([T, T]);
  const pkT = h.alloc([Math.max(packFloats(T, hd), packFloats(hd, T))]);
  const pk = h.addr(pkT);
  const x = h.addr(qkv), g = h.addr(dy), out = h.addr(dqkv), vTo = h.addr(vT), dPo = h.addr(dP), dSo = h.addr(dS);
  const ld = 4 * C3;
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const q = x + 4 * (b * T * C3 + hh * hd), k = q + 4 * C, v = q + 8 * C;
      const dO = g + 4 * (b * T * C + hh * hd);
      const dq = out + 4 * (b * T * C3 + hh * hd), dk = dq + 4 * C, dv = dq + 8 * C;
      const Pb = h.addr(P) + 4 * (b * H + hh) * T * T;
      if (!packVt) transpose(v, ld, vTo, 4 * T, T, hd); // vT [hd, T]
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        // dP = dO v^T [T, T], j < r1
        if (packVt) gemm(dO + 4 * r0 * C, 4 * C, 4, v, ld, dPo + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 1);
        else gemm(dO + 4 * r0 * C, 4 * C, 4, vTo, 4 * T, dPo + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 0);
        // dv = P^T dO [T, hd]: rows j in r0..r1 sum over i >= r0 (P[i, j] = 0 for i < j)
        gemm(Pb + 4 * (r0 * T + r0), 4, 4 * T, dO + 4 * r0 * C, 4 * C, dv + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk, 0, 0);
      }
      h.k.causalSoftmaxGrad(Pb, dPo, dSo, T, scale); // dS, 0 past the diagonal
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        gemm(dSo + 4 * r0 * T, 4 * T, 4, k, ld, dq + r0 * ld, ld, r1 - r0, hd, r1, 0, pk, 0, 0); // dq = dS k [T, hd], k < r1
        gemm(dSo + 4 * (r0 * T + r0), 4, 4 * T, q + r0 * ld, ld, dk + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk, 0, 0); // dk = dS^T q, i >= r0
      }
    }
  }
  h.free(vT, dP, dS, pkT);
  return dqkv;
});
