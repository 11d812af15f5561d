/**
 * LayerNorm / RMSNorm over the last axis in WebAssembly SIMD, one pass per row each way (the
 * kernels that run them on the WASM heap are in wasm-layernorm.ts):
 *   CmrpNorm      x [N, C] (+ gain [C]) -> xhat [N, C], rstd [N] (+ y = xhat * gain)
 *                 xhat = (x - mean) * rstd, rstd = 1 / sqrt(mean((x - mean)^2) + eps); RMSNorm: mean = 0
 *   CmrpNormGrad  dy, xhat, rstd (+ gain) -> dx (+ dgain = sum over rows of dy * xhat)
 *                 g = dy * gain; dx = rstd (g - mean(g) - xhat mean(g xhat)); RMSNorm: no mean(g)
 * They replace 7 tfjs kernels forward and ~10 backward per norm (each with the engine's
 * bookkeeping), measured ~6 ms of CPU of a 100 ms reference step under load (2026-12-06).
 * Numerics: the row sums run in 4 float32 lanes, and 1/C is a multiply; tfjs's Mean sums in
 * another order and divides: last-bit differences.
 */
import { at, F32, Fn, forRows, I32, loop4, Module, V128 } from './simd-asm';

export type NormFwdFn = (x: number, gain: number, y: number, xhat: number, rstd: number, N: number, C: number, invC: number, eps: number, rms: number) => void;
export type NormBwdFn = (dy: number, xhat: number, rstd: number, gain: number, dx: number, dgain: number, N: number, C: number, invC: number, rms: number) => void;

/** Sum over the row at local `row` (of C floats) of `term(addr)` (pushes a v128, or an f32 for the tail), into local `out`. */
function rowSum(f: Fn, out: string, vec: () => void, one: () => void): void {
  f.v128Zero().set('acc');
  f.f32(0).set('tail');
  f.i32(0).set('j');
  loop4(
    f,
    'C',
    () => f.get('acc').seq(vec).f32x4Add().set('acc'),
    () => f.get('tail').seq(one).f32Add().set('tail'),
  );
  f.hsum('acc').get('tail').f32Add().set(out);
}

