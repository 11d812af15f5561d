/**
 * The AdamW update of one parameter in WebAssembly SIMD (kernels.ts: CmrpAdamW), addresses in bytes:
 *   adamw(p, g, m, v, p1, m1, v1, n, gscale, beta1, omb1, beta2, omb2, stepSize, rbc2, decay, eps)
 *   gi = g * gscale[0]; m1 = beta1 m + omb1 gi; v1 = beta2 v + omb2 gi^2;
 *   p1 = p decay - stepSize m1 / (sqrt(v1 rbc2) + eps)
 * (omb = 1 - beta; stepSize = lr / (1 - beta1^t); rbc2 = 1 / (1 - beta2^t); decay = 1 - lr wd).
 * Numerics: float32 throughout, as tfjs's own ops; the JS loop it replaces computed each element in
 * float64 and rounded the results, so the last bits differ. Per reference step (10 parameters, CPU
 * time in `cmrp bench --profile` under load): 2.7-3.2 ms as the JS loop, 1.2 ms.
 */
import { at, F32, I32, loop4, Module, V128 } from './simd-asm';

export type AdamWFn = (p: number, g: number, m: number, v: number, p1: number, m1: number, v1: number, n: number, gscale: number, beta1: number, omb1: number, beta2: number, omb2: number, stepSize: number, rbc2: number, decay: number, eps: number) => void;

const SCALARS = ['beta1', 'omb1', 'beta2', 'omb2', 'stepSize', 'rbc2', 'decay', 'eps'];

/** Add `adamw` to a module. */
export function addAdamW(mod: Module): void {
  const f = mod.fn('adamw', [...['p', 'g', 'm', 'v', 'p1', 'm1', 'v1', 'n', 'gscale'].map((n) => [n, I32] as [string, typeof I32]), ...SCALARS.map((n) => [n, F32] as [string, typeof F32])]);
  f.local('j', I32);
  f.local('s', F32);
  for (const n of ['gi', 'mi', 'vi', 'sv', ...SCALARS.map((x) => `${x}V`)]) f.local(n, V128);
  for (const n of ['gs', 'ms', 'vs']) f.local(n, F32);
  f.get('gscale').f32Load().set('s');
  f.get('s').f32x4Splat().set('sv');
  for (const x of SCALARS) f.get(x).f32x4Splat().set(`${x}V`);
  f.i32(0).set('j');
  loop4(
    f,
    'n',
    () => {
      at(f, 'g').v128Load().get('sv').f32x4Mul().set('gi');
      f.get('beta1V').seq(() => at(f, 'm').v128Load()).f32x4Mul().get('omb1V').get('gi').f32x4Mul().f32x4Add().set('mi');
      f.get('beta2V').seq(() => at(f, 'v').v128Load()).f32x4Mul().get('omb2V').get('gi').f32x4Mul().get('gi').f32x4Mul().f32x4Add().set('vi');
      at(f, 'm1').get('mi').v128Store();
      at(f, 'v1').get('vi').v128Store();
      at(f, 'p1').seq(() => at(f, 'p').v128Load()).get('decayV').f32x4Mul();
      f.get('stepSizeV').get('mi').f32x4Mul().get('vi').get('rbc2V').f32x4Mul().f32x4Sqrt().get('epsV').f32x4Add().f32x4Div();
      f.f32x4Sub().v128Store();
    },
    () => {
      at(f, 'g').f32Load().get('s').f32Mul().set('gs');
      f.get('beta1').seq(() => at(f, 'm').f32Load()).f32Mul().get('omb1').get('gs').f32Mul().f32Add().set('ms');
      f.get('beta2').seq(() => at(f, 'v').f32Load()).f32Mul().get('omb2').get('gs').f32Mul().get('gs').f32Mul().f32Add().set('vs');
      at(f, 'm1').get('ms').f32Store();
      at(f, 'v1').get('vs').f32Store();
      at(f, 'p1').seq(() => at(f, 'p').f32Load()).get('decay').f32Mul();
      f.get('stepSize').get('ms').f32Mul().get('vs').get('rbc2').f32Mul().f32Sqrt().get('eps').f32Add().f32Div();
      f.f32Sub().f32Store();
    },
  );
}
