/**
 * Speed of the transformer core on this machine: the training step of
 * /work/shared/bench/torch_tiny.py (same shape and optimizer), training and sampling throughput of
 * the "base" config, and peak memory; optionally the PyTorch reference run as a subprocess.
 *
 * Timings are medians over steps after warm-up (the machine may be shared: compare medians, and
 * read `load_avg`, the 1-minute load average before and after, to judge the noise).
 */
import * as tf from '@tensorflow/tfjs-core';
import * as os from 'node:os';
import { Rng } from '../util/rng';
import { BASE_CONFIG, MODALITY_IMAGE, MODALITY_TEXT, ModelConfigInput, REFERENCE_CONFIG } from './config';
import { AdamW, trainStep } from './optim';
import { torchPython, torchReference, TorchRun } from './bench-torch';
import { profileSteps, StepProfile } from './profile';
import { Transformer } from './transformer';
import { threadCpuMs } from '../util/thread-cpu';

/** torch_tiny.py's batch: 16 sequences of 64 tokens; Adam at lr 1e-3. */
export const REFERENCE_BATCH = { batch: 16, seq_len: 64, lr: 1e-3 };
/**
 * Base training batch: 8 sequences of 256 tokens, a text prefix then one image's 64 codes (the base
 * config puts image codes at grid positions, so a run of codes may not exceed image_tokens).
 */
export const BASE_BATCH = { batch: 8, seq_len: 256, text_vocab: 1024, image_from: 192 };
/** Sampling: 4 sequences, a 16-token prompt, 64 new tokens. */
export const SAMPLE_SETUP = { batch: 4, prompt_len: 16, new_tokens: 64 };
/**
 * Untimed steps before each measurement. V8 keeps compiling tfjs's JS on its helper threads over
 * the first ~10 steps (helper-thread CPU of a 2-worker base step: ~120 ms over the first 5, ~35 over
 * the next 5, ~16 after, idle), and a worker thread's isolate starts cold, so a short warm-up
 * measures the JIT rather than the step that a run of thousands of steps repeats.
 */
export const BENCH_WARMUP = 10;

export interface BenchOptions {
  steps?: number; // timed training steps per measurement (default 10), after `warmup` untimed ones
  warmup?: number; // untimed steps before each measurement (default BENCH_WARMUP)
  torch?: boolean; // also run torch_tiny.py with the project's PyTorch 2.x venv (bench-torch.ts), at 1 and 2 threads
  torchScript?: string; // default $CMRP_TORCH_BENCH, else shared/bench/torch_tiny.py in the nearest folder above this file that has one
  log?: (line: string) => void; // progress lines
  /** The same reference and base steps on several data-parallel workers (src/parallel/bench.ts; injected: model/ does not import parallel/). */
  parallel?: (steps: number, warmup: number) => Promise<{
    workers: number;
    reference_step_ms: number;
    train_step_ms: number;
    train_tokens_per_s: number;
    reference_step_ms_one: number; // one worker, timed in turns with the workers' steps
    train_step_ms_one: number;
    train_step_thread_cpu_ms_one: number | null;
    reference_cpu: ThreadCpu | null;
    train_cpu: ThreadCpu | null;
  }>;
}

/** Per-thread CPU ms of a data-parallel step (src/parallel/bench.ts): main thread, busiest worker thread, the larger per step. */
export interface ThreadCpu {
  main: number;
  worker: number;
  max: number;
}

