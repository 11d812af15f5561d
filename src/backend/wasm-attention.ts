/**
 * Causal multi-head self-attention on the WASM heap (forward and backward kernels); see the notes
 * in kernels.ts for why and what they replace.
 */
import * as tf from '@tensorflow/tfjs-core';
import { callWasm, wasmKernel } from './wasm-heap';

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
export const attentionForward = wasmKernel('CmrpAttention', (h, { qkv }, attrs) => {
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
export const attentionBackward = wasmKernel('CmrpAttentionGrad', (h, { qkv, P, dy }, attrs) => {
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
