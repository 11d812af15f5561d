/**
 * Character-GRPO (group relative policy optimization) on text-to-image, after Unified-SFT:
 * each step draws `prompts_per_step` of the character's GRPO training prompts, samples G drawings
 * per prompt, scores them with the reward components (src/rewards), normalizes rewards within each
 * prompt's group into advantages, and takes clipped-surrogate steps on the image tokens
 * (grpo/objective.ts), optionally with a KL penalty to the frozen SFT policy. With `workers` > 1
 * the groups are drawn, and the update's rows differentiated, on several threads (grpo-workers.ts).
 *
 * Runs in chunks (`await trainer.run(n)` continues where it stopped); `setRewardWeights` between
 * chunks changes the reward, and every history row records the weights in force. Every raw reward
 * measurement is kept, so stored rollouts can be re-weighted without sampling again (what-if).
 *
 *   npx cmrp grpo --character NAME --model SFT_DIR [--config default|smoke|FILE] --out DIR
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Character, GrpoPrompt } from '../data/rolescape/types';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { AdamW } from '../model/optim';
import type { SaveOptions } from '../model/checkpoint';
import { saveCheckpoint } from '../model/checkpoint';
import type { Judges } from '../judges';
import type { TextJudges } from '../judges/text';
import { Rng } from '../util/rng';
import { measureRewards, combineRewards, groupAdvantages, zeroStdGroupShare, zeroStdGroups, TEXT_SIDE_COMPONENTS, type RewardMeasurements, type RewardConfig } from '../rewards';
import { appendHistoryRow, historyJsonl, readHistoryFile, truncateHistory } from './history';
import { assertFiniteStep } from './finite';
import { renameDeprecatedKeys } from '../util/deprecated-keys';

export const GRPO_HISTORY_FILE = 'grpo_history.jsonl';
import type { Segment } from './tasks';
import { GrpoConfig, grpoIdentity } from './grpo-config';
import { sampleRollouts, sampleRoleplayRollouts, Rollouts, RoleplayPrompt } from './rollout';
import { grpoUpdate } from './grpo-update';
import { GrpoWorkers } from './grpo-workers';
import { resolveWorkers } from '../parallel/pool';
import type { StyleCandidate } from '../judges/text/style';

export interface Stat {
  mean: number;
  std: number;
}

export interface GrpoRow {
  step: number;
  /** Reward weights and band thresholds in force at this step. */
  rewards: RewardConfig;
  /** reward/<component> and reward/total: mean and std over the step's rollouts. */
  reward: Record<string, Stat>;
  /** Share of the step's groups whose rewards are all equal (TRL's name; was frac_zero_std). */
  frac_reward_zero_std: number;
  kl: number;
  /** Share of completion tokens where the clipped term was the active one, at either bound (TRL's name; was clip_frac). */
  'clip_ratio/region_mean': number;
  entropy: number;
  policy_loss: number;
  grad_norm: number;
  lr: number;
  ms: number;
  /** Where the time went: sampling, judging, updating. */
  ms_sample: number;
  ms_reward: number;
  ms_update: number;
}

/** One step's rollouts as kept for inspection and what-if re-weighting. */
export interface StoredStep {
  step: number;
  prompts: string[]; // per group
  groups: number[];
  measurements: RewardMeasurements;
  images: Uint8Array[] | null; // kept for the last steps and for sample-grid steps only
}

export interface GrpoParts {
  model: Transformer;
  tok: Tokenizers;
  character: Character;
  /** The prompts GRPO may train on (the train side of splitGrpoPrompts). */
  prompts: GrpoPrompt[];
  /** Role-play prompts (training image-dialogues), for `rollouts: 'roleplay'`. */
  roleplayPrompts: RoleplayPrompt[];
  /** Every character of the dataset with its training lines: the style reward's candidates. */
  styleCandidates?: StyleCandidate[];
  context: Segment[];
  references: Uint8Array[];
  judges: Judges;
  textJudges?: TextJudges;
  /** Frozen reference policy for the KL term (null when beta is 0). */
  reference: Transformer | null;
  trainable: Map<string, tf.Variable>;
  save: (dir: string, opts: SaveOptions) => Promise<void>;
  meta: Record<string, unknown>;
}


const stat = (xs: ArrayLike<number>): Stat => {
  const n = xs.length || 1;
  let m = 0;
  for (let i = 0; i < xs.length; i++) m += xs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < xs.length; i++) v += (xs[i] - m) ** 2;
  return { mean: m, std: Math.sqrt(v / n) };
};

export class GrpoTrainer {
  readonly history: GrpoRow[] = [];
  readonly stored: StoredStep[] = [];
  step = 0;
  private rewardConfig: RewardConfig;
  private readonly opt: AdamW;
  private readonly keepImagesFor = 3;
  private workers: GrpoWorkers | undefined; // data-parallel threads, made on the first step

