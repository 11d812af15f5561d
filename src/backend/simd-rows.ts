/**
 * Row passes of the log-probability kernels (kernels.ts: CmrpLogProbs, CmrpLogProbsGrad) in
 * WebAssembly SIMD, over [N, V] float rows (addresses in bytes):
 *   row_max(x, out, N, V):          out[n] = max_j x[n, j]
 *   neg_scale_rows(x, s, out, N, V): out[n, j] = -s[n] x[n, j]
 * As JS loops these were 21 of the 34 ms of CPU the two kernels took at N 2048, V 2048 (the base
 * step's head, under load, 2026-12-06). Exact: a max does not round, and each product rounds once
 * as before.
 */
import { at, F32, I32, loop4, Module, V128 } from './simd-asm';

export type RowMaxFn = (x: number, out: number, N: number, V: number) => void;
export type NegScaleRowsFn = (x: number, s: number, out: number, N: number, V: number) => void;

function rowMax(m: Module): void {
  const f = m.fn('row_max', [['x', I32], ['out', I32], ['N', I32], ['V', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  f.local('acc', V128);
  f.local('mx', F32);
  f.i32(0).set('r');
  f.block(() =>
    f.loop(() => {
      f.get('r').get('N').geS().brIf(1);
      f.f32(-Infinity).f32x4Splat().set('acc');
      f.f32(-Infinity).set('mx');
      f.i32(0).set('j');
      loop4(
        f,
        'V',
        () => f.get('acc').seq(() => at(f, 'x').v128Load()).f32x4Max().set('acc'),
        () => f.get('mx').seq(() => at(f, 'x').f32Load()).f32Max().set('mx'),
      );
      f.get('out').get('r').i32(2).shl().add();
      f.get('acc').f32x4ExtractLane(0).get('acc').f32x4ExtractLane(1).f32Max().get('acc').f32x4ExtractLane(2).get('acc').f32x4ExtractLane(3).f32Max().f32Max().get('mx').f32Max();
      f.f32Store();
      f.get('x').get('V').i32(2).shl().add().set('x');
      f.inc('r', 1);
      f.br(0);
    }),
  );
}

function negScaleRows(m: Module): void {
  const f = m.fn('neg_scale_rows', [['x', I32], ['s', I32], ['out', I32], ['N', I32], ['V', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  f.local('sv', V128);
  f.local('sc', F32);
  f.i32(0).set('r');
  f.block(() =>
    f.loop(() => {
      f.get('r').get('N').geS().brIf(1);
      f.f32(0).get('s').get('r').i32(2).shl().add().f32Load().f32Sub().tee('sc').f32x4Splat().set('sv');
      f.i32(0).set('j');
      loop4(
        f,
        'V',
        () => at(f, 'out').seq(() => at(f, 'x').v128Load()).get('sv').f32x4Mul().v128Store(),
        () => at(f, 'out').seq(() => at(f, 'x').f32Load()).get('sc').f32Mul().f32Store(),
      );
      f.get('x').get('V').i32(2).shl().add().set('x');
      f.get('out').get('V').i32(2).shl().add().set('out');
      f.inc('r', 1);
      f.br(0);
    }),
  );
}

/** Add `row_max` and `neg_scale_rows` to a module. */
export function addRows(m: Module): void {
  rowMax(m);
  negScaleRows(m);
}
