/**
 * The GRPO objective on image tokens, written out as in TRL's GRPOTrainer:
 *   ratio_t   = exp(logp_t - logp_old_t)
 *   loss_t    = -min(ratio_t A, clip(ratio_t, 1 - eps, 1 + eps_high) A) + beta KL_t
 *   KL_t      = exp(ref_t - logp_t) - (ref_t - logp_t) - 1          (k3 estimator, >= 0)
 * aggregated over the masked (image-code) tokens:
 *   grpo      mean over sequences of the per-sequence token mean
 *   bnpo      token mean over the whole batch
 *   dr_grpo   token sum / (sequences x max completion length)   (Dr. GRPO: no length bias)
 * Log-probs are those of the distribution sampling used, divided by the temperature: inside an
 * image, the logits restricted to the image codes; in reply text (role-play rollouts), restricted
 * to the text tokens plus `<eos>` and `<boi>` (the grammar allows nothing else).
 */
import * as tf from '@tensorflow/tfjs-core';
import { tokenLogProbs } from '../model/ops';
import type { Transformer } from '../model/transformer';
import type { TokenRows } from '../model/token-rows';

export interface ImageLogProbInput {
  batch: TokenRows; // a Batch, or a shard of one: its task names are not needed
  /** First image-code id and how many codes there are (the vocabulary's image range). */
  imageOffset: number;
  codebookSize: number;
  temperature: number;
  /**
   * Role-play rollouts: per target position, 1 = a reply-text choice (text tokens, `<eos>`, `<boi>`),
   * 2 = an image code, 3 = the choice `<eos>` scored at a position whose sequence token is a forced
   * `<boi>`; absent: every masked position is an image code.
   */
  text?: { kinds: Uint8Array; textOffset: number; eos: number; boi: number };
}

/** Logits [N, K] of the allowed choices at text positions (text tokens, then <eos>, <boi>) and the targets' index in them. */
function textChoices(logits: tf.Tensor2D, x: ImageLogProbInput): { logits: tf.Tensor2D; targets: Int32Array } {
  const t = x.text!;
  const N = logits.shape[0];
  const nText = x.imageOffset - t.textOffset;
  const choices = tf.concat([tf.slice(logits, [0, t.textOffset], [N, nText]), tf.slice(logits, [0, t.eos], [N, 1]), tf.slice(logits, [0, t.boi], [N, 1])], 1) as tf.Tensor2D;
  const targets = Int32Array.from(x.batch.targets, (id, i) => {
    if (t.kinds[i] === 3) return nText; // the model chose <eos> here (a forced <boi> follows in the sequence)
    if (t.kinds[i] !== 1) return 0;
    if (id === t.eos) return nText;
    if (id === t.boi) return nText + 1;
    return id - t.textOffset;
  });
  return { logits: tf.div(choices, x.temperature) as tf.Tensor2D, targets };
}

/** Image-code targets' index in the image range (0 elsewhere) and the mask of image positions. */
function imageTargets(x: ImageLogProbInput): { targets: Int32Array; mask: Float32Array } {
  const b = x.batch;
  const isImage = (i: number) => (x.text ? x.text.kinds[i] === 2 : b.mask[i] > 0);
  return {
    targets: Int32Array.from(b.targets, (t, i) => (isImage(i) ? t - x.imageOffset : 0)),
    mask: Float32Array.from(b.mask, (m, i) => (isImage(i) ? m : 0)),
  };
}

/** Per-token log-probs [B, T] of the targets under the constrained, tempered policy (0 where mask is 0). Differentiable. */
export function imageTokenLogProbs(model: Transformer, x: ImageLogProbInput): tf.Tensor2D {
  const { batch: b } = x;
  return tf.tidy(() => {
    const ids = tf.tensor2d(b.ids, [b.B, b.T], 'int32');
    const modality = tf.tensor2d(b.modality, [b.B, b.T], 'int32');
    const logits = tf.reshape(model.forward(ids, modality), [b.B * b.T, model.config.vocab_size]) as tf.Tensor2D;
    const image = tf.div(tf.slice(logits, [0, x.imageOffset], [b.B * b.T, x.codebookSize]), x.temperature) as tf.Tensor2D;
    const it = imageTargets(x);
    let lp: tf.Tensor = tf.mul(tokenLogProbs(image, tf.tensor1d(it.targets, 'int32')), tf.tensor1d(it.mask));
    if (x.text) {
      const tc = textChoices(logits, x);
      const textMask = Float32Array.from(b.mask, (m, i) => (x.text!.kinds[i] === 1 || x.text!.kinds[i] === 3 ? m : 0));
      lp = tf.add(lp, tf.mul(tokenLogProbs(tc.logits, tf.tensor1d(tc.targets, 'int32')), tf.tensor1d(textMask)));
    }
    return tf.reshape(lp, [b.B, b.T]) as tf.Tensor2D;
  });
}

