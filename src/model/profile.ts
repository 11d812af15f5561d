/**
 * Per-kernel profile of a training step (`cmrp bench --profile`): every kernel registered for the
 * active backend is wrapped for the duration of the profile and timed in wall-clock and in CPU time
 * of this process (steadier than wall time when other jobs share the cores). Only the outermost
 * kernel call is counted (a JS kernel calling WASM's Softmax counts once, as itself); the step's
 * time outside any kernel (tfjs engine bookkeeping, tapes, JS glue) is its own row.
 */
import * as tf from '@tensorflow/tfjs-core';

export interface ProfileRow {
  op: string; // kernel name, `BatchMatMul [M,K]x[K,N]` (or CmrpMatMul, T for a transposed operand) for matMuls, or `(outside kernels)`
  calls: number; // per step
  ms: number; // wall-clock per step
  cpu_ms: number; // CPU time per step
}

export interface StepProfile {
  steps: number;
  step_ms: number; // wall-clock per step, while profiled
  step_cpu_ms: number;
  rows: ProfileRow[]; // by CPU time, largest first
}

/** Kernel name plus the shapes that tell the matMuls apart. */
function opKey(name: string, inputs: tf.NamedTensorInfoMap, attrs: tf.NamedAttrMap | undefined): string {
  if (name !== 'BatchMatMul' && name !== 'CmrpMatMul') return name;
  const { a, b } = inputs;
  const ta = attrs?.transposeA ? 'T' : '', tb = attrs?.transposeB ? 'T' : '';
  return `${name} [${a?.shape}]${ta}x[${b?.shape}]${tb}`;
}

/** Time `steps` calls of `step` (after `warmup` untimed ones), kernel by kernel. */
export function profileSteps(step: () => void, steps = 5, warmup = 2): StepProfile {
  for (let i = 0; i < warmup; i++) step();
  const backend = tf.getBackend();
  const acc = new Map<string, { calls: number; ms: number; cpu: number }>();
  let depth = 0;
  const patched: { k: tf.KernelConfig; f: tf.KernelFunc }[] = [];
  for (const k of tf.getKernelsForBackend(backend)) {
    const f = k.kernelFunc;
    patched.push({ k, f });
    (k as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      if (depth > 0) return f(args);
      depth++;
      const t0 = performance.now(), c0 = process.cpuUsage();
      try {
        return f(args);
      } finally {
        const c = process.cpuUsage(c0);
        depth--;
        const key = opKey(k.kernelName, args.inputs, args.attrs);
        const a = acc.get(key) ?? { calls: 0, ms: 0, cpu: 0 };
        a.calls++;
        a.ms += performance.now() - t0;
        a.cpu += (c.user + c.system) / 1000;
        acc.set(key, a);
      }
    };
  }
  let wall = 0, cpu = 0;
  try {
    const t0 = performance.now(), c0 = process.cpuUsage();
    for (let i = 0; i < steps; i++) step();
    const c = process.cpuUsage(c0);
    wall = performance.now() - t0;
    cpu = (c.user + c.system) / 1000;
  } finally {
    for (const { k, f } of patched) (k as { kernelFunc: tf.KernelFunc }).kernelFunc = f;
  }
  const rows: ProfileRow[] = [...acc].map(([op, a]) => ({ op, calls: a.calls / steps, ms: a.ms / steps, cpu_ms: a.cpu / steps }));
  const inK = rows.reduce((s, r) => s + r.ms, 0), inKc = rows.reduce((s, r) => s + r.cpu_ms, 0);
  rows.push({ op: '(outside kernels)', calls: 0, ms: Math.max(0, wall / steps - inK), cpu_ms: Math.max(0, cpu / steps - inKc) });
  rows.sort((x, y) => y.cpu_ms - x.cpu_ms);
  return { steps, step_ms: wall / steps, step_cpu_ms: cpu / steps, rows };
}

/** The profile as a table: op, calls, wall ms, CPU ms and share of the step's CPU time. */
export function formatProfile(title: string, p: StepProfile, top = 25): string {
  const shown = p.rows.slice(0, top);
  const rest = p.rows.slice(top);
  if (rest.length) shown.push({ op: `(${rest.length} other ops)`, calls: rest.reduce((s, r) => s + r.calls, 0), ms: rest.reduce((s, r) => s + r.ms, 0), cpu_ms: rest.reduce((s, r) => s + r.cpu_ms, 0) });
  const w = Math.max(2, ...shown.map((r) => r.op.length));
  const lines = [
    `${title}: ${p.step_ms.toFixed(1)} ms per step (CPU ${p.step_cpu_ms.toFixed(1)} ms), ${p.steps} profiled steps`,
    `${'op'.padEnd(w)}  ${'calls'.padStart(6)}  ${'ms'.padStart(8)}  ${'cpu ms'.padStart(8)}  ${'cpu %'.padStart(6)}`,
    ...shown.map((r) => `${r.op.padEnd(w)}  ${(r.calls ? r.calls.toFixed(0) : '').padStart(6)}  ${r.ms.toFixed(2).padStart(8)}  ${r.cpu_ms.toFixed(2).padStart(8)}  ${((100 * r.cpu_ms) / (p.step_cpu_ms || 1)).toFixed(1).padStart(6)}`),
  ];
  return lines.join('\n');
}
