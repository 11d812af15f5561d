/**
 * Causal multi-head self-attention on the WASM heap (forward and backward kernels), every product
 * a call of the strided SIMD GEMM of simd-gemm.ts on the heads where they lie in qkv [B*T, 3C]:
 * no head is copied out (each product's right operand is packed once per head by pack_b, k^T and
 * v^T straight from k's and v's rows, and reused by all the head's row blocks; see prepacked()),
 * no XNNPACK operator is made per head, and the engine sees one kernel per
 * direction. Products skip the masked part (blocks of R rows, see below); the scale and mask and
 * softmax's backward are SIMD passes (simd-causal.ts); the softmax is WASM's vectorized Softmax
 * kernel, once per batch row over all its heads' rows.
 *
 * Packing once per head instead of per row block: 16.2-16.6 vs 17.7-18.4 ms fwd+bwd at B 8, T 256
 * (thread CPU, best of 7 x 20, under load, 2026-12-07).
 * fwd+bwd, CPU time, best of 30 under load (2026-12-06): 5.2 ms at B 16, T 64, C 128, H 4 and
 * 21 ms at B 8, T 256 (the base config); per-head copies + XNNPACK + JS passes took 11.6 ms
 * (idle, 2026-11-27) and 34 ms, tfjs ops 87 ms at B 16, T 64.
 */
import * as tf from '@tensorflow/tfjs-core';
import { callWasm, wasmKernel } from './wasm-heap';
import { KC, packFloats } from './simd-gemm';

/**
 * Rows per causal block: rows r0..r0+R of a head need keys 0..r0+R only, so each product runs
 * per block of rows over the part of the other side that is not masked (about half the work
 * at T 256).
 */
const R = 16;

/**
 * Scores per Softmax call in the forward kernel: whole batch rows (all their heads) up to this many
 * floats (1 MB, L2's size), at least one: at T 256 one batch row (1 MB; B 8: 8 chunks), at T 64
 * sixteen (B 16: one chunk, which is all of P: no copy, the kernel as before chunks).
 */
const CHUNK_FLOATS = 256 * 1024;

/**
 * Whether a head's B operands are packed once for all its row blocks (pack_b, then gemm with tb 2):
 * whole 8-column panels (T, hd multiples of 8; R is one) and one k block (T <= KC). Else each
 * block's gemm packs its part (k^T and v^T from a transposed scratch): the same products, bits.
 */
function prepacked(T: number, hd: number): boolean {
  return T % 8 === 0 && hd % 8 === 0 && T <= KC;
}

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
 * for the backward kernel. Per chunk of batch rows (CHUNK_FLOATS), for their heads: S = scale q k^T
 * with the upper triangle at -inf, one Softmax over the chunk's rows, those rows of P copied to
 * their place in P, then y_bh = P_bh v. A chunk's scores (1 MB at T 256) stay in cache from their
 * product through the mask and the Softmax to P v, where all B*H heads' scores (8 MB) went out to
 * memory and back twice: 6.7-6.9 vs 7.5-8.1 ms at B 8, T 256 (one batch row a chunk; best of 40,
 * under load, 2026-12-07), the same y and P bit for bit (Softmax works row by row). At B 16, T 64
 * chunks of 8 rows measured no faster than one (a Softmax call and a copy more).
 */
