/**
 * GRPO's update on a shard of a step's rollouts, the same code on the main thread and on the
 * data-parallel workers (src/parallel/): plain arrays in (they cross threads), the sampling
 * policy's log-probs and entropy sums, or the objective whose gradient the worker returns. A shard's
 * objective divides by the whole minibatch's counts (`totals`), so the shards add up to it.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '../model/transformer';
import type { TokenRows } from '../model/token-rows';
import { grpoLoss, imageTokenLogProbs, policyStatSums, type ImageLogProbInput } from './objective';

/** Rows of a batch, with the role-play kinds of their positions when the rollouts have text. */
export interface GrpoRows {
  batch: TokenRows;
  kinds?: Uint8Array;
}

/** How log-probs are taken (the constrained, tempered sampling distribution). */
export interface LogProbParams {
  imageOffset: number;
  codebookSize: number;
  temperature: number;
  text?: { textOffset: number; eos: number; boi: number };
}

export interface ObjectiveParams extends LogProbParams {
  epsilon: number;
  epsilonHigh: number;
  beta: number;
  lossType: 'grpo' | 'bnpo' | 'dr_grpo';
  maxCompletionLength: number;
}

/** One shard of a minibatch: its rows and their fixed per-token inputs ([rows x T], row-major). */
export interface GrpoShard {
  rows: GrpoRows;
  oldLogp: Float32Array;
  refLogp: Float32Array | null;
  advantages: Float32Array;
  totals: { rows: number; tokens: number };
}

export function logProbInput(r: GrpoRows, p: LogProbParams): ImageLogProbInput {
  return { batch: r.batch, imageOffset: p.imageOffset, codebookSize: p.codebookSize, temperature: p.temperature, text: p.text && r.kinds ? { ...p.text, kinds: r.kinds } : undefined };
}

/** Rows [start, end) of `r` (the whole width T). */
export function sliceGrpoRows(r: GrpoRows, [start, end]: [number, number]): GrpoRows {
  const b = r.batch, a = start * b.T, z = end * b.T;
  return { batch: { B: end - start, T: b.T, ids: b.ids.slice(a, z), targets: b.targets.slice(a, z), mask: b.mask.slice(a, z), modality: b.modality.slice(a, z) }, kinds: r.kinds?.slice(a, z) };
}

/** The sampling policy's per-token log-probs of these rows (no gradient) and their entropy sum. */
export function shardPolicyStats(model: Transformer, r: GrpoRows, p: LogProbParams): { logp: Float32Array; hSum: number; tokens: number } {
  const s = policyStatSums(model, logProbInput(r, p));
  const logp = s.logp.dataSync() as Float32Array;
  s.logp.dispose();
  return { logp, hSum: s.hSum, tokens: s.tokens };
}

/**
 * The shard's GRPO objective (call inside tf.variableGrads); its clip fraction and KL, with the
 * same whole-batch normalizers, are pushed to `stats` (kept scalars the caller disposes).
 */
export function grpoShardLoss(model: Transformer, s: GrpoShard, p: ObjectiveParams, stats: tf.Scalar[]): tf.Scalar {
  const b = s.rows.batch;
  const r = grpoLoss({
    logp: imageTokenLogProbs(model, logProbInput(s.rows, p)),
    oldLogp: tf.tensor2d(s.oldLogp, [b.B, b.T]),
    refLogp: s.refLogp ? tf.tensor2d(s.refLogp, [b.B, b.T]) : null,
    advantages: tf.tensor1d(s.advantages),
    mask: tf.tensor2d(b.mask, [b.B, b.T]),
    epsilon: p.epsilon, epsilonHigh: p.epsilonHigh, beta: p.beta, lossType: p.lossType, maxCompletionLength: p.maxCompletionLength,
    totals: s.totals,
  });
  stats.push(tf.keep(r.clipFraction), tf.keep(r.kl));
  return r.loss;
}