export interface BenchResult {
  backend: string;
  tfjs: string;
  steps: number;
  warmup: number; // untimed steps before each measurement
  reference_step_ms: number; // median training step at torch_tiny.py's shape (wall clock)
  reference_step_cpu_ms: number; // the same in CPU time of this process
  train_step_ms: number; // median training step of the base config
  train_step_thread_cpu_ms?: number; // the same in CPU time of the thread that ran it (Linux)
  train_tokens_per_s: number;
  sample_tokens_per_s: number; // with the KV cache
  sample_tokens_per_s_no_cache: number; // re-running the whole prefix per token
  peak_rss_mb: number;
  torch_reference_step_ms?: number | null; // PyTorch 2.x, 1 thread
  torch_reference_step_ms_2threads?: number | null; // PyTorch 2.x, 2 threads
  ratio_to_torch?: number | null; // reference_step_ms / torch_reference_step_ms (1 core each)
  torch_note?: string; // why the torch numbers are missing, or torch's version
  workers?: number; // data-parallel workers of the *_workers figures
  reference_step_ms_workers?: number;
  train_step_ms_workers?: number;
  train_tokens_per_s_workers?: number;
  ratio_to_torch_2?: number | null; // reference_step_ms_workers / torch_reference_step_ms_2threads
  /**
   * CPU ms per thread of the workers' steps (Linux): main thread, busiest worker thread, and the
   * larger of the two per step, the wall time the step would take with a core per thread. Their
   * ratio to the one-worker thread CPU says how much of the wall-clock scaling the work itself
   * allows; the rest is threads waiting for a core (other jobs) or slowing each other down.
   */
  reference_step_thread_cpu_workers?: ThreadCpu;
  train_step_thread_cpu_workers?: ThreadCpu;
  train_cpu_scaling_workers?: number; // one worker's thread CPU (timed in turns) / train_step_thread_cpu_workers.max
  /**
   * The workers' speed-up by the wall clock: the one-worker step timed in turns with the workers'
   * step (A B B A ..., same window, same load) over the workers' step. train_tokens_per_s comes from
   * a one-worker run timed later, under whatever load came then.
   */
  reference_step_ms_one_in_turns?: number;
  train_step_ms_one_in_turns?: number;
  reference_speedup_workers?: number;
  train_speedup_workers?: number;
  base_params: number;
  load_avg: [number, number]; // 1-minute load average before and after
  setup: { reference: ModelConfigInput & typeof REFERENCE_BATCH; base: ModelConfigInput & typeof BASE_BATCH; sample: typeof SAMPLE_SETUP };
}

export function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function randomIds(rng: Rng, B: number, T: number, lo: number, hi: number): number[][] {
  return Array.from({ length: B }, () => Array.from({ length: T }, () => rng.int(lo, hi)));
}

export type TrainBatch = { ids: number[][]; targets: number[][]; modality?: number[][] };

/** One training step on a fixed batch, as a closure, and what frees its tensors. */
export function trainingStepper(model: Transformer, batch: TrainBatch, lr: number): { step: () => void; dispose: () => void } {
  const ids = tf.tensor2d(batch.ids, undefined, 'int32');
  const targets = tf.tensor2d(batch.targets, undefined, 'int32');
  const modality = batch.modality ? tf.tensor2d(batch.modality, undefined, 'int32') : undefined;
  const opt = new AdamW({ lr });
  const vars = model.variables();
  return {
    step: () => void trainStep(vars, opt, () => model.loss(ids, targets, { modality })),
    dispose: () => {
      tf.dispose([ids, targets, ...(modality ? [modality] : [])]);
      opt.dispose();
    },
  };
}

/**
 * Wall-clock and CPU milliseconds of `steps` training steps after `warmup` untimed ones. CPU time
 * (this process, all threads) is steadier than wall time when other jobs share the cores.
 */
function timeTraining(model: Transformer, batch: TrainBatch, lr: number, steps: number, warmup: number): { wall: number[]; cpu: number[]; threadCpu: number[] } {
  const t = trainingStepper(model, batch, lr);
  const wall: number[] = [], cpu: number[] = [], threadCpu: number[] = [];
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const t0 = performance.now(), c0 = process.cpuUsage(), tc0 = threadCpuMs();
      t.step();
      const c = process.cpuUsage(c0), tc1 = threadCpuMs();
      if (s >= warmup) {
        wall.push(performance.now() - t0);
        cpu.push((c.user + c.system) / 1000);
        if (tc0 !== null && tc1 !== null) threadCpu.push(tc1 - tc0);
      }
    }
  } finally {
    t.dispose();
  }
  return { wall, cpu, threadCpu };
}

