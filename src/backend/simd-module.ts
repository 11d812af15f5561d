/**
 * The SIMD kernels written with simd-asm.ts (simd-gemm.ts with simd-pack.ts, simd-causal.ts, simd-norm.ts,
 * simd-rows.ts, simd-adamw.ts, simd-relu.ts, simd-add.ts) as one
 * WebAssembly module,
 * compiled once per process and instantiated once per WASM backend memory (each data-parallel
 * worker thread has its own backend, so its own memory and instance).
 */
import * as v8 from 'node:v8';
import { Module, V128 } from './simd-asm';
import { addCausal, CausalMaskFn, CausalSoftmaxGradFn } from './simd-causal';
import { addGemm, GemmFn, TransposeFn } from './simd-gemm';
import type { PackBFn } from './simd-pack';
import { addNorm, NormBwdFn, NormFwdFn } from './simd-norm';
import { addRows, GatherRowsFn, NegScaleRowsFn, RowMaxFn, ScatterAddRowsFn } from './simd-rows';
import { addAdamW, AdamWFn } from './simd-adamw';
import { addRelu, ReluFn, ReluGradFn } from './simd-relu';
import { addAdd, AddFn } from './simd-add';

export interface SimdKernels {
  gemm: GemmFn;
  packB: PackBFn;
  transpose: TransposeFn;
  causalMask: CausalMaskFn;
  causalSoftmaxGrad: CausalSoftmaxGradFn;
  normFwd: NormFwdFn;
  normBwd: NormBwdFn;
  rowMax: RowMaxFn;
  negScaleRows: NegScaleRowsFn;
  scatterAddRows: ScatterAddRowsFn;
  gatherRows: GatherRowsFn;
  adamw: AdamWFn;
  relu: ReluFn;
  reluGrad: ReluGradFn;
  add: AddFn;
  fma: boolean; // relaxed SIMD madd in use
}

/** The bits of the WebAssembly JS API used here (the project's TypeScript lib has no WebAssembly types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * Whether relaxed SIMD validates here. Node 20's V8 (11.3) implements it behind
 * --experimental-wasm-relaxed-simd (on by default from V8 11.4); the flag is set at run time, which
 * affects only modules compiled afterwards. `CMRP_WASM_FMA=0`: never (separate multiply and add).
 */
function relaxedSimd(): boolean {
  if (process.env.CMRP_WASM_FMA === '0') return false;
  const probe = new Module();
  probe.fn('t', [], [V128]).v128Zero().v128Zero().v128Zero().relaxedMadd();
  const bytes = probe.bytes();
  if (WA.validate(bytes)) return true;
  v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
  return WA.validate(bytes);
}

/** The module's bytes. */
export function simdModule(fma: boolean): Uint8Array {
  const m = new Module();
  addGemm(m, fma);
  addCausal(m);
  addNorm(m);
  addRows(m);
  addAdamW(m);
  addRelu(m);
  addAdd(m);
  return m.bytes();
}

let compiled: { module: object; fma: boolean } | null = null;
const instances = new WeakMap<WasmMemory, SimdKernels>();

/** The kernels bound to `memory`. */
export function simdKernels(memory: WasmMemory): SimdKernels {
  let k = instances.get(memory);
  if (!k) {
    if (!compiled) {
      const fma = relaxedSimd();
      compiled = { module: new WA.Module(simdModule(fma)), fma };
    }
    const ex = new WA.Instance(compiled.module, { env: { memory } }).exports;
    k = {
      gemm: ex.gemm as GemmFn,
      packB: ex.pack_b as PackBFn,
      transpose: ex.transpose as TransposeFn,
      causalMask: ex.causal_mask as CausalMaskFn,
      causalSoftmaxGrad: ex.causal_softmax_grad as CausalSoftmaxGradFn,
      normFwd: ex.norm_fwd as NormFwdFn,
      normBwd: ex.norm_bwd as NormBwdFn,
      rowMax: ex.row_max as RowMaxFn,
      negScaleRows: ex.neg_scale_rows as NegScaleRowsFn,
      scatterAddRows: ex.scatter_add_rows as ScatterAddRowsFn,
      gatherRows: ex.gather_rows as GatherRowsFn,
      adamw: ex.adamw as AdamWFn,
      relu: ex.relu as ReluFn,
      reluGrad: ex.relu_grad as ReluGradFn,
      add: ex.add as AddFn,
      fma: compiled.fma,
    };
    instances.set(memory, k);
  }
  return k;
}
