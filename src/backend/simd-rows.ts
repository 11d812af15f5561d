/**
 * Row passes in WebAssembly SIMD over float rows (addresses in bytes), for kernels.ts:
 *   row_max(x, out, N, V):           out[n] = max_j x[n, j]                 (CmrpLogProbs)
 *   neg_scale_rows(x, s, out, N, V):  out[n, j] = -s[n] x[n, j]            (CmrpLogProbsGrad)
 *   scatter_add_rows(x, ids, out, rows, inner, segments): out[ids[r]] += x[r] (UnsortedSegmentSum)
 *   gather_rows(x, ids, out, n, width): out[i] = x[ids[i]]                  (CmrpGatherRows)
 * As JS loops the first two were 21 of the 34 ms of CPU the log-prob kernels took at N 2048,
 * V 2048 (the base step's head, under load, 2026-12-06). Exact: a max does not round, and each
 * product or sum rounds once, in the same order, as in the JS loops.
 */
import { at, F32, forRows, I32, loop4, Module, V128 } from './simd-asm';

export type RowMaxFn = (x: number, out: number, N: number, V: number) => void;
export type NegScaleRowsFn = (x: number, s: number, out: number, N: number, V: number) => void;
export type ScatterAddRowsFn = (x: number, ids: number, out: number, rows: number, inner: number, segments: number) => void;
export type GatherRowsFn = (x: number, ids: number, out: number, n: number, width: number) => void;

/**
 * Four accumulators over 16 floats at a time, then one over 4, then scalars: f32x4.max is a chain of
 * several instructions on x64 (WASM's NaN and -0 rules), so one accumulator waited on its latency.
 * The same result bit for bit: WASM's max is commutative and associative (NaN wins, -0 < +0).
 */
function rowMax(m: Module): void {
  const f = m.fn('row_max', [['x', I32], ['out', I32], ['N', I32], ['V', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  const acc = ['acc', 'acc1', 'acc2', 'acc3'];
  for (const a of acc) f.local(a, V128);
  f.local('mx', F32);
  forRows(f, 'r', 'N', () => {
    for (const a of acc) f.f32(-Infinity).f32x4Splat().set(a);
    f.f32(-Infinity).set('mx');
    f.i32(0).set('j');
    f.block(() =>
      f.loop(() => {
        f.get('j').i32(16).add().get('V').gtS().brIf(1);
        acc.forEach((a, v) => f.get(a).seq(() => at(f, 'x').v128Load(16 * v)).f32x4Max().set(a));
        f.inc('j', 16);
        f.br(0);
      }),
    );
    f.get('acc').get('acc1').f32x4Max().get('acc2').get('acc3').f32x4Max().f32x4Max().set('acc');
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
  });
}

function negScaleRows(m: Module): void {
  const f = m.fn('neg_scale_rows', [['x', I32], ['s', I32], ['out', I32], ['N', I32], ['V', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  f.local('sv', V128);
  f.local('sc', F32);
  forRows(f, 'r', 'N', () => {
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
  });
}

/** scatter_add_rows(x, ids, out, rows, inner, segments): out[ids[r], :] += x[r, :], ids out of range skipped. */
function scatterAddRows(m: Module): void {
  const f = m.fn('scatter_add_rows', [['x', I32], ['ids', I32], ['out', I32], ['rows', I32], ['inner', I32], ['segments', I32]]);
  for (const n of ['r', 'j', 's', 'o']) f.local(n, I32);
  forRows(f, 'r', 'rows', () => {
    f.get('ids').get('r').i32(2).shl().add().i32Load().set('s');
    // TF drops out-of-range ids
    f.get('s').i32(0).geS().get('s').get('segments').ltS().and().if(() => {
      f.get('out').get('s').get('inner').mul().i32(2).shl().add().set('o');
      f.i32(0).set('j');
      loop4(
        f,
        'inner',
        () => at(f, 'o').seq(() => at(f, 'o').v128Load()).seq(() => at(f, 'x').v128Load()).f32x4Add().v128Store(),
        () => at(f, 'o').seq(() => at(f, 'o').f32Load()).seq(() => at(f, 'x').f32Load()).f32Add().f32Store(),
      );
    });
    f.get('x').get('inner').i32(2).shl().add().set('x');
  });
}

/** gather_rows(x, ids, out, n, width): out[i, :] = x[ids[i], :] (ids checked by the caller). */
function gatherRows(m: Module): void {
  const f = m.fn('gather_rows', [['x', I32], ['ids', I32], ['out', I32], ['n', I32], ['width', I32]]);
  for (const n of ['r', 'j', 'src']) f.local(n, I32);
  forRows(f, 'r', 'n', () => {
    f.get('x').get('ids').get('r').i32(2).shl().add().i32Load().get('width').mul().i32(2).shl().add().set('src');
    f.i32(0).set('j');
    loop4(
      f,
      'width',
      () => at(f, 'out').seq(() => at(f, 'src').v128Load()).v128Store(),
      () => at(f, 'out').seq(() => at(f, 'src').f32Load()).f32Store(),
    );
    f.get('out').get('width').i32(2).shl().add().set('out');
  });
}

/** Add `row_max`, `neg_scale_rows`, `scatter_add_rows` and `gather_rows` to a module. */
export function addRows(m: Module): void {
  rowMax(m);
  negScaleRows(m);
  scatterAddRows(m);
  gatherRows(m);
}