/** The reference step's model and batch (torch_tiny.py's shapes). */
export function referenceSetup(seed = 0): { model: Transformer; batch: TrainBatch } {
  const model = new Transformer(REFERENCE_CONFIG, seed);
  const rng = new Rng(seed);
  const { batch: B, seq_len: T } = REFERENCE_BATCH;
  const V = model.config.vocab_size;
  return { model, batch: { ids: randomIds(rng, B, T, 0, V - 1), targets: randomIds(rng, B, T, 0, V - 1) } };
}

/** Per-kernel profiles of the reference step and the base-config step (see profile.ts). */
export function profileBench(steps = 5, seed = 0): { reference: StepProfile; base: StepProfile } {
  const run = (model: Transformer, batch: TrainBatch, lr: number) => {
    const t = trainingStepper(model, batch, lr);
    try {
      return profileSteps(t.step, steps);
    } finally {
      t.dispose();
      model.dispose();
    }
  };
  const ref = referenceSetup(seed);
  const reference = run(ref.model, ref.batch, REFERENCE_BATCH.lr);
  const base = new Transformer(BASE_CONFIG, seed);
  return { reference, base: run(base, baseBatch(new Rng(seed), base.config.vocab_size), 3e-4) };
}

/** Median wall and CPU ms of torch_tiny.py's step (dense, 2 layers, width 128, 16 x 64 tokens, Adam). */
export function benchReferenceStep(steps = 10, seed = 0, warmup = BENCH_WARMUP): { ms: number; cpu_ms: number } {
  const { model, batch } = referenceSetup(seed);
  try {
    const t = timeTraining(model, batch, REFERENCE_BATCH.lr, steps, warmup);
    return { ms: median(t.wall), cpu_ms: median(t.cpu) };
  } finally {
    model.dispose();
  }
}

/** A base-config batch: text tokens, then image codes (ids >= text_vocab, modality 1) from `image_from`. */
export function baseBatch(rng: Rng, vocab: number): { ids: number[][]; targets: number[][]; modality: number[][] } {
  const { batch: B, seq_len: T, text_vocab, image_from } = BASE_BATCH;
  const seqs = Array.from({ length: B }, () => Array.from({ length: T + 1 }, (_, t) => (t < image_from ? rng.int(0, text_vocab - 1) : rng.int(text_vocab, vocab - 1))));
  return {
    ids: seqs.map((s) => s.slice(0, T)),
    targets: seqs.map((s) => s.slice(1)),
    modality: seqs.map((s) => s.slice(0, T).map((id) => (id >= text_vocab ? MODALITY_IMAGE : MODALITY_TEXT))),
  };
}

/** Base config (MoT, mixed text/image batch) training: median step ms and tokens per second. */
export function benchBaseTraining(steps = 10, seed = 0, warmup = BENCH_WARMUP): { step_ms: number; tokens_per_s: number; params: number; thread_cpu_ms: number | null } {
  const model = new Transformer(BASE_CONFIG, seed);
  try {
    const t = timeTraining(model, baseBatch(new Rng(seed), model.config.vocab_size), 3e-4, steps, warmup);
    const ms = median(t.wall);
    return { step_ms: ms, tokens_per_s: (BASE_BATCH.batch * BASE_BATCH.seq_len) / (ms / 1000), params: model.numParams(), thread_cpu_ms: t.threadCpu.length ? median(t.threadCpu) : null };
  } finally {
    model.dispose();
  }
}

/** Sampling tokens per second with and without the KV cache (base config, text prompts). */
export function benchSampling(seed = 0): { cached: number; uncached: number } {
  const model = new Transformer(BASE_CONFIG, seed);
  const { batch, prompt_len, new_tokens } = SAMPLE_SETUP;
  const prompts = randomIds(new Rng(seed), batch, prompt_len, 0, BASE_BATCH.text_vocab - 1);
  const rate = (useCache: boolean) => {
    model.generate(prompts, 4, { rng: new Rng(1), useCache }); // warm-up
    const t0 = performance.now();
    model.generate(prompts, new_tokens, { rng: new Rng(1), useCache });
    return (batch * new_tokens) / ((performance.now() - t0) / 1000);
  };
  try {
    return { cached: rate(true), uncached: rate(false) };
  } finally {
    model.dispose();
  }
}

