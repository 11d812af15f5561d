/**
 * JS kernels on the WASM heap: typed views of the heap, tensor offsets, output allocation, the
 * project's SIMD kernels (simd-module.ts) and a matMul on them, and a registration helper. Used by
 * kernels.ts and the wasm-*.ts kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { packAFloats, packFloats } from './simd-gemm';
import { simdKernels, SimdKernels, WasmMemory } from './simd-module';

/** Heap access for one kernel call: typed views, offsets, allocation, the SIMD kernels. */
export class Heap {
  private buf: ArrayBufferLike | null = null;
  private view = new Float32Array(0);
  constructor(readonly be: BackendWasm) {}

  /**
   * Float32 view of the whole WASM heap. Any allocation may grow the heap and replace its
   * buffer, so call this again after `alloc` or `mm` rather than keeping the view.
   */
  f32(): Float32Array {
    const buf = (this.be.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer; // present at run time, absent from the .d.ts
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new Float32Array(buf);
    }
    return this.view;
  }
  i32(): Int32Array {
    return new Int32Array(this.f32().buffer);
  }
  /** The SIMD kernels of simd-module.ts (GEMM, transpose, causal attention passes) on this backend's memory. */
  get k(): SimdKernels {
    return simdKernels((this.be.wasm as unknown as { asm: { memory: WasmMemory } }).asm.memory);
  }
  /** Byte address of a tensor's first element (what the simd-gemm.ts kernels take). */
  addr(t: tf.TensorInfo): number {
    return this.be.dataIdMap.get(t.dataId)!.memoryOffset;
  }
  /**
   * op(a) @ op(b) for 2-D float32 a, b into a new tensor, op = transpose where asked, with the
   * SIMD GEMM of simd-gemm.ts. Both operands are packed block by block (A in groups of rows, B in
   * panels of 8 columns), a transposed one straight from where it lies; only a transposed b whose
   * columns are not a multiple of 8 is first copied (the remainder kernels read B by rows).
   */
  mm(a: tf.TensorInfo, b: tf.TensorInfo, transposeA = false, transposeB = false): tf.TensorInfo {
    const [M, K] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
    const N = transposeB ? b.shape[0] : b.shape[1];
    if ((transposeB ? b.shape[1] : b.shape[0]) !== K) throw new Error(`mm: [${a.shape}]${transposeA ? 'T' : ''} x [${b.shape}]${transposeB ? 'T' : ''} do not fit`);
    const out = this.alloc([M, N]);
    const scratch: tf.TensorInfo[] = [];
    let bb = b;
    const packBt = transposeB && N % 8 === 0;
    if (transposeB && !packBt) {
      bb = this.alloc([K, N]);
      scratch.push(bb);
      this.k.transpose(this.addr(b), 4 * K, this.addr(bb), 4 * N, N, K);
    }
    // A(i, k) at a + i*ars + k*aks: a [M, K] row-major, or a [K, M] read transposed
    const [ars, aks] = transposeA ? [4, 4 * M] : [4 * K, 4];
    const pa = this.alloc([packAFloats(M, K)]);
    const pk = this.alloc([packFloats(N, K)]);
    scratch.push(pk, pa);
    this.k.gemm(this.addr(a), ars, aks, this.addr(bb), packBt ? 4 * K : 4 * N, this.addr(out), 4 * N, M, N, K, 0, this.addr(pk), this.addr(pa), packBt ? 1 : 0);
    this.free(...scratch);
    return out;
  }
  /** Index of a tensor's first element in `f32()`. */
  at(t: tf.TensorInfo): number {
    return this.be.dataIdMap.get(t.dataId)!.memoryOffset >>> 2;
  }
  alloc(shape: number[], dtype: tf.DataType = 'float32'): tf.TensorInfo {
    return this.be.makeOutput(shape, dtype);
  }
  free(...ts: tf.TensorInfo[]): void {
    for (const t of ts) this.be.disposeData(t.dataId);
  }
}

/** A JS kernel for the WASM backend. */
export function wasmKernel(kernelName: string, f: (h: Heap, inputs: Record<string, tf.TensorInfo>, attrs: tf.NamedAttrMap) => tf.TensorInfo | tf.TensorInfo[]): tf.KernelConfig {
  return {
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => f(new Heap(backend as BackendWasm), inputs as Record<string, tf.TensorInfo>, attrs ?? {}),
  };
}

/** Call another registered WASM kernel directly (no engine bookkeeping, no tape). */
export function callWasm(name: string, backend: BackendWasm, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap = {}): tf.TensorInfo {
  return tf.getKernel(name, 'wasm').kernelFunc({ inputs, backend, attrs }) as tf.TensorInfo;
}

/**
 * A float32 tensor's values without a copy where they live on the WASM heap (a view, valid until
 * the next allocation may grow the heap: read it at once), else `dataSync()`. The data-parallel pool
 * copies every weight and gradient through its shared buffers each step; `dataSync()` copies them
 * into fresh JS arrays first (7.5 MB a step each way at the base config), whose garbage kept V8's
 * helper threads busy for ~33 ms of CPU a step on the 2 cores the workers compute on.
 */
export function f32Values(t: tf.Tensor): Float32Array {
  if (t.dtype === 'float32' && tf.getBackend() === 'wasm') {
    const be = tf.backend() as BackendWasm;
    const d = be.dataIdMap.get(t.dataId);
    if (d && d.memoryOffset != null) return new Float32Array((be.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer, d.memoryOffset, t.size);
  }
  return t.dataSync() as Float32Array;
}
