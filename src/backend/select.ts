/**
 * Compute backend chosen at run time. Order of preference:
 *   tensorflow-gpu (@tensorflow/tfjs-node-gpu, when it installed and a CUDA device loads)
 *   tensorflow     (@tensorflow/tfjs-node, native libtensorflow on the CPU)
 *   wasm           (@tensorflow/tfjs-backend-wasm: the workhorse on machines without libtensorflow)
 *   cpu            (@tensorflow/tfjs-backend-cpu: pure JS, always there, slowest)
 * `CMRP_BACKEND=<name>` forces one; forcing one that cannot load is an error, not a silent fallback.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../util/errors';
import { registerKernels } from './kernels';
import { shareIdentityOnWasm } from './wasm-identity';

export const BACKEND_NAMES = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

export interface BackendInfo {
  name: BackendName;
  /** tfjs's own name for the backend that is now active (`tensorflow`, `wasm`, `cpu`). */
  tfjsBackend: string;
  /** Why the earlier candidates were passed over, one line each. */
  skipped: string[];
}

/** A candidate loader: registers its tfjs backend and resolves to its tfjs name, or throws why not. */
export type BackendLoader = () => Promise<string>;

function requireNative(pkg: string): void {
  // danfojs-node's override installs pure-JS @tensorflow/tfjs under the name @tensorflow/tfjs-node;
  // only the real package (with its native binding) counts as the `tensorflow` backend.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const meta = require(`${pkg}/package.json`) as { name?: string };
  if (meta.name !== pkg) throw new Error(`${pkg} resolves to ${meta.name ?? 'an unnamed package'}, not the native binding`);
  require(pkg);
}

/**
 * tfjs-node-gpu loads (and computes) on machines without a usable CUDA device, running on the CPU;
 * its binding says which (`isUsingGpuDevice` on the tfjs-node backend). Throws why not a GPU, so the
 * selection moves on to the next backend and prints the reason.
 */
export function checkGpuDevice(backend: unknown): void {
  const b = backend as { isUsingGpuDevice?: unknown } | null;
  if (!b || typeof b.isUsingGpuDevice !== 'boolean') throw new Error('the tensorflow binding does not report its device (no isUsingGpuDevice)');
  if (!b.isUsingGpuDevice) throw new Error('@tensorflow/tfjs-node-gpu loaded, but its binding reports no GPU device (it would run on the CPU)');
}

export const DEFAULT_LOADERS: Record<BackendName, BackendLoader> = {
  'tensorflow-gpu': async () => {
    requireNative('@tensorflow/tfjs-node-gpu');
    await setAndCheck('tensorflow');
    checkGpuDevice(tf.backend());
    return 'tensorflow';
  },
  tensorflow: async () => {
    requireNative('@tensorflow/tfjs-node');
    await setAndCheck('tensorflow');
    return 'tensorflow';
  },
  wasm: async () => {
    require('@tensorflow/tfjs-backend-wasm');
    shareIdentityOnWasm();
    await setAndCheck('wasm');
    return 'wasm';
  },
  cpu: async () => {
    require('@tensorflow/tfjs-backend-cpu');
    // PROD mode silences the "install tfjs-node" banner the CPU backend prints on first use
    tf.env().set('PROD', true);
    await setAndCheck('cpu');
    return 'cpu';
  },
};

async function setAndCheck(name: string): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') failed`);
  await tf.ready();
  // one tiny op proves the backend computes, not just registers
  const v = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0]);
  if (v !== 3) throw new Error(`backend ${name} computed 1+2=${v}`);
}

let active: BackendInfo | null = null;

/**
 * Pick and activate a backend (once per process; later calls return the same answer).
 * `forced` defaults to the CMRP_BACKEND environment variable.
 */
export async function initBackend(
  opts: { forced?: string; loaders?: Record<BackendName, BackendLoader>; reset?: boolean } = {},
): Promise<BackendInfo> {
  if (active && !opts.reset) return active;
  // tfjs-core alone registers no gradients (only the @tensorflow/tfjs union does); ours and the
  // missing WASM kernels go in before anything trains
  registerKernels();
  const loaders = opts.loaders ?? DEFAULT_LOADERS;
  const forced = (opts.forced ?? process.env.CMRP_BACKEND ?? '').trim();
  const skipped: string[] = [];
  if (forced) {
    if (!(BACKEND_NAMES as readonly string[]).includes(forced)) {
      throw new UserError(`CMRP_BACKEND=${forced} is not a backend; expected one of ${BACKEND_NAMES.join(', ')}`);
    }
    const name = forced as BackendName;
    try {
      active = { name, tfjsBackend: await loaders[name](), skipped };
      return active;
    } catch (err) {
      throw new UserError(`CMRP_BACKEND=${name} was forced but cannot load: ${firstLine(err)}`);
    }
  }
  for (const name of BACKEND_NAMES) {
    try {
      active = { name, tfjsBackend: await loaders[name](), skipped };
      return active;
    } catch (err) {
      skipped.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new Error(`no compute backend could load:\n  ${skipped.join('\n  ')}`);
}

/** One line for logs and notebooks: `backend: wasm (tfjs 4.22.0; skipped tensorflow-gpu, tensorflow)`. */
export function describeBackend(info: BackendInfo): string {
  const skipped = info.skipped.map((s) => s.split(':')[0]);
  return `backend: ${info.name} (tfjs ${tf.version_core}${skipped.length ? `; unavailable: ${skipped.join(', ')}` : ''})`;
}

function firstLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].slice(0, 200);
}
