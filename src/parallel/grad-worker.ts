/**
 * A data-parallel worker thread (started by pool.ts): its own tfjs backend and copy of the model;
 * per request, it loads the trainable weights from the shared buffer and does its share of the
 * step: a shard's gradient (written into its shared buffer), the GRPO sampling policy's log-probs,
 * or some of a step's GRPO groups drawn (messages.ts lists the kinds).
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/select';
import { f32Values } from '../backend/wasm-heap';
import { Transformer } from '../model/transformer';
import type { GenTokens } from '../model/generate';
import { Vocab } from '../tokenizers/vocab';
import { grpoShardLoss, shardPolicyStats } from '../grpo/shard';
import { drawGroup } from '../grpo/rollout-draw';
import { shardLoss, TaskTerm } from './shard';
import { threadCpuMs } from '../util/thread-cpu';
import type { DrawReply, GradReply, GrpoReply, LmReply, PolicyStatsReply, WorkerInit, WorkerReply, WorkerRequest } from './messages';

async function main(): Promise<void> {
  const init = workerData as WorkerInit;
  await initBackend({ forced: init.backend });
  const model = new Transformer(init.config, 0);
  const weights = new Float32Array(init.weights), grads = new Float32Array(init.grads);
  const param = (i: number) => {
    const v = model.params.get(init.names[i]);
    if (!v || v.shape.join(',') !== init.shapes[i].join(',')) throw new Error(`worker model lacks parameter ${init.names[i]} [${init.shapes[i]}]`);
    return v;
  };
  const size = (i: number) => init.shapes[i].reduce((a, b) => a * b, 1);
  const load = (indices: number[]) => {
    for (const i of indices) tf.tidy(() => param(i).assign(tf.tensor(weights.subarray(init.offsets[i], init.offsets[i] + size(i)), init.shapes[i])));
  };
  load(init.names.map((_, i) => i));
  const vars = init.trainable.map(param);
  // sampling needs the vocabulary's layout only (decoded text is the main thread's business)
  const tok: GenTokens | null = init.vocab ? { vocab: new Vocab(init.vocab.text, init.vocab.image), decodeText: () => '', image: { tokensPerImage: init.vocab.tokensPerImage } } : null;

  /** Differentiate `f` and write the gradients into the shared buffer. */
  const gradsOf = (f: () => tf.Scalar): GradReply => {
    const { value, grads: g } = tf.variableGrads(f, vars);
    const present = vars.map((v, k) => {
      const t = g[v.name];
      if (t) grads.set(f32Values(t), init.offsets[init.trainable[k]]);
      return !!t;
    });
    const loss = value.dataSync()[0];
    tf.dispose([value, ...Object.values(g)]);
    return { loss, present };
  };

  const handle = (req: WorkerRequest): LmReply | GrpoReply | PolicyStatsReply | DrawReply => {
    switch (req.kind) {
      case 'lm': {
        const terms: TaskTerm[] = [];
        try {
          const r = gradsOf(() => shardLoss(model, req.shard, req.total, req.training, req.perTask, terms));
          return { ...r, terms: terms.map((t) => [t.task, t.sum.dataSync()[0], t.count]) };
        } finally {
          tf.dispose(terms.map((t) => t.sum));
        }
      }
      case 'grpo': {
        const stats: tf.Scalar[] = [];
        try {
          const r = gradsOf(() => grpoShardLoss(model, req.shard, req.params, stats));
          return { ...r, clipFrac: stats[0].dataSync()[0], kl: stats[1].dataSync()[0] };
        } finally {
          tf.dispose(stats);
        }
      }
      case 'policy-stats':
        return shardPolicyStats(model, req.rows, req.params);
      case 'draw':
        if (!tok) throw new Error('this worker was started without the vocabulary layout: it cannot sample');
        return req.groups.map((g) => drawGroup(model, tok, g));
    }
  };

  parentPort!.postMessage({ ready: true });
  parentPort!.on('message', (req: WorkerRequest) => {
    let reply: WorkerReply;
    try {
      const c0 = threadCpuMs();
      load(init.trainable);
      const value = handle(req);
      const c1 = threadCpuMs();
      reply = { ok: true, value, cpuMs: c0 === null || c1 === null ? null : c1 - c0 };
    } catch (err) {
      reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    parentPort!.postMessage(reply);
  });
}

main().catch((err) => {
  throw err;
});
