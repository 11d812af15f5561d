/**
 * The language-model training loop shared by base pretraining and Unified-SFT, written out
 * nanoGPT-style: cosine schedule, periodic per-task validation, checkpoints, one log line per
 * interval. It runs in chunks (`await trainer.run(n)` continues where it stopped) so notebooks can
 * plot between chunks; the history is kept in memory and appended to `<outDir>/history.jsonl`.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { AdamW } from '../model/optim';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { saveCheckpoint, SaveOptions } from '../model/checkpoint';
import { maskedCrossEntropy } from '../model/ops';
import { cosineLr } from '../util/schedule';
import { TaskSampler } from './sampler';
import { makeBatch, Batch, EncodedExample } from './encode';
import { TASKS, Task } from './tasks';
import { appendHistoryRow, historyJsonl, readHistoryFile, truncateHistory } from './history';
import { GradPool, resolveWorkers } from '../parallel/pool';
import { assertFiniteStep } from './finite';
import { UserError } from '../util/errors';
import { SEED_MAX } from '../util/rng';

const HISTORY_FILE = 'history.jsonl';


export const TaskWeightsSchema = z
  .object({
    roleplay: z.number().finite().min(0).max(1000).default(1), // role-play dialogue (reply text, then its image when it has one)
    knowledge: z.number().finite().min(0).max(1000).default(1), // knowledge QA about the character
    vqa: z.number().finite().min(0).max(1000).default(1), // questions about the character's images
    t2i: z.number().finite().min(0).max(1000).default(1), // text-to-image from instructions
  })
  .strict();

/** Keys renamed to TRL's SFTConfig / TrainingArguments names (issue 15); the old names still load, with a notice. */
export const LM_TRAIN_KEY_RENAMES = { lr: 'learning_rate', clip_norm: 'max_grad_norm' } as const;

/** The same, inside the `train` block of a whole config (SFT, pretrain, or overrides of one): `train.lr`. */
export const LM_CONFIG_KEY_RENAMES = { train: LM_TRAIN_KEY_RENAMES } as const;

export const LmTrainSchema = z
  .object({
    steps: z.number().int().positive().max(1_000_000).default(2000), // optimizer steps in all
    batch_size: z.number().int().positive().max(1024).default(16), // sequences per step (one task per batch)
    learning_rate: z.number().finite().positive().max(1).default(3e-3), // peak learning rate (was lr)
    min_lr: z.number().finite().min(0).max(1).default(3e-4), // cosine floor
    warmup: z.number().int().min(0).max(1_000_000).default(100), // linear warm-up steps
    weight_decay: z.number().finite().min(0).max(10).default(0.1), // AdamW decoupled decay on matrices
    max_grad_norm: z.number().finite().positive().max(1e6).default(1), // global gradient-norm clip (was clip_norm)
    log_interval: z.number().int().positive().max(1_000_000).default(25), // steps between log lines
    eval_interval: z.number().int().positive().max(1_000_000).default(250), // steps between validation passes
    eval_batches: z.number().int().positive().max(1000).default(4), // validation batches per task
    ckpt_interval: z.number().int().min(0).max(1_000_000).default(500), // steps between checkpoints (0: only at the end)
    seed: z.number().int().min(0).max(SEED_MAX).default(0), // data order (weights are seeded by the model)
    task_weights: TaskWeightsSchema.default({}), // sampling weight of each task group
    workers: z.number().int().min(0).max(256).default(0), // data-parallel workers (threads with a model copy each, src/parallel/); 0: one per core
    mandatory_t2i: z.number().int().min(0).max(1024).default(0), // >0: mixed batches with this many text-to-image examples in every batch (the official SFT mixture makes t2i mandatory); the rest drawn per example by task_weights
  })
  .strict();
export type LmTrainConfig = z.infer<typeof LmTrainSchema>;

/**
 * Cross-field checks no single field can make (SFT extends the schema, so they live here and run
 * when a trainer is built): the mandatory t2i share fits in a batch, the floor is below the peak,
 * and some task with examples can be drawn. Throws a UserError naming the fields.
 */
