/**
 * Character-GRPO on N threads: a step's groups are drawn, and its update's rows differentiated, in
 * contiguous shares by the main thread and the data-parallel workers (src/parallel/pool.ts); with
 * one worker the main thread does every share itself, through the same code (grpo/shard.ts,
 * grpo/rollout-draw.ts), so 1 and N workers compute the same numbers up to float32 summation order.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { GradPool, resolveWorkers } from '../parallel/pool';
import { splitRows } from '../parallel/shard';
import type { DrawReply, DrawRequest, GrpoReply, GrpoRequest, PolicyStatsReply, PolicyStatsRequest } from '../parallel/messages';
import { grpoShardLoss, shardPolicyStats, sliceGrpoRows, type GrpoRows, type GrpoShard, type LogProbParams, type ObjectiveParams } from '../grpo/shard';
import { drawGroup, type DrawGroups, type Drawn, type GroupDraw } from '../grpo/rollout-draw';

export interface ShardGrads {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  clipFrac: number;
  kl: number;
}

export class GrpoWorkers {
  private constructor(
    private readonly model: Transformer,
    private readonly tok: Tokenizers,
    private readonly vars: tf.Variable[],
    private readonly pool: GradPool | null,
  ) {}

  /** `requested` workers (0 = one per core), capped by what can run here (LoRA, native backends: one). */
  static start(model: Transformer, tok: Tokenizers, trainable: Map<string, tf.Variable>, requested: number): GrpoWorkers {
    const { workers } = resolveWorkers(requested, model);
    const vocab = { text: tok.text.vocabSize, image: tok.image.codebookSize, tokensPerImage: tok.image.tokensPerImage };
    return new GrpoWorkers(model, tok, [...trainable.values()], workers > 1 ? new GradPool(model, trainable, workers, { vocab }) : null);
  }

  get count(): number {
    return this.pool?.n ?? 1;
  }

  /** Draw the groups, contiguous shares per thread, answers in group order. */
  readonly draw: DrawGroups = async (groups: GroupDraw[]) => {
    const ranges = splitRows(groups.length, this.count);
    const mine = () => groups.slice(...ranges[0]).map((g) => drawGroup(this.model, this.tok, g));
    if (!this.pool || ranges.length === 1) return mine();
    const requests = ranges.slice(1).map((r): DrawRequest => ({ kind: 'draw', groups: groups.slice(...r) }));
    const { own, replies } = await this.pool.run(requests, mine);
    return [own, ...(replies as DrawReply[])].flat() as Drawn[][];
  };

  /** The sampling policy's per-token log-probs of every row ([B x T]) and its mean entropy. */
  async policyStats(rows: GrpoRows, p: LogProbParams): Promise<{ logp: Float32Array; entropy: number }> {
    const ranges = splitRows(rows.batch.B, this.count);
    const mine = () => shardPolicyStats(this.model, sliceGrpoRows(rows, ranges[0]), p);
    let parts: PolicyStatsReply[];
    if (!this.pool || ranges.length === 1) parts = [mine()];
    else {
      const requests = ranges.slice(1).map((r): PolicyStatsRequest => ({ kind: 'policy-stats', rows: sliceGrpoRows(rows, r), params: p }));
      const { own, replies } = await this.pool.run(requests, mine);
      parts = [own, ...(replies as PolicyStatsReply[])];
    }
    const logp = new Float32Array(rows.batch.B * rows.batch.T);
    let at = 0, hSum = 0, tokens = 0;
    for (const s of parts) {
      logp.set(s.logp, at);
      at += s.logp.length;
      hSum += s.hSum;
      tokens += s.tokens;
    }
    return { logp, entropy: hSum / Math.max(1, tokens) };
  }

  /** The gradient of a minibatch's GRPO objective (`mb.totals` are its own counts), rows split across the threads. */
  async grads(mb: GrpoShard, p: ObjectiveParams): Promise<ShardGrads> {
    const ranges = splitRows(mb.rows.batch.B, this.count);
    const shards = ranges.map((r) => sliceShard(mb, r));
    const stats: tf.Scalar[] = [];
    const own = () => grpoShardLoss(this.model, shards[0], p, stats);
    try {
      if (!this.pool || ranges.length === 1) {
        const { value, grads } = tf.variableGrads(own, this.vars);
        return { value, grads, clipFrac: stats[0].dataSync()[0], kl: stats[1].dataSync()[0] };
      }
      const requests = shards.slice(1).map((shard): GrpoRequest => ({ kind: 'grpo', shard, params: p }));
      const r = await this.pool.sumGrads(requests, own);
      const replies = r.replies as GrpoReply[];
      const sum = (k: 'clipFrac' | 'kl', mine: tf.Scalar) => replies.reduce((s, x) => s + x[k], mine.dataSync()[0]);
      return { value: r.value, grads: r.grads, clipFrac: sum('clipFrac', stats[0]), kl: sum('kl', stats[1]) };
    } finally {
      tf.dispose(stats);
    }
  }

  /** Stop the worker threads (they also stop with the process). */
  async dispose(): Promise<void> {
    await this.pool?.dispose();
  }
}

/** Rows [start, end) of a minibatch, with their fixed inputs; the totals stay the minibatch's. */
function sliceShard(s: GrpoShard, [start, end]: [number, number]): GrpoShard {
  const T = s.rows.batch.T;
  return {
    rows: sliceGrpoRows(s.rows, [start, end]),
    oldLogp: s.oldLogp.slice(start * T, end * T),
    refLogp: s.refLogp ? s.refLogp.slice(start * T, end * T) : null,
    advantages: s.advantages.slice(start, end),
    totals: s.totals,
  };
}
