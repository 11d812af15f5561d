/**
 * A data-parallel worker thread (started by pool.ts): its own tfjs backend and copy of the model;
 * per request, it loads the trainable weights from the shared buffer, differentiates its shard's
 * weighted loss and writes the gradients into its shared buffer.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../backend/select';
import { Transformer } from '../model/transformer';
import { shardLoss, TaskTerm } from './shard';
import type { StepReply, StepRequest, WorkerInit } from './pool';

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
  parentPort!.postMessage({ ready: true });
  parentPort!.on('message', (req: StepRequest) => {
    const terms: TaskTerm[] = [];
    try {
      load(init.trainable);
      const { value, grads: g } = tf.variableGrads(() => shardLoss(model, req.shard, req.total, req.training, req.perTask, terms), vars);
      const present = vars.map((v, k) => {
        const t = g[v.name];
        if (t) grads.set(t.dataSync() as Float32Array, init.offsets[init.trainable[k]]);
        return !!t;
      });
      const reply: StepReply = { loss: value.dataSync()[0], present, terms: terms.map((t) => [t.task, t.sum.dataSync()[0], t.count]) };
      tf.dispose([value, ...Object.values(g)]);
      parentPort!.postMessage(reply);
    } catch (err) {
      parentPort!.postMessage({ loss: 0, present: [], terms: [], error: err instanceof Error ? err.message : String(err) } satisfies StepReply);
    } finally {
      tf.dispose(terms.map((t) => t.sum));
    }
  });
}

main().catch((err) => {
  throw err;
});
