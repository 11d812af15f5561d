/**
 * The elementwise passes of causal attention (wasm-attention.ts) in WebAssembly SIMD, on [T, T]
 * score blocks (row i of a head's block is query position i):
 *   causal_mask(s, rows, T, scale): for `rows` rows (heads stacked, row r is position r mod T),
 *     s[j] *= scale for j <= i, s[j] = -inf for j > i (the Softmax kernel runs next)
 *   causal_softmax_grad(p, dp, ds, T, scale): softmax's backward on one head, with the scale:
 *     ds[i, j] = scale p[i, j] (dp[i, j] - sum_{j' <= i} dp[i, j'] p[i, j']) for j <= i, 0 past it
 * Addresses in bytes. As JS loops these took 2.5 and 7.7 ms per layer at B 8, T 256, H 4 (under load,
 * 2026-12-06). The row sum runs in 4 float32 lanes (JS summed in float64, in order): last-bit differences.
 */
import { at, F32, I32, loop4, Module, V128 } from './simd-asm';

export type CausalMaskFn = (s: number, rows: number, T: number, scale: number) => void;
export type CausalSoftmaxGradFn = (p: number, dp: number, ds: number, T: number, scale: number) => void;

function causalMask(m: Module): void {
  const f = m.fn('causal_mask', [['s', I32], ['rows', I32], ['T', I32], ['scale', F32]]);
  for (const n of ['r', 'i', 'j', 'len']) f.local(n, I32);
  f.local('sv', V128);
  f.local('ninf', V128);
  f.get('scale').f32x4Splat().set('sv');
  f.f32(-Infinity).f32x4Splat().set('ninf');
  f.i32(0).set('r');
  f.i32(0).set('i');
  f.block(() =>
    f.loop(() => {
      f.get('r').get('rows').geS().brIf(1);
      f.get('i').i32(1).add().set('len');
      f.i32(0).set('j');
      loop4(f, 'len', () => at(f, 's').seq(() => at(f, 's').v128Load().get('sv').f32x4Mul()).v128Store(), () => at(f, 's').seq(() => at(f, 's').f32Load().get('scale').f32Mul()).f32Store());
      loop4(f, 'T', () => at(f, 's').get('ninf').v128Store(), () => at(f, 's').f32(-Infinity).f32Store());
      f.get('s').get('T').i32(2).shl().add().set('s');
      // i = (i + 1) mod T
      f.inc('i', 1);
      f.get('i').get('T').geS().if(() => f.i32(0).set('i'));
      f.inc('r', 1);
      f.br(0);
    }),
  );
}

function causalSoftmaxGrad(m: Module): void {
  const f = m.fn('causal_softmax_grad', [['p', I32], ['dp', I32], ['ds', I32], ['T', I32], ['scale', F32]]);
  for (const n of ['i', 'j', 'len']) f.local(n, I32);
  for (const n of ['acc', 'dv', 'sv', 'zero']) f.local(n, V128);
  f.local('dot', F32);
  f.get('scale').f32x4Splat().set('sv');
  f.v128Zero().set('zero');
  f.i32(0).set('i');
  f.block(() =>
    f.loop(() => {
      f.get('i').get('T').geS().brIf(1);
      f.get('i').i32(1).add().set('len');
      // dot = sum_{j <= i} dp[j] p[j]
      f.v128Zero().set('acc');
      f.f32(0).set('dot');
      f.i32(0).set('j');
      loop4(
        f,
        'len',
        () => f.get('acc').seq(() => at(f, 'dp').v128Load()).seq(() => at(f, 'p').v128Load()).f32x4Mul().f32x4Add().set('acc'),
        () => f.get('dot').seq(() => at(f, 'dp').f32Load()).seq(() => at(f, 'p').f32Load()).f32Mul().f32Add().set('dot'),
      );
      f.hsum('acc');
      f.get('dot').f32Add().set('dot');
      f.get('dot').f32x4Splat().set('dv');
      // ds[j] = scale p[j] (dp[j] - dot) for j <= i, then zeros
      f.i32(0).set('j');
      loop4(
        f,
        'len',
        () => at(f, 'ds').seq(() => at(f, 'p').v128Load().get('sv').f32x4Mul().seq(() => at(f, 'dp').v128Load().get('dv').f32x4Sub()).f32x4Mul()).v128Store(),
        () => at(f, 'ds').seq(() => at(f, 'p').f32Load().get('scale').f32Mul().seq(() => at(f, 'dp').f32Load().get('dot').f32Sub()).f32Mul()).f32Store(),
      );
      loop4(f, 'T', () => at(f, 'ds').get('zero').v128Store(), () => at(f, 'ds').f32(0).f32Store());
      for (const row of ['p', 'dp', 'ds']) f.get(row).get('T').i32(2).shl().add().set(row);
      f.inc('i', 1);
      f.br(0);
    }),
  );
}

/** Add `causal_mask` and `causal_softmax_grad` to a module. */
export function addCausal(m: Module): void {
  causalMask(m);
  causalSoftmaxGrad(m);
}
