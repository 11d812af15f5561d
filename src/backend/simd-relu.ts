/**
 * ReLU and its gradient in WebAssembly SIMD (addresses in bytes), for the fused MLP of
 * src/model/ops.ts (through CmrpMatMul's `relu` attribute and `mask` input, wasm-matmul.ts):
 *   relu(x, out, n):          out[j] = pmax(0, x[j]) = 0 < x[j] ? x[j] : 0
 *   relu_grad(dy, y, out, n): out[j] = dy[j] * (y[j] > 0 ? 1 : 0)
 * The same bits as the kernels they replace: WASM's Relu (XNNPACK's clamp to [0, inf], pmax) and
 * tf.mul(dy, tf.step(y)) (a multiply by exactly 1 or 0; a negative dy times 0 stays -0).
 * out may be x or dy (in place).
 */
import { at, I32, loop4, Module, V128 } from './simd-asm';

export type ReluFn = (x: number, out: number, n: number) => void;
export type ReluGradFn = (dy: number, y: number, out: number, n: number) => void;

function relu(m: Module): void {
  const f = m.fn('relu', [['x', I32], ['out', I32], ['n', I32]]);
  f.local('j', I32);
  f.i32(0).set('j');
  loop4(
    f,
    'n',
    () => at(f, 'out').v128Zero().seq(() => at(f, 'x').v128Load()).f32x4Pmax().v128Store(),
    () => at(f, 'out').f32(0).f32x4Splat().seq(() => at(f, 'x').f32Load().f32x4Splat()).f32x4Pmax().f32x4ExtractLane(0).f32Store(),
  );
}

function reluGrad(m: Module): void {
  const f = m.fn('relu_grad', [['dy', I32], ['y', I32], ['out', I32], ['n', I32]]);
  f.local('j', I32);
  f.local('one', V128);
  f.local('zero', V128);
  f.f32(1).f32x4Splat().set('one');
  f.v128Zero().set('zero');
  f.i32(0).set('j');
  loop4(
    f,
    'n',
    () => at(f, 'out').seq(() => at(f, 'dy').v128Load()).seq(() => at(f, 'y').v128Load().get('zero').f32x4Gt().get('one').v128And()).f32x4Mul().v128Store(),
    () => at(f, 'out').seq(() => at(f, 'dy').f32Load().f32x4Splat()).seq(() => at(f, 'y').f32Load().f32x4Splat().get('zero').f32x4Gt().get('one').v128And()).f32x4Mul().f32x4ExtractLane(0).f32Store(),
  );
}

/** Add `relu` and `relu_grad` to a module. */
export function addRelu(m: Module): void {
  relu(m);
  reluGrad(m);
}
