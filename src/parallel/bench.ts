/**
 * `cmrp bench` on several cores: the reference step and the base-config step with the batch's rows
 * split across data-parallel workers (pool.ts), timed like the one-worker steps in model/bench.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BASE_CONFIG } from '../model/config';
import { AdamW } from '../model/optim';
import { Transformer } from '../model/transformer';
import { baseBatch, BASE_BATCH, median, referenceSetup, REFERENCE_BATCH, TrainBatch } from '../model/bench';
import { Rng } from '../util/rng';
import { GradPool } from './pool';
import { ShardData } from './shard';

export interface ParallelBench {
  workers: number;
  reference_step_ms: number; // median wall-clock step at torch_tiny.py's shape
  train_step_ms: number; // base config
  train_tokens_per_s: number;
}

/** A bench batch as flat rows, every target counted. */
function shardData(b: TrainBatch): ShardData {
  const B = b.ids.length, T = b.ids[0].length;
  return { B, T, ids: Int32Array.from(b.ids.flat()), targets: Int32Array.from(b.targets.flat()), mask: new Float32Array(B * T).fill(1), modality: Int32Array.from(b.modality ? b.modality.flat() : new Array(B * T).fill(0)), tasks: new Array(B).fill('') };
}

/** Median wall-clock ms of `steps` data-parallel training steps (after 2 warm-up steps). */
async function timeParallel(model: Transformer, batch: TrainBatch, lr: number, steps: number, workers: number): Promise<number> {
  const pool = new GradPool(model, model.params, workers);
  const opt = new AdamW({ lr });
  const data = shardData(batch);
  const vars = model.variables();
  const wall: number[] = [];
  try {
    for (let s = 0; s < 2 + steps; s++) {
      const t0 = performance.now();
      const r = await pool.grads(data, true, false);
      tf.tidy(() => opt.step(vars.filter((v) => r.grads[v.name] !== undefined), r.grads)?.dispose());
      r.value.dataSync();
      tf.dispose([r.value, ...Object.values(r.grads)]);
      if (s >= 2) wall.push(performance.now() - t0);
    }
  } finally {
    await pool.dispose();
    opt.dispose();
    model.dispose();
  }
  return median(wall);
}

/** The reference step and the base-config training throughput with `workers` workers. */
export async function benchParallel(steps = 10, workers = 2, seed = 0): Promise<ParallelBench> {
  const ref = referenceSetup(seed);
  const refMs = await timeParallel(ref.model, ref.batch, REFERENCE_BATCH.lr, steps, workers);
  const base = new Transformer(BASE_CONFIG, seed);
  const baseMs = await timeParallel(base, baseBatch(new Rng(seed), base.config.vocab_size), 3e-4, steps, workers);
  return { workers, reference_step_ms: refMs, train_step_ms: baseMs, train_tokens_per_s: (BASE_BATCH.batch * BASE_BATCH.seq_len) / (baseMs / 1000) };
}