export function checkTrainConfig(c: LmTrainConfig, withExamples: readonly Task[] = TASKS, where = 'train'): void {
  if (c.mandatory_t2i > c.batch_size) throw new UserError(`${where}.mandatory_t2i: ${c.mandatory_t2i} is more than ${where}.batch_size ${c.batch_size}`);
  if (c.min_lr > c.learning_rate) throw new UserError(`${where}.min_lr: ${c.min_lr} is above ${where}.learning_rate ${c.learning_rate}`);
  if (!Number.isFinite(c.learning_rate) || c.learning_rate <= 0) throw new UserError(`${where}.learning_rate: expected a finite positive number, found ${c.learning_rate}`);
  const drawable = withExamples.filter((t) => c.task_weights[t] > 0);
  if (!drawable.length && !(c.mandatory_t2i > 0 && withExamples.includes('t2i'))) {
    throw new UserError(`${where}.task_weights: every task with examples (${withExamples.join(', ') || 'none'}) has weight 0; give one a positive weight`);
  }
}

export interface LogRow {
  step: number;
  /** The batch's task, or 'mixed' for a batch mixing tasks (see `tasks`). */
  task: Task | 'mixed';
  loss: number;
  /** Training loss of each task in a mixed batch (mean over that task's target tokens). */
  tasks?: Partial<Record<Task, number>>;
  lr: number;
  ms: number;
  tokens: number;
  /** Validation losses per task, on eval steps. */
  val?: Partial<Record<Task, number>>;
}

/** How a trainer trains something other than all of the model's weights (LoRA adapters). */
export interface TrainerHooks {
  /** The named variables to train (default: every model parameter). */
  trainable?: Map<string, tf.Variable>;
  /** Save a checkpoint of what trains (default: a full model checkpoint). */
  save?: (dir: string, opts: SaveOptions) => Promise<void>;
}

/** One optimizer step's loss, global gradient norm (before clipping) and per-task losses. */
interface StepResult {
  lossValue: number;
  gradNorm: number;
  taskLosses?: Record<string, number>;
}

export class LmTrainer {
  readonly history: LogRow[] = [];
  step = 0;
  /** The step of the last checkpoint this trainer wrote (or resumed from). */
  private lastSaved = 0;
  private readonly opt: AdamW;
  private readonly sampler: TaskSampler;
  private readonly trainable: Map<string, tf.Variable>;
  private pool: GradPool | null | undefined; // data-parallel workers, made on the first step (null: one worker)

  constructor(
    readonly model: Transformer,
    readonly tok: Tokenizers,
    readonly train: Partial<Record<Task, EncodedExample[]>>,
    readonly val: Partial<Record<Task, EncodedExample[]>>,
    readonly config: LmTrainConfig,
    readonly outDir: string | null = null,
    readonly meta: Record<string, unknown> = {},
    private readonly hooks: TrainerHooks = {},
  ) {
    checkTrainConfig(config, TASKS.filter((t) => (train[t]?.length ?? 0) > 0));
    this.opt = new AdamW({ lr: config.learning_rate, weightDecay: config.weight_decay, clipNorm: config.max_grad_norm });
    const mandatory = config.mandatory_t2i > 0 ? { task: 't2i' as const, count: Math.min(config.mandatory_t2i, config.batch_size) } : undefined;
    this.sampler = new TaskSampler(train, config.task_weights, config.seed, mandatory);
    this.trainable = hooks.trainable ?? model.params;
  }

  /**
   * Continue a run from a checkpoint folder: its history and, when saved, the optimizer's moments
   * and step count (weights are loaded by the caller). Without saved moments they restart at zero.
   */
  resumeFrom(history: LogRow[], optim?: { t: number; tensors: Map<string, { shape: number[]; data: Float32Array }> }, savedStep?: number): void {
    // the checkpoint's step, not the history's last row: rows after it were never saved
    const step = savedStep ?? (history.length ? history[history.length - 1].step : 0);
    this.history.splice(0, this.history.length, ...truncateHistory(this.outDir, HISTORY_FILE, history, step));
    this.step = this.lastSaved = step;
    if (optim) this.opt.importState(this.trainable, optim.t, optim.tensors);
  }

