/**
 * What crosses between the main thread and a data-parallel worker (pool.ts, grad-worker.ts):
 * plain data only (structured clone), the weights and gradients themselves go through the shared
 * buffers. One request kind per job a worker does on its share of a step.
 */
import type { Transformer } from '../model/transformer';
import type { GrpoRows, GrpoShard, LogProbParams, ObjectiveParams } from '../grpo/shard';
import type { Drawn, GroupDraw } from '../grpo/rollout-draw';
import type { ShardData } from './shard';

/** What a worker needs to build its copy of the model. */
export interface WorkerInit {
  backend: 'wasm' | 'cpu';
  config: Transformer['config'];
  names: string[]; // every parameter, in SAB order
  shapes: number[][];
  offsets: number[]; // element offsets in the weights / grads buffers
  trainable: number[]; // indices into names of the parameters that train
  weights: SharedArrayBuffer;
  grads: SharedArrayBuffer; // this worker's gradients (same layout as weights)
  /** Vocabulary layout, for workers that sample (GRPO rollouts): text and image sizes, codes per image. */
  vocab?: { text: number; image: number; tokensPerImage: number };
}

/** The language-model loss of a shard of rows (pretraining, SFT). */
export interface LmRequest {
  kind: 'lm';
  shard: ShardData;
  total: number; // target tokens in the whole batch
  training: boolean;
  perTask: boolean;
}
/** The GRPO objective's gradient on a shard of a minibatch. */
export interface GrpoRequest {
  kind: 'grpo';
  shard: GrpoShard;
  params: ObjectiveParams;
}
/** The sampling policy's log-probs and entropy sums on a shard of a step's rollouts. */
export interface PolicyStatsRequest {
  kind: 'policy-stats';
  rows: GrpoRows;
  params: LogProbParams;
}
/** Draw some of a step's GRPO groups. */
export interface DrawRequest {
  kind: 'draw';
  groups: GroupDraw[];
}
export type WorkerRequest = LmRequest | GrpoRequest | PolicyStatsRequest | DrawRequest;

/** A request that returns gradients: the shard's weighted loss and, per trainable parameter, whether it has one (MoT experts unused by a shard have none). */
export interface GradReply {
  loss: number;
  present: boolean[];
}
export interface LmReply extends GradReply {
  terms: [string, number, number][]; // task, loss sum, target count
}
export interface GrpoReply extends GradReply {
  clipFrac: number;
  kl: number;
}
export interface PolicyStatsReply {
  logp: Float32Array;
  hSum: number;
  tokens: number;
}
export type DrawReply = Drawn[][];

/** The envelope of every answer. */
export type WorkerReply = { ok: true; value: unknown; cpuMs: number | null } | { ok: false; error: string };
/* cpuMs: the worker thread's CPU ms for the request (loading the weights and its share), where the OS tells it (util/thread-cpu.ts). */