/** Everything `cmrp bench` reports. The backend must already be initialized. */
export async function runBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const steps = opts.steps ?? 10;
  const warmup = opts.warmup ?? BENCH_WARMUP;
  const log = opts.log ?? (() => {});
  const load0 = os.loadavg()[0];
  log(`reference step (torch_tiny.py shape), ${steps} steps...`);
  const ref = benchReferenceStep(steps, 0, warmup);
  // right after our reference step, so that both see about the same load
  // (and the 2-thread run right after our 2-worker step)
  let torch: TorchRun[] | null = null, torchNote = '', torchPy: string | null = null;
  if (opts.torch) {
    log('PyTorch 2.x environment (.cache/venv-torch)...');
    const py = torchPython(log);
    if (py.python === null) torchNote = py.note;
    else {
      torchPy = py.python;
      log('PyTorch reference (torch_tiny.py), 1 thread...');
      torch = [torchReference(py.python, 1, opts.torchScript)];
    }
  }
  let par: Awaited<ReturnType<NonNullable<BenchOptions['parallel']>>> | null = null;
  if (opts.parallel) {
    log(`reference and base steps on data-parallel workers, ${steps} steps each...`);
    par = await opts.parallel(steps, warmup);
  }
  let torch2: TorchRun | null = null;
  if (torch) {
    log('PyTorch reference (torch_tiny.py), 2 threads...');
    torch2 = torchReference(torchPy!, 2, opts.torchScript);
    torchNote = [...new Set([...torch, torch2].map((t) => (t.ms === null ? t.note : `torch ${t.version}`)))].join('; ');
  }
  log(`base config training, ${steps} steps...`);
  const base = benchBaseTraining(steps, 0, warmup);
  log('sampling with and without the KV cache...');
  const sample = benchSampling();
  const result: BenchResult = {
    backend: tf.getBackend(),
    tfjs: tf.version_core,
    steps,
    warmup,
    reference_step_ms: round(ref.ms),
    reference_step_cpu_ms: round(ref.cpu_ms),
    train_step_ms: round(base.step_ms),
    train_tokens_per_s: Math.round(base.tokens_per_s),
    ...(base.thread_cpu_ms !== null ? { train_step_thread_cpu_ms: round(base.thread_cpu_ms) } : {}),
    sample_tokens_per_s: round(sample.cached),
    sample_tokens_per_s_no_cache: round(sample.uncached),
    peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    base_params: base.params,
    load_avg: [round(load0), round(os.loadavg()[0])],
    setup: { reference: { ...REFERENCE_CONFIG, ...REFERENCE_BATCH }, base: { ...BASE_CONFIG, ...BASE_BATCH }, sample: SAMPLE_SETUP },
  };
  if (opts.torch) {
    const t1 = torch?.[0].ms ?? null;
    result.torch_reference_step_ms = t1;
    result.torch_reference_step_ms_2threads = torch2?.ms ?? null;
    result.ratio_to_torch = t1 ? round(ref.ms / t1, 2) : null;
    result.torch_note = torchNote;
  }
  if (par) {
    result.workers = par.workers;
    result.reference_step_ms_workers = round(par.reference_step_ms);
    result.train_step_ms_workers = round(par.train_step_ms);
    result.train_tokens_per_s_workers = Math.round(par.train_tokens_per_s);
    if (opts.torch) result.ratio_to_torch_2 = torch2?.ms ? round(par.reference_step_ms / torch2.ms, 2) : null;
    result.reference_step_ms_one_in_turns = round(par.reference_step_ms_one);
    result.train_step_ms_one_in_turns = round(par.train_step_ms_one);
    result.reference_speedup_workers = round(par.reference_step_ms_one / par.reference_step_ms, 2);
    result.train_speedup_workers = round(par.train_step_ms_one / par.train_step_ms, 2);
    const r1 = (c: ThreadCpu): ThreadCpu => ({ main: round(c.main), worker: round(c.worker), max: round(c.max) });
    if (par.reference_cpu) result.reference_step_thread_cpu_workers = r1(par.reference_cpu);
    if (par.train_cpu) {
      result.train_step_thread_cpu_workers = r1(par.train_cpu);
      const oneCpu = par.train_step_thread_cpu_ms_one ?? base.thread_cpu_ms;
      if (oneCpu !== null) result.train_cpu_scaling_workers = round(oneCpu / par.train_cpu.max, 2);
    }
  }
  return result;
}