export const attentionForward = wasmKernel('CmrpAttention', (h, { qkv }, attrs) => {
  const { batch: B, seqLen: T, nHead: H, scale } = attrs as unknown as AttentionAttrs;
  const C3 = qkv.shape[1], C = C3 / 3, hd = C / H;
  const { gemm, transpose } = h.k;
  const y = h.alloc([B * T, C]);
  const nb = Math.max(1, Math.min(B, Math.floor(CHUNK_FLOATS / (H * T * T)))); // batch rows per chunk
  let P = nb < B ? h.alloc([B * H * T, T]) : null; // one chunk: P is its Softmax's output
  const S = h.alloc([nb * H * T, T]); // a chunk's scores, all its heads
  const pre = prepacked(T, hd);
  const kT = h.alloc([pre ? 1 : hd, T]);
  const pkT = h.alloc([Math.max(packFloats(T, hd), packFloats(hd, T))]);
  const pk = h.addr(pkT); // B panels packed: measured 5.0 vs 6.2 ms fwd+bwd at B 16, T 64; 34 vs 39 ms at B 8, T 256
  const x = h.addr(qkv), kTo = h.addr(kT), yo = h.addr(y);
  const ld = 4 * C3; // bytes between rows of qkv
  for (let b0 = 0; b0 < B; b0 += nb) {
    const b1 = Math.min(B, b0 + nb), rows = (b1 - b0) * H * T;
    const Sc = rows === nb * H * T ? S : h.alloc([rows, T]); // the last chunk may be shorter (Softmax takes the tensor's rows)
    for (let b = b0; b < b1; b++) for (let hh = 0; hh < H; hh++) {
      const q = x + 4 * (b * T * C3 + hh * hd); // head hh's q of position t at q + t*ld, k at +4C, v at +8C
      if (pre) h.k.packB(q + 4 * C, ld, 1, T, hd, pk, hd); // k^T [hd, T] packed from k's rows, once for all row blocks
      else transpose(q + 4 * C, ld, kTo, 4 * T, T, hd); // kT [hd, T], packed per block
      const sb = h.addr(Sc) + 4 * ((b - b0) * H + hh) * T * T;
      // S_bh = q k^T [T, T], rows r0..r1 only up to column r1 (the rest is masked)
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        if (pre) gemm(q + r0 * ld, ld, 4, 0, hd, sb + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 2);
        else gemm(q + r0 * ld, ld, 4, kTo, 4 * T, sb + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 0);
      }
    }
    h.k.causalMask(h.addr(Sc), rows, T, scale); // scale, and -inf above the diagonal
    const Pc = callWasm(tf.Softmax, h.be, { logits: Sc }, { dim: 1 }); // [rows, T]
    if (P) h.f32().copyWithin(h.at(P) + b0 * H * T * T, h.at(Pc), h.at(Pc) + rows * T);
    const po = h.addr(Pc);
    for (let b = b0; b < b1; b++) for (let hh = 0; hh < H; hh++) {
      const v = x + 4 * (b * T * C3 + 2 * C + hh * hd);
      const pb = po + 4 * ((b - b0) * H + hh) * T * T, yb = yo + 4 * (b * T * C + hh * hd);
      if (pre) h.k.packB(v, ld, 0, hd, T, pk, T); // v [T, hd], panels of T rows: block r0..r1 uses rows < r1
      // y_bh = P_bh v [T, hd]; P is 0 past the diagonal, so rows r0..r1 sum over k < r1
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        if (pre) gemm(pb + 4 * r0 * T, 4 * T, 4, 0, T, yb + 4 * r0 * C, 4 * C, r1 - r0, hd, r1, 0, pk, 0, 2);
        else gemm(pb + 4 * r0 * T, 4 * T, 4, v, ld, yb + 4 * r0 * C, 4 * C, r1 - r0, hd, r1, 0, pk, 0, 0);
      }
    }
    if (P) h.free(Pc);
    else P = Pc;
    if (Sc !== S) h.free(Sc);
  }
  h.free(S, kT, pkT);
  return [y, P!];
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
  const pre = prepacked(T, hd);
  const vT = h.alloc([pre ? 1 : hd, T]);
  const dP = h.alloc([T, T]);
  const dS = h.alloc([T, T]);
  const pkT = h.alloc([Math.max(packFloats(T, hd), packFloats(hd, T))]);
  const pk2T = h.alloc([pre ? hd * T : 1]); // a head's second packed operand
  const pk = h.addr(pkT), pk2 = h.addr(pk2T);
  const x = h.addr(qkv), g = h.addr(dy), out = h.addr(dqkv), vTo = h.addr(vT), dPo = h.addr(dP), dSo = h.addr(dS);
  const ld = 4 * C3;
  for (let b = 0; b < B; b++) {
    for (let hh = 0; hh < H; hh++) {
      const q = x + 4 * (b * T * C3 + hh * hd), k = q + 4 * C, v = q + 8 * C;
      const dO = g + 4 * (b * T * C + hh * hd);
      const dq = out + 4 * (b * T * C3 + hh * hd), dk = dq + 4 * C, dv = dq + 8 * C;
      const Pb = h.addr(P) + 4 * (b * H + hh) * T * T;
      // B operands packed once per head (pk: v^T then k, pk2: dO then q; row r0 of a panel at +32 r0), or per block
      if (pre) h.k.packB(v, ld, 1, T, hd, pk, hd), h.k.packB(dO, 4 * C, 0, hd, T, pk2, T);
      else transpose(v, ld, vTo, 4 * T, T, hd); // vT [hd, T]
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        // dP = dO v^T [T, T], j < r1; dv = P^T dO [T, hd]: rows j in r0..r1 sum over i >= r0 (P[i, j] = 0 for i < j)
        if (pre) {
          gemm(dO + 4 * r0 * C, 4 * C, 4, 0, hd, dPo + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 2);
          gemm(Pb + 4 * (r0 * T + r0), 4, 4 * T, 0, T, dv + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk2 + 32 * r0, 0, 2);
        } else {
          gemm(dO + 4 * r0 * C, 4 * C, 4, vTo, 4 * T, dPo + 4 * r0 * T, 4 * T, r1 - r0, r1, hd, 0, pk, 0, 0);
          gemm(Pb + 4 * (r0 * T + r0), 4, 4 * T, dO + 4 * r0 * C, 4 * C, dv + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk, 0, 0);
        }
      }
      h.k.causalSoftmaxGrad(Pb, dPo, dSo, T, scale); // dS, 0 past the diagonal
      if (pre) h.k.packB(k, ld, 0, hd, T, pk, T), h.k.packB(q, ld, 0, hd, T, pk2, T);
      for (let r0 = 0; r0 < T; r0 += R) {
        const r1 = Math.min(T, r0 + R);
        // dq = dS k [T, hd], k < r1; dk = dS^T q, i >= r0
        if (pre) {
          gemm(dSo + 4 * r0 * T, 4 * T, 4, 0, T, dq + r0 * ld, ld, r1 - r0, hd, r1, 0, pk, 0, 2);
          gemm(dSo + 4 * (r0 * T + r0), 4, 4 * T, 0, T, dk + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk2 + 32 * r0, 0, 2);
        } else {
          gemm(dSo + 4 * r0 * T, 4 * T, 4, k, ld, dq + r0 * ld, ld, r1 - r0, hd, r1, 0, pk, 0, 0);
          gemm(dSo + 4 * (r0 * T + r0), 4, 4 * T, q + r0 * ld, ld, dk + r0 * ld, ld, r1 - r0, hd, T - r0, 0, pk, 0, 0);
        }
      }
    }
  }
  h.free(vT, dP, dS, pkT, pk2T);
  return dqkv;
});