  constructor(readonly parts: GrpoParts, readonly config: GrpoConfig, readonly outDir: string | null = null) {
    this.rewardConfig = structuredClone(config.rewards);
    this.opt = new AdamW({ lr: config.learning_rate, weightDecay: config.weight_decay, clipNorm: config.max_grad_norm });
    if (config.rollouts === 't2i' && parts.prompts.length === 0) throw new Error(`GRPO: ${parts.character.id} has no GRPO training prompts`);
    if (config.rollouts === 'roleplay' && parts.roleplayPrompts.length === 0) throw new Error(`GRPO: ${parts.character.id} has no training image-dialogues for role-play rollouts`);
  }

  /** Change reward weights (and thresholds) from the next step on; unspecified ones stay. */
  setRewardWeights(w: Partial<RewardConfig['weights']>, thresholds: { dino_threshold_low?: number; dino_threshold_high?: number } = {}): void {
    this.rewardConfig = { ...this.rewardConfig, ...thresholds, weights: { ...this.rewardConfig.weights, ...w } };
  }

  get rewards(): RewardConfig {
    return this.rewardConfig;
  }

  /** The prompts of step `step` (a seeded draw: the same whether the run was resumed or not). */
  promptsOf(step: number): GrpoPrompt[] {
    return this.pick(step, this.parts.prompts);
  }

  /** The role-play prompts of step `step` (same seeded rule). */
  roleplayPromptsOf(step: number): RoleplayPrompt[] {
    return this.pick(step, this.parts.roleplayPrompts);
  }

  private pick<T>(step: number, pool: readonly T[]): T[] {
    const rng = new Rng(this.config.seed * 1_000_003 + step);
    return rng.sample(pool, Math.min(this.config.prompts_per_step, pool.length));
  }

  async run(steps = this.config.steps - this.step, onStep?: (row: GrpoRow, rollouts: Rollouts) => void): Promise<GrpoRow[]> {
    const end = Math.min(this.config.steps, this.step + steps);
    const rows: GrpoRow[] = [];
    while (this.step < end) {
      const { row, rollouts } = await this.trainStep();
      rows.push(row);
      onStep?.(row, rollouts);
      if (this.outDir && ((this.config.ckpt_interval > 0 && this.step % this.config.ckpt_interval === 0) || this.step === this.config.steps)) await this.save(this.outDir);
    }
    if (this.step >= this.config.steps) await this.dispose(); // the workers' threads and model copies go with the run
    return rows;
  }

  private async trainStep(): Promise<{ row: GrpoRow; rollouts: Rollouts }> {
    const c = this.config;
    const { model, tok } = this.parts;
    const t0 = performance.now();
    const rng = new Rng(c.seed * 1_000_003 + this.step).fork('sample');
    const threads = this.threads();
    const sampling = { rng, temperature: c.temperature, topK: c.top_k, draw: threads.draw };
    const rollouts = c.rollouts === 'roleplay'
      ? await sampleRoleplayRollouts(model, tok, this.parts.character, this.parts.context, this.roleplayPromptsOf(this.step), c.num_generations, { ...sampling, maxTextTokens: c.max_completion_length })
      : await sampleRollouts(model, tok, this.parts.character, this.parts.context, this.promptsOf(this.step), c.num_generations, sampling);
    const t1 = performance.now();
    const ctx = {
      judges: this.parts.judges, textJudges: this.parts.textJudges, character: this.parts.character, references: this.parts.references, styleCandidates: this.parts.styleCandidates,
      dinoThresholdLow: this.rewardConfig.dino_threshold_low, dinoThresholdHigh: this.rewardConfig.dino_threshold_high,
    };
    const measurements = measureRewards({ images: rollouts.images, prompts: rollouts.prompts, groups: rollouts.groups, texts: rollouts.texts }, ctx);
    const scored = combineRewards(measurements, this.rewardConfig);
    const advantages = groupAdvantages(scored.total, rollouts.groups, { scale: c.scale_rewards, clip: c.clip_advantages ?? undefined });
    const zeroStd = zeroStdGroupShare(scored.total, rollouts.groups);
    const t2 = performance.now();

    // which rollouts update the policy (all, or all but zero-variance groups)
    let keep = rollouts.sequences.map((_, i) => i);
    if (c.skip_zero_std_groups) {
      const flat = zeroStdGroups(scored.total, rollouts.groups); // the same rule as the logged frac_reward_zero_std
      keep = keep.filter((i) => !flat.has(rollouts.groups[i]));
    }
    const upd = keep.length
      ? await grpoUpdate({ model, tok, reference: this.parts.reference, config: c, workers: threads, opt: this.opt, vars: [...this.parts.trainable.values()], step: this.step }, rollouts, keep, advantages)
      : { loss: 0, clipFrac: 0, kl: 0, gradNorm: 0, entropy: 0 };
    const t3 = performance.now();
    // finite or nothing: stop before this step is recorded or saved
    const hint = `a learning rate (learning_rate ${c.learning_rate}) or sampling temperature (${c.temperature}) out of range`;
    assertFiniteStep('the mean reward', stat(scored.total).mean, this.step + 1, { lr: c.learning_rate, hint });
    assertFiniteStep('the policy loss', upd.loss, this.step + 1, { lr: c.learning_rate, hint });
    assertFiniteStep('the gradient norm', upd.gradNorm, this.step + 1, { lr: c.learning_rate, hint });

    this.step++;
    // logged: the total, every image-side component (weighted or not, for comparison), the raw
    // identity similarity s of the band; text-side components only when they carry weight
    const reward: Record<string, Stat> = { total: stat(scored.total) };
    for (const [name, v] of Object.entries(scored.components)) {
      if ((TEXT_SIDE_COMPONENTS as readonly string[]).includes(name) && c.rollouts !== 'roleplay' && !((this.rewardConfig.weights as Record<string, number>)[name] > 0)) continue;
      reward[name] = stat(v!);
    }
    if (measurements.raw.identity_similarity) reward.identity_similarity = stat(measurements.raw.identity_similarity);
    const row: GrpoRow = {
      step: this.step, rewards: structuredClone(this.rewardConfig), reward, frac_reward_zero_std: zeroStd, kl: upd.kl, 'clip_ratio/region_mean': upd.clipFrac,
      entropy: upd.entropy, policy_loss: upd.loss, grad_norm: upd.gradNorm, lr: this.opt.lr, ms: t3 - t0, ms_sample: t1 - t0, ms_reward: t2 - t1, ms_update: t3 - t2,
    };
    this.record(row);
    const groupsPrompts = [...new Set(rollouts.groups)].map((g) => rollouts.prompts[rollouts.groups.indexOf(g)].text);
    this.stored.push({ step: this.step, prompts: groupsPrompts, groups: rollouts.groups.slice(), measurements, images: rollouts.images });
    // bound memory: images only for the latest steps and the sample-grid steps
    for (const s of this.stored.slice(0, -this.keepImagesFor)) if (!(c.sample_interval > 0 && (s.step === 1 || s.step % c.sample_interval === 0))) s.images = null;
    return { row, rollouts };
  }

