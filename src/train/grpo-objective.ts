/**
 * The GRPO objective on image tokens, written out as in TRL's GRPOTrainer:
 *   ratio_t   = exp(logp_t - logp_old_t)
 *   loss_t    = -min(ratio_t A, clip(ratio_t, 1 - eps, 1 + eps_high) A) + beta KL_t
 *   KL_t      = exp(ref_t - logp_t) - (ref_t - logp_t) - 1          (k3 estimator, >= 0)
 * aggregated over the masked (image-code) tokens:
 *   grpo      mean over sequences of the per-sequence token mean
 *   bnpo      token mean over the whole batch
 *   dr_grpo   token sum / (sequences x max completion length)   (Dr. GRPO: no length bias)
 * Log-probs are those of the distribution sampling used: logits restricted to the image codes
 * (the grammar allows nothing else inside an image) divided by the temperature.
 */
import * as tf from '@tensorflow/tfjs-core';
import { tokenLogProbs } from '../model/ops';
import type { Transformer } from '../model/transformer';
import type { Batch } from './encode';

export interface ImageLogProbInput {
  batch: Batch;
  /** First image-code id and how many codes there are (the vocabulary's image range). */
  imageOffset: number;
  codebookSize: number;
  temperature: number;
}

/** Per-token log-probs [B, T] of the targets under the constrained, tempered policy (0 where mask is 0). Differentiable. */
export function imageTokenLogProbs(model: Transformer, x: ImageLogProbInput): tf.Tensor2D {
  const { batch: b } = x;
  return tf.tidy(() => {
    const ids = tf.tensor2d(b.ids, [b.B, b.T], 'int32');
    const modality = tf.tensor2d(b.modality, [b.B, b.T], 'int32');
    const logits = tf.reshape(model.forward(ids, modality), [b.B * b.T, model.config.vocab_size]) as tf.Tensor2D;
    const image = tf.div(tf.slice(logits, [0, x.imageOffset], [b.B * b.T, x.codebookSize]), x.temperature) as tf.Tensor2D;
    const tgt = Int32Array.from(b.targets, (t, i) => (b.mask[i] > 0 ? t - x.imageOffset : 0));
    const lp = tokenLogProbs(image, tf.tensor1d(tgt, 'int32'));
    return tf.mul(tf.reshape(lp, [b.B, b.T]), tf.tensor2d(b.mask, [b.B, b.T])) as tf.Tensor2D;
  });
}

/**
 * The sampling policy's per-token log-probs [B, T] (kept: the caller disposes) and the mean
 * entropy (nats) of its constrained, tempered distribution over the masked positions, from one
 * forward pass without gradients.
 */
export function samplingPolicyStats(model: Transformer, x: ImageLogProbInput): { logp: tf.Tensor2D; entropy: number } {
  const { batch: b } = x;
  return tf.tidy(() => {
    const ids = tf.tensor2d(b.ids, [b.B, b.T], 'int32');
    const modality = tf.tensor2d(b.modality, [b.B, b.T], 'int32');
    const logits = tf.reshape(model.forward(ids, modality), [b.B * b.T, model.config.vocab_size]) as tf.Tensor2D;
    const logpAll = tf.logSoftmax(tf.div(tf.slice(logits, [0, x.imageOffset], [b.B * b.T, x.codebookSize]), x.temperature)); // [N, K]
    const m = tf.tensor1d(b.mask);
    const h = tf.neg(tf.sum(tf.mul(tf.exp(logpAll), logpAll), 1)); // [N]
    const entropy = tf.div(tf.sum(tf.mul(h, m)), tf.maximum(tf.sum(m), 1)).dataSync()[0];
    const tgt = Int32Array.from(b.targets, (t, i) => (b.mask[i] > 0 ? t - x.imageOffset : 0));
    const picked = tf.sum(tf.mul(logpAll, tf.oneHot(tf.tensor1d(tgt, 'int32'), x.codebookSize)), 1); // [N]
    const logp = tf.keep(tf.reshape(tf.mul(picked, m), [b.B, b.T]) as tf.Tensor2D);
    return { logp, entropy };
  });
}

export interface GrpoLossInput {
  logp: tf.Tensor2D; // [B, T] current policy (differentiable)
  oldLogp: tf.Tensor2D; // [B, T] policy that sampled (constant)
  refLogp: tf.Tensor2D | null; // [B, T] frozen reference (constant), needed when beta > 0
  advantages: tf.Tensor1D; // [B] one per sequence
  mask: tf.Tensor2D; // [B, T] 1 on completion tokens
  epsilon: number;
  epsilonHigh: number;
  beta: number;
  lossType: 'grpo' | 'bnpo' | 'dr_grpo';
  /** Completion length used by dr_grpo's constant normalizer. */
  maxCompletionLength: number;
}

export interface GrpoLossOutput {
  loss: tf.Scalar;
  /** Share of masked tokens where the clipped term was the active one (ratio outside the band in the direction of A). */
  clipFraction: tf.Scalar;
  /** Mean k3 KL over masked tokens (0 when there is no reference). */
  kl: tf.Scalar;
}

export function grpoLoss(x: GrpoLossInput): GrpoLossOutput {
  const [B] = x.logp.shape;
  const m = x.mask;
  const tokens = tf.maximum(tf.sum(m), 1);
  const ratio = tf.exp(tf.sub(x.logp, x.oldLogp));
  const adv = tf.reshape(x.advantages, [B, 1]);
  const unclipped = tf.mul(ratio, adv);
  const clipped = tf.mul(tf.clipByValue(ratio, 1 - x.epsilon, 1 + x.epsilonHigh), adv);
  let perToken = tf.neg(tf.minimum(unclipped, clipped));
  let kl: tf.Tensor = tf.scalar(0);
  if (x.beta > 0 && x.refLogp) {
    const d = tf.sub(x.refLogp, x.logp);
    const klTok = tf.sub(tf.sub(tf.exp(d), d), 1);
    perToken = tf.add(perToken, tf.mul(klTok, x.beta));
    kl = tf.div(tf.sum(tf.mul(klTok, m)), tokens);
  }
  const masked = tf.mul(perToken, m);
  let loss: tf.Tensor;
  if (x.lossType === 'grpo') loss = tf.mean(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(m, 1), 1)));
  else if (x.lossType === 'bnpo') loss = tf.div(tf.sum(masked), tokens);
  else loss = tf.div(tf.sum(masked), B * x.maxCompletionLength);
  const isClipped = tf.cast(tf.logicalOr(tf.logicalAnd(tf.less(ratio, 1 - x.epsilon), tf.less(adv, 0)), tf.logicalAnd(tf.greater(ratio, 1 + x.epsilonHigh), tf.greater(adv, 0))), 'float32');
  const clipFraction = tf.div(tf.sum(tf.mul(isClipped, m)), tokens);
  return { loss: loss as tf.Scalar, clipFraction: clipFraction as tf.Scalar, kl: kl as tf.Scalar };
}
