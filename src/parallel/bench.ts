/**
 * `cmrp bench` on several cores: the reference step and the base-config step with the batch's rows
 * split across data-parallel workers (pool.ts), timed like the one-worker steps in model/bench.ts.
 *
 * The one-worker step is timed again here, in turns with the workers' step (A B B A ...), on a
 * second copy of the model: on a shared machine the load moves within seconds, and a ratio of two
 * medians taken a minute apart (model/bench.ts times its one-worker base step last) measured the
 * load as much as the workers. Per-thread CPU time (util/thread-cpu.ts) says what the work itself
 * allows whatever the load: the main thread's share (with the gradient sum and the optimizer) and
 * the busiest worker thread's, against the one-worker step's thread.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BASE_CONFIG, ModelConfigInput, REFERENCE_CONFIG } from '../model/config';
import { AdamW } from '../model/optim';
import { Transformer } from '../model/transformer';
import { baseBatch, BASE_BATCH, BENCH_WARMUP, median, referenceSetup, REFERENCE_BATCH, TrainBatch, trainingStepper } from '../model/bench';
import { Rng } from '../util/rng';
import { threadCpuMs } from '../util/thread-cpu';
import { GradPool } from './pool';
import { ShardData } from './shard';

export interface ParallelBench {
  workers: number;
  reference_step_ms: number; // median wall-clock step at torch_tiny.py's shape
  train_step_ms: number; // base config
  train_tokens_per_s: number;
  /** The one-worker steps timed in turns with the workers' steps (wall ms; thread CPU ms where the OS tells). */
  reference_step_ms_one: number;
  train_step_ms_one: number;
  train_step_thread_cpu_ms_one: number | null;
  /**
   * Per thread CPU ms of a workers' step (medians; null where the OS does not tell): `main` the main
   * thread's (its share, the sum of the gradients, the optimizer), `worker` the busiest worker
   * thread's, `max` the larger of the two per step: the step's wall time if every thread had a core.
   */
  reference_cpu: ThreadCpu | null;
  train_cpu: ThreadCpu | null;
}

export interface ThreadCpu {
  main: number;
  worker: number;
  max: number;
}

/** A bench batch as flat rows, every target counted. */
function shardData(b: TrainBatch): ShardData {
  const B = b.ids.length, T = b.ids[0].length;
  return { B, T, ids: Int32Array.from(b.ids.flat()), targets: Int32Array.from(b.targets.flat()), mask: new Float32Array(B * T).fill(1), modality: Int32Array.from(b.modality ? b.modality.flat() : new Array(B * T).fill(0)), tasks: new Array(B).fill('') };
}

interface Timed {
  ms: number; // workers' step, median wall
  cpu: ThreadCpu | null;
  oneMs: number; // one-worker step, median wall
  oneCpu: number | null; // its thread's CPU
}

/**
 * `steps` data-parallel training steps of `model` and as many one-worker steps of a fresh copy
 * (`config`, `seed`), in turns A B B A A B ... after `warmup` untimed steps of each: medians.
 */
async function timeInTurns(model: Transformer, config: ModelConfigInput, seed: number, batch: TrainBatch, lr: number, steps: number, workers: number, warmup: number): Promise<Timed> {
  const pool = new GradPool(model, model.params, workers);
  const opt = new AdamW({ lr });
  const data = shardData(batch);
  const vars = model.variables();
  const single = new Transformer(config, seed);
  const one = trainingStepper(single, batch, lr);
  const wall: number[] = [], main: number[] = [], worker: number[] = [], max: number[] = [];
  const oneWall: number[] = [], oneCpu: number[] = [];
  const parallelStep = async (timed: boolean) => {
    const t0 = performance.now(), c0 = threadCpuMs();
    const r = await pool.grads(data, true, false);
    tf.tidy(() => opt.step(vars.filter((v) => r.grads[v.name] !== undefined), r.grads)?.dispose());
    r.value.dataSync();
    tf.dispose([r.value, ...Object.values(r.grads)]);
    const c1 = threadCpuMs();
    if (!timed) return;
    wall.push(performance.now() - t0);
    const w = pool.lastWorkerCpuMs;
    if (c0 !== null && c1 !== null && w.every((x) => x !== null)) {
      main.push(c1 - c0);
      worker.push(Math.max(0, ...(w as number[])));
      max.push(Math.max(c1 - c0, ...(w as number[])));
    }
  };
  const oneStep = (timed: boolean) => {
    const t0 = performance.now(), c0 = threadCpuMs();
    one.step();
    const c1 = threadCpuMs();
    if (!timed) return;
    oneWall.push(performance.now() - t0);
    if (c0 !== null && c1 !== null) oneCpu.push(c1 - c0);
  };
  try {
    for (let s = 0; s < warmup + steps; s++) {
      const timed = s >= warmup;
      // A B, B A, A B, ...: drift in the load falls on both sides alike
      if (s % 2 === 0) {
        await parallelStep(timed);
        oneStep(timed);
      } else {
        oneStep(timed);
        await parallelStep(timed);
      }
    }
  } finally {
    await pool.dispose();
    opt.dispose();
    one.dispose();
    single.dispose();
    model.dispose();
  }
  return {
    ms: median(wall),
    cpu: max.length === wall.length ? { main: median(main), worker: median(worker), max: median(max) } : null,
    oneMs: median(oneWall),
    oneCpu: oneCpu.length === oneWall.length ? median(oneCpu) : null,
  };
}

/** The reference step and the base-config training throughput with `workers` workers, each in turns with one worker. */
export async function benchParallel(steps = 10, workers = 2, seed = 0, warmup = BENCH_WARMUP): Promise<ParallelBench> {
  const ref = referenceSetup(seed);
  const r = await timeInTurns(ref.model, REFERENCE_CONFIG, seed, ref.batch, REFERENCE_BATCH.lr, steps, workers, warmup);
  const base = new Transformer(BASE_CONFIG, seed);
  const b = await timeInTurns(base, BASE_CONFIG, seed, baseBatch(new Rng(seed), base.config.vocab_size), 3e-4, steps, workers, warmup);
  return {
    workers,
    reference_step_ms: r.ms,
    train_step_ms: b.ms,
    train_tokens_per_s: (BASE_BATCH.batch * BASE_BATCH.seq_len) / (b.ms / 1000),
    reference_step_ms_one: r.oneMs,
    train_step_ms_one: b.oneMs,
    train_step_thread_cpu_ms_one: b.oneCpu,
    reference_cpu: r.cpu,
    train_cpu: b.cpu,
  };
}