  /** The data-parallel threads for `config.workers` (made on the first step; one worker: this thread only). */
  private threads(): GrpoWorkers {
    return (this.workers ??= GrpoWorkers.start(this.parts.model, this.parts.tok, this.parts.trainable, this.config.workers));
  }

  /** How many threads sample and differentiate (known after the first step; before it, what would start). */
  get workerCount(): number {
    return this.workers?.count ?? resolveWorkers(this.config.workers, this.parts.model).workers;
  }

  /** Stop the worker threads (they also stop with the process, and when a run reaches its last step). */
  async dispose(): Promise<void> {
    await this.workers?.dispose();
    this.workers = undefined;
  }

  async save(dir: string): Promise<void> {
    const optim = this.opt.exportState(this.parts.trainable);
    await this.parts.save(dir, {
      meta: { ...this.parts.meta, step: this.step, grpo: grpoIdentity(this.config), rewards_in_force: this.rewardConfig },
      state: { step: this.step, adam_t: optim.t, rewards: this.rewardConfig },
      stateTensors: optim.tensors,
      extraFiles: { [GRPO_HISTORY_FILE]: historyJsonl(this.history) },
    });
  }

  /** Continue from saved history, optimizer state and reward config. */
  resumeFrom(history: GrpoRow[], state?: { t: number; tensors: Map<string, { shape: number[]; data: Float32Array }>; rewards?: RewardConfig; step?: number }): void {
    // the checkpoint's step, not the history's last row: rows after it were never saved
    const step = state?.step ?? (history.length ? history[history.length - 1].step : 0);
    this.history.splice(0, this.history.length, ...truncateHistory(this.outDir, GRPO_HISTORY_FILE, history, step));
    this.step = step;
    if (state) this.opt.importState(this.parts.trainable, state.t, state.tensors);
    if (state?.rewards) this.rewardConfig = state.rewards;
  }

  private record(row: GrpoRow): void {
    this.history.push(row);
    appendHistoryRow(this.outDir, GRPO_HISTORY_FILE, row);
  }
}

/** Metrics renamed to what TRL's GRPOTrainer logs (issue 15): old name -> new name. */
export const GRPO_METRIC_RENAMES = { frac_zero_std: 'frac_reward_zero_std', clip_frac: 'clip_ratio/region_mean' } as const;

/** A history row as written before or after the rename, under the current metric names. */
export function upgradeGrpoRow(row: GrpoRow): GrpoRow {
  return renameDeprecatedKeys(row, GRPO_METRIC_RENAMES, { quiet: true });
}

/** The run's history; rows written under the old metric names (frac_zero_std, clip_frac) come back under the new ones. */
export function readGrpoHistory(dir: string): GrpoRow[] {
  return readHistoryFile<GrpoRow>(dir, GRPO_HISTORY_FILE).map(upgradeGrpoRow);
}

export { saveCheckpoint };