  /** Train `steps` more steps (default: to the configured total). */
  async run(steps = this.config.steps - this.step, onLog?: (row: LogRow) => void): Promise<LogRow[]> {
    const end = Math.min(this.config.steps, this.step + steps);
    const rows: LogRow[] = [];
    const vars = [...this.trainable.values()];
    while (this.step < end) {
      const t0 = performance.now();
      const [task, exs] = this.sampler.batch(this.step, this.config.batch_size);
      const b = makeBatch(exs, this.tok, this.model.config.block_size);
      const parts = task === 'mixed' ? taskMasks(b) : null;
      this.opt.lr = cosineLr(this.step, { lr: this.config.learning_rate, minLr: this.config.min_lr, warmup: this.config.warmup, total: this.config.steps });
      const pool = this.workerPool();
      const { lossValue, gradNorm, taskLosses } = pool ? await this.parallelStep(pool, b, parts !== null, vars) : await this.localStep(b, parts, vars);
      // finite or nothing: stop before this step is recorded or saved
      assertFiniteStep('the training loss', lossValue, this.step + 1, { lr: this.opt.lr, lastSaved: this.lastSaved });
      assertFiniteStep('the gradient norm', gradNorm, this.step + 1, { lr: this.opt.lr, lastSaved: this.lastSaved });
      this.step++;
      const row: LogRow = { step: this.step, task, loss: lossValue, lr: this.opt.lr, ms: performance.now() - t0, tokens: b.B * b.T };
      if (taskLosses) row.tasks = taskLosses;
      if (this.step % this.config.eval_interval === 0 || this.step === this.config.steps) row.val = this.evaluate();
      this.record(row);
      rows.push(row);
      onLog?.(row);
      if (this.outDir && ((this.config.ckpt_interval > 0 && this.step % this.config.ckpt_interval === 0) || this.step === this.config.steps)) {
        await this.save(this.outDir);
        this.lastSaved = this.step;
      }
    }
    if (this.step >= this.config.steps) await this.dispose(); // the workers' threads and model copies go with the run
    return rows;
  }

  /** One step's gradients and update on this thread (the code path of one worker). */
  private async localStep(b: Batch, parts: ReturnType<typeof taskMasks> | null, vars: tf.Variable[]): Promise<StepResult> {
    const perTask: tf.Scalar[] = [];
    const loss = tf.tidy(() => {
      const { ids, targets, mask, modality } = batchTensors(b);
      const { value, grads } = tf.variableGrads(() => {
        if (!parts) return this.model.loss(ids, targets, { mask, modality, training: true });
        // one forward; the loss is each task's mean weighted by its share of target tokens (= the
        // plain masked mean), and each task's own mean is kept for the per-task curves
        const logits = this.model.forward(ids, modality, { training: true });
        const terms = parts.map((p) => {
          const l = maskedCrossEntropy(logits, targets, tf.tensor2d(p.mask, [b.B, b.T]));
          perTask.push(tf.keep(tf.clone(l)));
          return tf.mul(l, p.share);
        });
        return tf.addN(terms) as tf.Scalar;
      }, vars);
      // a text-only batch leaves the image experts (MoT) without gradients: update only what was used
      const norm = this.opt.step(vars.filter((v) => grads[v.name] !== undefined), grads);
      return [value, norm ?? tf.scalar(0)];
    });
    const [lossValue, gradNorm] = await Promise.all(loss.map(async (t) => (await t.data())[0]));
    tf.dispose(loss);
    const taskLosses = parts ? Object.fromEntries(parts.map((p, i) => [p.task, perTask[i].dataSync()[0]])) : undefined;
    tf.dispose(perTask);
    return { lossValue, gradNorm, taskLosses };
  }

  /** The same step with the batch's rows split across the worker threads (src/parallel/). */
  private async parallelStep(pool: GradPool, b: Batch, perTask: boolean, vars: tf.Variable[]): Promise<StepResult> {
    const r = await pool.grads(b, true, perTask);
    const norm = tf.tidy(() => this.opt.step(vars.filter((v) => r.grads[v.name] !== undefined), r.grads) ?? tf.scalar(0));
    tf.dispose(Object.values(r.grads));
    const [lossValue, gradNorm] = await Promise.all([r.value, norm].map(async (t) => (await t.data())[0]));
    tf.dispose([r.value, norm]);
    return { lossValue, gradNorm, taskLosses: perTask ? r.taskLosses : undefined };
  }

