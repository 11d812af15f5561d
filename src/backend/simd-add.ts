/**
 * Elementwise add in WebAssembly SIMD (addresses in bytes), the residual epilogue of CmrpMatMul
 * (wasm-matmul.ts `residual`: the transformer's residual stream added to the output projection's
 * and the MLP's product while it is fresh, instead of a tfjs Add kernel after it):
 *   add(x, y, out, n): out[j] = x[j] + y[j]
 * The same bits as WASM's Add on equal shapes (one f32 add per element; IEEE addition is
 * commutative, so product + residual equals residual + product). out may be x or y (in place).
 */
import { at, I32, loop4, Module } from './simd-asm';

export type AddFn = (x: number, y: number, out: number, n: number) => void;

/** Add `add` to a module. */
export function addAdd(m: Module): void {
  const f = m.fn('add', [['x', I32], ['y', I32], ['out', I32], ['n', I32]]);
  f.local('j', I32);
  f.i32(0).set('j');
  loop4(
    f,
    'n',
    () => at(f, 'out').seq(() => at(f, 'x').v128Load()).seq(() => at(f, 'y').v128Load()).f32x4Add().v128Store(),
    () => at(f, 'out').seq(() => at(f, 'x').f32Load()).seq(() => at(f, 'y').f32Load()).f32Add().f32Store(),
  );
}