/**
 * The sampling policy's per-token log-probs [B, T] (kept: the caller disposes) and the mean
 * entropy (nats) of its constrained, tempered distribution over the masked positions, from one
 * forward pass without gradients.
 */
export function samplingPolicyStats(model: Transformer, x: ImageLogProbInput): { logp: tf.Tensor2D; entropy: number } {
  const { logp, hSum, tokens } = policyStatSums(model, x);
  return { logp, entropy: hSum / Math.max(1, tokens) };
}

/** The same pass as sums (entropy summed over `tokens` masked positions), so shards of a batch add up. */
export function policyStatSums(model: Transformer, x: ImageLogProbInput): { logp: tf.Tensor2D; hSum: number; tokens: number } {
  const { batch: b } = x;
  return tf.tidy(() => {
    const ids = tf.tensor2d(b.ids, [b.B, b.T], 'int32');
    const modality = tf.tensor2d(b.modality, [b.B, b.T], 'int32');
    const logits = tf.reshape(model.forward(ids, modality), [b.B * b.T, model.config.vocab_size]) as tf.Tensor2D;
    // one constrained distribution per kind of position: its log-probs, the targets' log-prob, entropy
    const parts: { logp: tf.Tensor2D; targets: Int32Array; mask: Float32Array; K: number }[] = [];
    const it = imageTargets(x);
    parts.push({ logp: tf.logSoftmax(tf.div(tf.slice(logits, [0, x.imageOffset], [b.B * b.T, x.codebookSize]), x.temperature)) as tf.Tensor2D, targets: it.targets, mask: it.mask, K: x.codebookSize });
    if (x.text) {
      const tc = textChoices(logits, x);
      parts.push({ logp: tf.logSoftmax(tc.logits) as tf.Tensor2D, targets: tc.targets, mask: Float32Array.from(b.mask, (m, i) => (x.text!.kinds[i] === 1 || x.text!.kinds[i] === 3 ? m : 0)), K: tc.logits.shape[1] });
    }
    let picked: tf.Tensor = tf.zeros([b.B * b.T]);
    let hSum: tf.Tensor = tf.scalar(0);
    for (const p of parts) {
      const m = tf.tensor1d(p.mask);
      picked = tf.add(picked, tf.mul(tf.sum(tf.mul(p.logp, tf.oneHot(tf.tensor1d(p.targets, 'int32'), p.K)), 1), m));
      hSum = tf.add(hSum, tf.sum(tf.mul(tf.neg(tf.sum(tf.mul(tf.exp(p.logp), p.logp), 1)), m)));
    }
    const logp = tf.keep(tf.reshape(picked, [b.B, b.T]) as tf.Tensor2D);
    return { logp, hSum: hSum.dataSync()[0], tokens: b.mask.reduce((a, v) => a + v, 0) };
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
  /**
   * When these rows are a shard of a larger batch: that batch's sequence and masked-token counts.
   * Every aggregate then divides by the whole batch's counts, so the shards' losses, statistics
   * and gradients add up to the whole batch's (default: these rows are the whole batch).
   */
  totals?: { rows: number; tokens: number };
}

export interface GrpoLossOutput {
  loss: tf.Scalar;
  /** Share of masked tokens where the clipped term was the active one (ratio outside the band in the direction of A). */
  clipFraction: tf.Scalar;
  /** Mean k3 KL over masked tokens (0 when there is no reference). */
  kl: tf.Scalar;
}

export function grpoLoss(x: GrpoLossInput): GrpoLossOutput {
  const B = x.totals?.rows ?? x.logp.shape[0];
  const m = x.mask;
  const tokens = x.totals ? tf.scalar(Math.max(x.totals.tokens, 1)) : tf.maximum(tf.sum(m), 1);
  const ratio = tf.exp(tf.sub(x.logp, x.oldLogp));
  const adv = tf.reshape(x.advantages, [x.logp.shape[0], 1]);
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
  if (x.lossType === 'grpo') loss = tf.div(tf.sum(tf.div(tf.sum(masked, 1), tf.maximum(tf.sum(m, 1), 1))), B);
  else if (x.lossType === 'bnpo') loss = tf.div(tf.sum(masked), tokens);
  else loss = tf.div(tf.sum(masked), B * x.maxCompletionLength);
  const isClipped = tf.cast(tf.logicalOr(tf.logicalAnd(tf.less(ratio, 1 - x.epsilon), tf.less(adv, 0)), tf.logicalAnd(tf.greater(ratio, 1 + x.epsilonHigh), tf.greater(adv, 0))), 'float32');
  const clipFraction = tf.div(tf.sum(tf.mul(isClipped, m)), tokens);
  return { loss: loss as tf.Scalar, clipFraction: clipFraction as tf.Scalar, kl: kl as tf.Scalar };
}