  /** The data-parallel pool for `config.workers`, or null for one worker. */
  private workerPool(): GradPool | null {
    if (this.pool === undefined) {
      const { workers } = resolveWorkers(this.config.workers, this.model);
      this.pool = workers > 1 ? new GradPool(this.model, this.trainable, workers) : null;
    }
    return this.pool;
  }

  /** Stop the worker threads (they also stop with the process). */
  async dispose(): Promise<void> {
    await this.pool?.dispose();
    this.pool = undefined;
  }

  /** Mean masked loss per task on the validation examples (fixed batches: comparable across steps). */
  evaluate(): Partial<Record<Task, number>> {
    const out: Partial<Record<Task, number>> = {};
    for (const task of TASKS) {
      const pool = this.val[task];
      if (!pool?.length) continue;
      let sum = 0;
      let n = 0;
      for (let i = 0; i < this.config.eval_batches; i++) {
        const exs = pool.slice(i * this.config.batch_size, (i + 1) * this.config.batch_size);
        if (!exs.length) break;
        const b = makeBatch(exs, this.tok, this.model.config.block_size);
        const v = tf.tidy(() => {
          const { ids, targets, mask, modality } = batchTensors(b);
          return this.model.loss(ids, targets, { mask, modality, training: false });
        });
        sum += v.dataSync()[0];
        v.dispose();
        n++;
      }
      if (n) out[task] = sum / n;
    }
    return out;
  }

  async save(dir: string): Promise<void> {
    const optim = this.opt.exportState(this.trainable);
    const opts: SaveOptions = {
      meta: { ...this.meta, step: this.step, train: this.config },
      state: { step: this.step, adam_t: optim.t },
      stateTensors: optim.tensors,
      // the folder is replaced whole, so it carries the complete history so far
      extraFiles: { [HISTORY_FILE]: historyJsonl(this.history) },
    };
    await (this.hooks.save ? this.hooks.save(dir, opts) : saveCheckpoint(dir, this.model, this.tok, opts));
  }

  private record(row: LogRow): void {
    this.history.push(row);
    appendHistoryRow(this.outDir, HISTORY_FILE, row);
  }
}

/** A batch's arrays as [B, T] tensors (call inside tf.tidy). */
function batchTensors(b: Batch): { ids: tf.Tensor2D; targets: tf.Tensor2D; mask: tf.Tensor2D; modality: tf.Tensor2D } {
  return {
    ids: tf.tensor2d(b.ids, [b.B, b.T], 'int32'),
    targets: tf.tensor2d(b.targets, [b.B, b.T], 'int32'),
    mask: tf.tensor2d(b.mask, [b.B, b.T], 'float32'),
    modality: tf.tensor2d(b.modality, [b.B, b.T], 'int32'),
  };
}

/** Per-task target masks of a mixed batch, with each task's share of all target tokens. */
export function taskMasks(b: Batch): { task: Task; mask: Float32Array; share: number }[] {
  const total = b.mask.reduce((a, x) => a + x, 0) || 1;
  return TASKS.filter((t) => b.tasks.includes(t)).map((task) => {
    const mask = new Float32Array(b.mask.length);
    b.tasks.forEach((bt, row) => {
      if (bt === task) for (let i = row * b.T; i < (row + 1) * b.T; i++) mask[i] = b.mask[i];
    });
    return { task, mask, share: mask.reduce((a, x) => a + x, 0) / total };
  }).filter((p) => p.share > 0); // a task with no target token in the window would give 0/0
}

/** `iter N: loss …, time …ms` (+ validation losses on eval steps). */
export function formatLogRow(r: LogRow, total: number): string {
  const val = r.val ? ' | val ' + Object.entries(r.val).map(([t, v]) => `${t} ${v!.toFixed(3)}`).join(', ') : '';
  return `iter ${r.step}/${total}: loss ${r.loss.toFixed(4)} (${r.task}), lr ${r.lr.toExponential(2)}, time ${r.ms.toFixed(0)}ms, ${(r.tokens / (r.ms / 1000)).toFixed(0)} tok/s${val}`;
}

/** A run's history from `<dir>/history.jsonl` (empty when there is none). */
export function readHistory(dir: string): LogRow[] {
  return readHistoryFile<LogRow>(dir, HISTORY_FILE);
}
