/**
 * Data-parallel gradients on several cores: worker threads, each with its own tfjs backend and a
 * copy of the model, compute the gradients of their rows of the batch while the main thread
 * computes its own rows (the LM loss here; GRPO's objective and its rollouts through `run` and
 * `sumGrads`, see train/grpo-workers.ts); the main thread sums them (the shards' losses are weighted so the sum is
 * the whole batch's gradient, see shard.ts) and its optimizer makes the one update. Weights travel
 * to the workers, and gradients back, through SharedArrayBuffers: before every step the workers copy
 * the trainable weights the main thread wrote, so every copy computes with the same numbers.
 *
 * Only the WASM and cpu backends run here (the native TensorFlow backend has threads of its own),
 * and models with LoRA adapters stay on one worker.
 */
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Transformer } from '../model/transformer';
import { UserError } from '../util/errors';
import { f32Values } from '../backend/wasm-heap';
import { shardLoss, sliceRows, splitRows, countTargets, ShardData, TaskTerm } from './shard';
import type { GradReply, LmReply, LmRequest, WorkerInit, WorkerReply, WorkerRequest } from './messages';

/** Result of one data-parallel gradient computation (grads keyed by the main model's variable names). */
export interface ParallelGrads {
  value: tf.Scalar;
  grads: tf.NamedTensorMap;
  taskLosses: Record<string, number>;
}