/** A readable table of a BenchResult. */
export function formatBench(r: BenchResult): string {
  const rows: [string, string][] = [
    ['backend', `${r.backend} (tfjs ${r.tfjs})`],
    ['steps per measurement', `median of ${r.steps} after ${r.warmup} untimed`],
    ['reference step (torch_tiny.py shape)', `${r.reference_step_ms.toFixed(1)} ms (CPU ${r.reference_step_cpu_ms.toFixed(1)} ms)`],
  ];
  if (r.torch_note !== undefined) {
    const ms = (x: number | null | undefined) => (x ? `${x.toFixed(1)} ms` : 'unavailable');
    if (!r.torch_reference_step_ms && !r.torch_reference_step_ms_2threads) rows.push(['PyTorch eager reference step', `unavailable: ${r.torch_note}`]);
    else {
      rows.push(['PyTorch eager reference step, 1 / 2 threads', `${ms(r.torch_reference_step_ms)} / ${ms(r.torch_reference_step_ms_2threads)} (${r.torch_note})`]);
      if (r.ratio_to_torch) rows.push(['ratio to PyTorch, 1 core (ours / torch)', `${r.ratio_to_torch.toFixed(2)}x`]);
    }
  }
  if (r.workers) {
    rows.push([`reference step, ${r.workers} workers`, `${r.reference_step_ms_workers!.toFixed(1)} ms`]);
    if (r.ratio_to_torch_2) rows.push([`ratio to PyTorch, ${r.workers} workers / 2 threads`, `${r.ratio_to_torch_2.toFixed(2)}x`]);
  }
  const b = r.setup.base, s = r.setup.sample;
  rows.push(
    [`base train step (${b.n_layer}L x ${b.n_embd}, MoT, ${b.batch} x ${b.seq_len})`, `${r.train_step_ms.toFixed(1)} ms`],
    ['base train throughput', `${r.train_tokens_per_s} tokens/s`],
    ...(r.workers ? ([[`base train throughput, ${r.workers} workers`, `${r.train_tokens_per_s_workers} tokens/s (${(r.train_tokens_per_s_workers! / r.train_tokens_per_s).toFixed(2)}x one worker)`]] as [string, string][]) : []),
    ...(r.workers && r.train_speedup_workers
      ? ([[`base train step, 1 / ${r.workers} workers in turns`, `${r.train_step_ms_one_in_turns!.toFixed(1)} ms / ${r.train_step_ms_workers!.toFixed(1)} ms (${r.train_speedup_workers.toFixed(2)}x; reference step ${r.reference_speedup_workers!.toFixed(2)}x)`]] as [string, string][])
      : []),
    ...(r.train_step_thread_cpu_workers && r.train_cpu_scaling_workers
      ? ([[`base train step, CPU per thread, ${r.workers} workers`, `main ${r.train_step_thread_cpu_workers.main.toFixed(1)} ms, busiest worker ${r.train_step_thread_cpu_workers.worker.toFixed(1)} ms (${r.train_cpu_scaling_workers.toFixed(2)}x one worker's, with a core per thread)`]] as [string, string][])
      : []),
    [`sampling, KV cache (${s.batch} x ${s.new_tokens} new)`, `${r.sample_tokens_per_s.toFixed(1)} tokens/s`],
    ['sampling, no cache', `${r.sample_tokens_per_s_no_cache.toFixed(1)} tokens/s`],
    ['peak RSS', `${r.peak_rss_mb} MB`],
    ['load average (1 min, before/after)', `${r.load_avg[0]} / ${r.load_avg[1]}`],
  );
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
