/**
 * The clipped-surrogate update(s) on one GRPO step's rollouts: the sampling policy's log-probs
 * once (fixed for the step's passes), then `num_iterations` x `minibatches` gradient steps, each
 * gradient summed over the threads' shares of the minibatch (grpo-workers.ts) and applied here by
 * the one optimizer.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import type { AdamW } from '../model/optim';
import { countTargets } from '../parallel/shard';
import { makeBatch, type EncodedExample } from './encode';
import { batchKinds, type Rollouts } from './rollout';
import type { GrpoConfig } from './grpo-config';
import { shardPolicyStats, type GrpoRows, type LogProbParams, type ObjectiveParams } from '../grpo/shard';
import type { GrpoWorkers } from './grpo-workers';

export interface UpdateStats {
  loss: number;
  clipFrac: number;
  kl: number;
  gradNorm: number;
  entropy: number;
}

export interface UpdateContext {
  model: Transformer;
  tok: Tokenizers;
  reference: Transformer | null;
  config: GrpoConfig;
  workers: GrpoWorkers;
  opt: AdamW;
  vars: tf.Variable[];
  /** The optimizer step about to be taken (0-based), for the warm-up. */
  step: number;
}

/** Columns [0, T) of the given rows of a [rows x fullT] array. */
function pickRows(full: Float32Array, fullT: number, rows: number[], T: number): Float32Array {
  const out = new Float32Array(rows.length * T);
  rows.forEach((r, i) => out.set(full.subarray(r * fullT, r * fullT + T), i * T));
  return out;
}

export async function grpoUpdate(u: UpdateContext, rollouts: Rollouts, keep: number[], advantages: Float64Array): Promise<UpdateStats> {
  const { config: c, tok, model } = u;
  const seqs = keep.map((i) => rollouts.sequences[i]);
  const kinds = rollouts.kinds ? keep.map((i) => rollouts.kinds![i]) : null;
  const adv = keep.map((i) => advantages[i]);
  const rowsOf = (idx: number[]): GrpoRows => {
    const part: EncodedExample[] = idx.map((i) => seqs[i]);
    const batch = makeBatch(part, tok, model.config.block_size);
    return { batch, kinds: kinds ? batchKinds(part, idx.map((i) => kinds[i]), batch) : undefined };
  };
  const lp: LogProbParams = {
    imageOffset: tok.vocab.imageOffset, codebookSize: tok.image.codebookSize, temperature: c.temperature,
    text: kinds ? { textOffset: tok.vocab.textOffset, eos: tok.vocab.eos, boi: tok.vocab.boi } : undefined,
  };
  const objective: ObjectiveParams = {
    ...lp, epsilon: c.epsilon, epsilonHigh: c.epsilon_high ?? c.epsilon, beta: c.beta, lossType: c.loss_type,
    maxCompletionLength: tok.image.tokensPerImage + (kinds ? c.max_completion_length + 1 : 0),
  };
  const idx = seqs.map((_, i) => i);
  const all = rowsOf(idx);
  // the sampling policy's log-probs (and the frozen reference's, which lives on this thread only)
  const { logp: oldLogp, entropy } = await u.workers.policyStats(all, lp);
  const refLogp = c.beta > 0 && u.reference ? shardPolicyStats(u.reference, all, lp).logp : null;
  const sums = { loss: 0, clipFrac: 0, kl: 0, gradNorm: 0, n: 0 };
  const per = Math.ceil(idx.length / c.minibatches);
  for (let epoch = 0; epoch < c.num_iterations; epoch++) {
    for (let mb = 0; mb < c.minibatches; mb++) {
      const part = idx.slice(mb * per, (mb + 1) * per);
      if (!part.length) continue;
      const rows = rowsOf(part);
      const T = rows.batch.T;
      u.opt.lr = c.learning_rate * Math.min(1, (u.step + 1) / Math.max(1, c.warmup));
      const g = await u.workers.grads({
        rows, oldLogp: pickRows(oldLogp, all.batch.T, part, T), refLogp: refLogp ? pickRows(refLogp, all.batch.T, part, T) : null,
        advantages: Float32Array.from(part, (i) => adv[i]), totals: { rows: part.length, tokens: countTargets(rows.batch.mask) },
      }, objective);
      const norm = tf.tidy(() => u.opt.step(u.vars.filter((v) => g.grads[v.name] !== undefined), g.grads) ?? tf.scalar(0));
      sums.loss += g.value.dataSync()[0];
      sums.gradNorm += norm.dataSync()[0];
      sums.clipFrac += g.clipFrac;
      sums.kl += g.kl;
      sums.n++;
      tf.dispose([g.value, norm, ...Object.values(g.grads)]);
    }
  }
  const n = Math.max(1, sums.n);
  return { loss: sums.loss / n, clipFrac: sums.clipFrac / n, kl: sums.kl / n, gradNorm: sums.gradNorm / n, entropy };
}