/** A `--workers` value: a whole number >= 0 (0 = one per core). */
export function parseWorkers(s: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--workers must be a whole number >= 0 (0: one per core), got ${s}`);
  return n;
}

/** The number of workers to use: `requested` (0 = one per core), capped by what can run here. */
export function resolveWorkers(requested: number, model: Transformer): { workers: number; note?: string } {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const n = requested > 0 ? requested : cores;
  if (n <= 1) return { workers: 1 };
  const backend = tf.getBackend();
  if (backend !== 'wasm' && backend !== 'cpu') return { workers: 1, note: `backend ${backend} uses its own threads: one worker` };
  if (model.adapters) return { workers: 1, note: 'LoRA adapters train on one worker' };
  if (!fs.existsSync(WORKER_FILE)) return { workers: 1, note: `${WORKER_FILE} not built: one worker` };
  return { workers: n };
}

const WORKER_FILE = path.join(__dirname, 'grad-worker.js');

export class GradPool {
  private readonly workers: Worker[] = [];
  private readonly weightsView: Float32Array;
  private readonly gradViews: Float32Array[] = [];
  private readonly names: string[];
  private readonly offsets: number[];
  private readonly trainable: number[];
  private ready: Promise<void>;
  /** Each worker thread's CPU ms for its latest request (null where the OS does not tell; bench.ts reads it). */
  lastWorkerCpuMs: (number | null)[] = [];

  /** `n` workers in all, counting the main thread (so n - 1 threads start); `vocab` lets them sample. */
  constructor(readonly model: Transformer, trainable: Map<string, tf.Variable>, readonly n: number, opts: { vocab?: WorkerInit['vocab'] } = {}) {
    const entries = [...model.params];
    this.names = entries.map(([k]) => k);
    const shapes = entries.map(([, v]) => v.shape);
    let total = 0;
    this.offsets = entries.map(([, v]) => ((total += v.size), total - v.size));
    const trainVars = new Set(trainable.values());
    this.trainable = entries.map(([, v], i) => (trainVars.has(v) ? i : -1)).filter((i) => i >= 0);
    if (this.trainable.length !== trainable.size) throw new Error('GradPool: a trainable variable is not a parameter of the model');
    const weights = new SharedArrayBuffer(4 * total);
    this.weightsView = new Float32Array(weights);
    this.writeWeights(entries.map((_, i) => i)); // all of them, once
    const starts: Promise<void>[] = [];
    for (let w = 1; w < n; w++) {
      const grads = new SharedArrayBuffer(4 * total);
      this.gradViews.push(new Float32Array(grads));
      const init: WorkerInit = { backend: tf.getBackend() as 'wasm' | 'cpu', config: model.config, names: this.names, shapes, offsets: this.offsets, trainable: this.trainable, weights, grads, vocab: opts.vocab };
      const worker = new Worker(WORKER_FILE, { workerData: init });
      this.workers.push(worker);
      starts.push(this.reply<{ ready: true }>(worker).then(() => undefined));
    }
    this.ready = Promise.all(starts).then(() => undefined);
  }

  /**
   * Gradients of the batch's mean masked loss over the trainable variables, rows split across the
   * workers. `perTask` also returns each task's mean loss (mixed-task batches).
   */
  async grads(batch: ShardData, training: boolean, perTask: boolean): Promise<ParallelGrads> {
    const total = countTargets(batch.mask);
    const ranges = splitRows(batch.B, this.n);
    const requests = ranges.slice(1).map((r): LmRequest => ({ kind: 'lm', shard: sliceRows(batch, r), total, training, perTask }));
    const terms: TaskTerm[] = [];
    let r: Awaited<ReturnType<GradPool['sumGrads']>>;
    try {
      r = await this.sumGrads(requests, () => shardLoss(this.model, sliceRows(batch, ranges[0]), total, training, perTask, terms));
    } catch (err) {
      tf.dispose(terms.map((t) => t.sum));
      throw err;
    }
    const sums = new Map<string, [number, number]>();
    const add = (task: string, sum: number, count: number) => {
      const acc = sums.get(task) ?? [0, 0];
      sums.set(task, [acc[0] + sum, acc[1] + count]);
    };
    for (const t of terms) add(t.task, t.sum.dataSync()[0], t.count);
    tf.dispose(terms.map((t) => t.sum));
    for (const reply of r.replies as LmReply[]) for (const [task, sum, count] of reply.terms) add(task, sum, count);
    const taskLosses = Object.fromEntries([...sums].map(([task, [s, c]]) => [task, s / c]));
    return { value: r.value, grads: r.grads, taskLosses };
  }

  /**
   * One request to each worker thread (`requests[i]` to thread i + 1; fewer requests leave threads
   * idle) while the main thread runs `own`, with the current trainable weights. Returns `own`'s
   * result and the threads' answers in order; on a thread's error, `cleanup(own)` runs and it throws.
   */
  async run<O>(requests: WorkerRequest[], own: () => O, cleanup: (o: O) => void = () => {}): Promise<{ own: O; replies: unknown[] }> {
    if (requests.length > this.workers.length) throw new Error(`GradPool: ${requests.length} requests for ${this.workers.length} worker threads`);
    await this.ready;
    this.writeWeights(this.trainable);
    const pending = requests.map((req, i) => {
      this.workers[i].postMessage(req);
      return this.reply<WorkerReply>(this.workers[i]);
    });
    // the main thread's own share, while the workers compute theirs
    const mine = own();
    const replies = await Promise.all(pending);
    const bad = replies.find((r): r is { ok: false; error: string } => !r.ok);
    if (bad) {
      cleanup(mine);
      throw new Error(`data-parallel worker failed: ${bad.error}`);
    }
    this.lastWorkerCpuMs = replies.map((r) => (r.ok ? r.cpuMs : null));
    return { own: mine, replies: replies.map((r) => (r as { value: unknown }).value) };
  }

  /**
   * The sum of the gradients of `ownLoss` (this thread's share, differentiated here) and of the
   * workers' shares (requests that return gradients), keyed by the main model's variable names.
   */
  async sumGrads(requests: WorkerRequest[], ownLoss: () => tf.Scalar): Promise<{ value: tf.Scalar; grads: tf.NamedTensorMap; replies: GradReply[] }> {
    const vars = this.trainable.map((i) => this.model.params.get(this.names[i])!);
    const r = await this.run(requests, () => tf.variableGrads(ownLoss, vars), (o) => tf.dispose([o.value, ...Object.values(o.grads)]));
    const own = r.own, replies = r.replies as GradReply[];
    const grads: tf.NamedTensorMap = {};
    this.trainable.forEach((pi, k) => {
      const v = vars[k];
      const parts: tf.Tensor[] = own.grads[v.name] ? [own.grads[v.name]] : [];
      replies.forEach((rep, w) => {
        if (rep.present[k]) parts.push(tf.tensor(this.gradViews[w].subarray(this.offsets[pi], this.offsets[pi] + v.size), v.shape));
      });
      if (parts.length) grads[v.name] = parts.length === 1 ? parts[0] : tf.tidy(() => tf.addN(parts));
      if (parts.length > 1) tf.dispose(parts);
    });
    const value = tf.tidy(() => tf.add(own.value, replies.reduce((s, rep) => s + rep.loss, 0))) as tf.Scalar;
    own.value.dispose();
    return { value, grads, replies };
  }

  /** Stop the worker threads. */
  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  private writeWeights(indices: number[]): void {
    for (const i of indices) this.weightsView.set(f32Values(this.model.params.get(this.names[i])!), this.offsets[i]);
  }

  /** The worker's next message; it keeps the process alive only while awaited. */
  private reply<T>(worker: Worker): Promise<T> {
    worker.ref();
    return new Promise<T>((resolve, reject) => {
      const onMessage = (m: T) => {
        cleanup();
        resolve(m);
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new Error(`data-parallel worker: ${err.message}`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`data-parallel worker exited with code ${code}`));
      };
      const cleanup = () => {
        worker.off('message', onMessage).off('error', onError).off('exit', onExit);
        worker.unref();
      };
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
    });
  }
}