function normFwd(m: Module): void {
  const f = m.fn('norm_fwd', [['x', I32], ['gain', I32], ['y', I32], ['xhat', I32], ['rstd', I32], ['N', I32], ['C', I32], ['invC', F32], ['eps', F32], ['rms', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  for (const n of ['acc', 'mv', 'rv', 'd']) f.local(n, V128);
  for (const n of ['tail', 'mean', 'var', 'rs', 'e']) f.local(n, F32);
  forRows(f, 'r', 'N', () => {
    // mean (0 for RMSNorm)
    f.f32(0).set('mean');
    f.get('rms').eqz().if(() => {
      rowSum(f, 'mean', () => at(f, 'x').v128Load(), () => at(f, 'x').f32Load());
      f.get('mean').get('invC').f32Mul().set('mean');
    });
    f.get('mean').f32x4Splat().set('mv');
    // variance of x - mean
    rowSum(
      f,
      'var',
      () => at(f, 'x').v128Load().get('mv').f32x4Sub().tee('d').get('d').f32x4Mul(),
      () => at(f, 'x').f32Load().get('mean').f32Sub().tee('e').get('e').f32Mul(),
    );
    f.f32(1).get('var').get('invC').f32Mul().get('eps').f32Add().f32Sqrt().f32Div().set('rs');
    f.get('rstd').get('r').i32(2).shl().add().get('rs').f32Store();
    f.get('rs').f32x4Splat().set('rv');
    // xhat = (x - mean) rstd, y = xhat gain
    f.i32(0).set('j');
    loop4(
      f,
      'C',
      () => {
        at(f, 'xhat').seq(() => at(f, 'x').v128Load().get('mv').f32x4Sub().get('rv').f32x4Mul()).tee('d').v128Store();
        f.get('gain').if(() => at(f, 'y').get('d').seq(() => at(f, 'gain').v128Load()).f32x4Mul().v128Store());
      },
      () => {
        at(f, 'xhat').seq(() => at(f, 'x').f32Load().get('mean').f32Sub().get('rs').f32Mul()).tee('e').f32Store();
        f.get('gain').if(() => at(f, 'y').get('e').seq(() => at(f, 'gain').f32Load()).f32Mul().f32Store());
      },
    );
    // next row
    for (const p of ['x', 'xhat', 'y']) f.get(p).get('C').i32(2).shl().add().set(p);
  });
}

function normBwd(m: Module): void {
  const f = m.fn('norm_bwd', [['dy', I32], ['xhat', I32], ['rstd', I32], ['gain', I32], ['dx', I32], ['dgain', I32], ['N', I32], ['C', I32], ['invC', F32], ['rms', I32]]);
  for (const n of ['r', 'j']) f.local(n, I32);
  for (const n of ['acc', 'g', 'mv', 'sv', 'rv']) f.local(n, V128);
  for (const n of ['tail', 'sg', 'sgx', 'rs', 'ge']) f.local(n, F32);
  // g = dy * gain (or dy) at element j, into local g (v128) or ge (f32)
  const gVec = () => f.get('gain').eqz().if(() => at(f, 'dy').v128Load().set('g'), () => at(f, 'dy').v128Load().seq(() => at(f, 'gain').v128Load()).f32x4Mul().set('g'));
  const gOne = () => f.get('gain').eqz().if(() => at(f, 'dy').f32Load().set('ge'), () => at(f, 'dy').f32Load().seq(() => at(f, 'gain').f32Load()).f32Mul().set('ge'));
  f.get('dgain').if(() => {
    // dgain starts at 0
    f.i32(0).set('j');
    loop4(f, 'C', () => at(f, 'dgain').v128Zero().v128Store(), () => at(f, 'dgain').f32(0).f32Store());
  });
  forRows(f, 'r', 'N', () => {
    // sg = mean(g) (0 for RMSNorm), sgx = mean(g xhat)
    f.f32(0).set('sg');
    f.get('rms').eqz().if(() => {
      rowSum(f, 'sg', () => f.seq(gVec).get('g'), () => f.seq(gOne).get('ge'));
      f.get('sg').get('invC').f32Mul().set('sg');
    });
    rowSum(f, 'sgx', () => f.seq(gVec).get('g').seq(() => at(f, 'xhat').v128Load()).f32x4Mul(), () => f.seq(gOne).get('ge').seq(() => at(f, 'xhat').f32Load()).f32Mul());
    f.get('sgx').get('invC').f32Mul().set('sgx');
    f.get('rstd').get('r').i32(2).shl().add().f32Load().set('rs');
    f.get('sg').f32x4Splat().set('mv');
    f.get('sgx').f32x4Splat().set('sv');
    f.get('rs').f32x4Splat().set('rv');
    // dx = rstd (g - sg - xhat sgx); dgain += dy xhat
    f.i32(0).set('j');
    loop4(
      f,
      'C',
      () => {
        gVec();
        at(f, 'dx').get('g').get('mv').f32x4Sub().seq(() => at(f, 'xhat').v128Load()).get('sv').f32x4Mul().f32x4Sub().get('rv').f32x4Mul().v128Store();
        f.get('dgain').if(() => at(f, 'dgain').seq(() => at(f, 'dgain').v128Load()).seq(() => at(f, 'dy').v128Load().seq(() => at(f, 'xhat').v128Load()).f32x4Mul()).f32x4Add().v128Store());
      },
      () => {
        gOne();
        at(f, 'dx').get('ge').get('sg').f32Sub().seq(() => at(f, 'xhat').f32Load()).get('sgx').f32Mul().f32Sub().get('rs').f32Mul().f32Store();
        f.get('dgain').if(() => at(f, 'dgain').seq(() => at(f, 'dgain').f32Load()).seq(() => at(f, 'dy').f32Load().seq(() => at(f, 'xhat').f32Load()).f32Mul()).f32Add().f32Store());
      },
    );
    for (const p of ['dy', 'xhat', 'dx']) f.get(p).get('C').i32(2).shl().add().set(p);
  });
}

/** Add `norm_fwd` and `norm_bwd` to a module. */
export function addNorm(m: Module): void {
  normFwd(m);
  normBwd(m);
}
