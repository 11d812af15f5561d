/**
 * Data-parallel shards of a language-model batch, and the objective each worker differentiates.
 *
 * The batch's loss is the mean cross-entropy over its target tokens (mask = 1). A shard of rows
 * computes its own masked mean and weighs it by its share of the batch's target tokens, so the
 * shards' weighted losses, and so their gradients, add up to exactly the whole batch's (up to
 * float summation order). Mixed-task batches also report each task's (sum, count) for the logs.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '../model/transformer';
import { maskedCrossEntropy } from '../model/ops';
import type { TokenRows } from '../model/token-rows';

/**
 * Token rows with each row's task: what training packs (train/encode.ts's Batch, with its tasks
 * named) and what a worker gets a shard of.
 */
export interface ShardData<TaskName extends string = string> extends TokenRows {
  /** Each row's task (for mixed batches). */
  tasks: TaskName[];
}

/** Row ranges [start, end) splitting `rows` into at most `n` nearly equal non-empty parts. */
export function splitRows(rows: number, n: number): [number, number][] {
  const k = Math.max(1, Math.min(n, rows));
  const out: [number, number][] = [];
  for (let i = 0, start = 0; i < k; i++) {
    const size = Math.floor(rows / k) + (i < rows % k ? 1 : 0);
    out.push([start, start + size]);
    start += size;
  }
  return out;
}

/** Rows [start, end) of a batch. */
export function sliceRows(b: ShardData, [start, end]: [number, number]): ShardData {
  const a = start * b.T, z = end * b.T;
  return { B: end - start, T: b.T, ids: b.ids.slice(a, z), targets: b.targets.slice(a, z), mask: b.mask.slice(a, z), modality: b.modality.slice(a, z), tasks: b.tasks.slice(start, end) };
}

export function countTargets(mask: Float32Array): number {
  let n = 0;
  for (const m of mask) n += m;
  return n;
}

/** Per task of a shard: the sum of its token losses (a scalar tensor) and its target-token count. */
export interface TaskTerm {
  task: string;
  sum: tf.Scalar;
  count: number;
}

/**
 * The shard's loss weighted by its share of the batch's `totalTargets` (call inside
 * tf.variableGrads). With `perTask`, one forward pass also gives each task's token-loss sum,
 * pushed to `terms` (kept tensors the caller disposes).
 */
export function shardLoss(model: Transformer, s: ShardData, totalTargets: number, training: boolean, perTask: boolean, terms: TaskTerm[]): tf.Scalar {
  const ids = tf.tensor2d(s.ids, [s.B, s.T], 'int32');
  const targets = tf.tensor2d(s.targets, [s.B, s.T], 'int32');
  const mask = tf.tensor2d(s.mask, [s.B, s.T], 'float32');
  const modality = tf.tensor2d(s.modality, [s.B, s.T], 'int32');
  const n = countTargets(s.mask);
  const weight = n / Math.max(totalTargets, 1);
  if (!perTask) return tf.mul(model.loss(ids, targets, { mask, modality, training }), weight);
  const logits = model.forward(ids, modality, { training });
  for (const task of [...new Set(s.tasks)]) {
    const m = new Float32Array(s.mask.length);
    s.tasks.forEach((t, row) => {
      if (t === task) for (let i = row * s.T; i < (row + 1) * s.T; i++) m[i] = s.mask[i];
    });
    const count = countTargets(m);
    if (count === 0) continue;
    const mean = maskedCrossEntropy(logits, targets, tf.tensor2d(m, [s.B, s.T]));
    terms.push({ task, sum: tf.keep(tf.mul(mean, count)) as tf.Scalar, count });
  }
  return tf.mul(maskedCrossEntropy(logits, targets, mask), weight);
}
