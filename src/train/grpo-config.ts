/**
 * Character-GRPO's configuration: one zod schema (every field defaulted and commented), named
 * presets, and a resolver shared by `cmrp grpo` and the notebooks. Reward weights and thresholds
 * are the reward config of src/rewards (the official personalized_t2i_bagel.yaml block imports
 * into it).
 */
import { readPresetOrFile, parseConfig } from '../util/config-file';
import { z } from 'zod';
import { SEED_MAX } from '../util/rng';
import { LoraSchema } from '../model/lora';
import { RewardConfigSchema } from '../rewards/config';
import { renameDeprecatedKeys, withDeprecatedKeys } from '../util/deprecated-keys';

/**
 * Keys renamed to TRL's GRPOConfig names (issue 15); the old names still load, with a one-line
 * notice (util/deprecated-keys.ts). Same positions in the schema, so a config's key order is kept.
 */
export const GRPO_KEY_RENAMES = {
  group_size: 'num_generations',
  max_reply_tokens: 'max_completion_length',
  lr: 'learning_rate',
  clip_norm: 'max_grad_norm',
  inner_epochs: 'num_iterations',
  scale_advantages: 'scale_rewards',
} as const;

const GrpoFields = z
  .object({
    steps: z.number().int().positive().max(1_000_000).default(100), // optimizer steps (each: sample, score, update)
    prompts_per_step: z.number().int().positive().max(256).default(4), // prompts drawn per step from the character's GRPO training prompts
    num_generations: z.number().int().min(2).max(256).default(8), // G samples per prompt (was group_size); advantages are normalized within each prompt's group
    rollouts: z.enum(['t2i', 'roleplay']).default('t2i'), // t2i: drawings for the GRPO prompts (the paper); roleplay: whole role-play turns, the reply text then its picture, on the training image-dialogues (text-side rewards apply)
    max_completion_length: z.number().int().positive().max(1024).default(48), // roleplay: longest reply text in tokens (the picture's codes come on top) (was max_reply_tokens)
    temperature: z.number().finite().min(0.05).max(10).default(1), // sampling temperature of the policy (log-probs use the same)
    top_k: z.number().int().min(0).max(65_536).default(0), // 0: sample from every image code; k: the k most likely (the log-probs stay those of the full constrained distribution)
    learning_rate: z.number().finite().positive().max(1).default(1e-4), // AdamW learning rate, constant after warm-up (was lr)
    warmup: z.number().int().min(0).max(1_000_000).default(5), // linear warm-up steps
    weight_decay: z.number().finite().min(0).max(10).default(0), // AdamW decoupled decay
    max_grad_norm: z.number().finite().positive().max(1e6).default(1), // global gradient-norm clip (was clip_norm)
    epsilon: z.number().finite().positive().max(10).default(0.2), // clip range of the token ratio, lower side (1 - epsilon)
    epsilon_high: z.number().finite().positive().max(10).nullable().default(null), // upper side (1 + epsilon_high); null: epsilon (DAPO's clip-higher when larger)
    num_iterations: z.number().int().positive().max(100).default(1), // mu: passes over each step's rollouts, ratios move away from 1 after the first (was inner_epochs)
    minibatches: z.number().int().positive().max(65_536).default(1), // gradient steps per pass (rollouts split evenly)
    beta: z.number().finite().min(0).max(100).default(0), // KL coefficient to the frozen reference policy (k3 estimator); 0: no reference is held (the official config uses 0)
    loss_type: z.enum(['grpo', 'bnpo', 'dr_grpo']).default('grpo'), // token aggregation: per-sequence mean then batch mean / token mean over the batch / sum over (batch x max length)
    scale_rewards: z.enum(['group', 'batch', 'none']).default('group'), // divide centred rewards by the group's std, the batch std, or nothing (Dr. GRPO) (was scale_advantages)
    clip_advantages: z.number().finite().positive().max(1e6).nullable().default(null), // clip |advantage| to this; null: no clip
    skip_zero_std_groups: z.boolean().default(false), // drop groups whose rewards are all equal (they carry no signal)
    rewards: RewardConfigSchema.default({}), // weights and identity-band thresholds
    mode: z.enum(['full', 'lora']).default('full'), // train all weights or LoRA adapters on the SFT model
    lora: LoraSchema.default({}),
    sample_interval: z.number().int().min(0).max(1_000_000).default(10), // keep a sample grid every N steps (0: never)
    ckpt_interval: z.number().int().min(0).max(1_000_000).default(0), // checkpoint every N steps (0: only at the end)
    seed: z.number().int().min(0).max(SEED_MAX).default(0), // prompt order and sampling: step s of a run is the same whether resumed or not
    workers: z.number().int().min(0).max(256).default(0), // threads that draw the groups and differentiate the update (src/parallel/), each with a model copy; 0: one per core; LoRA uses one. The numbers do not depend on it
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.minibatches > c.prompts_per_step * c.num_generations) ctx.addIssue({ code: 'custom', path: ['minibatches'], message: `at most prompts_per_step x num_generations = ${c.prompts_per_step * c.num_generations}` });
  });
/** The schema; the old key names (GRPO_KEY_RENAMES) are rewritten first, with a notice. */
export const GrpoSchema = withDeprecatedKeys(GrpoFields, GRPO_KEY_RENAMES);
export type GrpoConfig = z.infer<typeof GrpoSchema>;
export type GrpoConfigInput = z.input<typeof GrpoSchema>;

export const GRPO_PRESETS: Record<string, GrpoConfigInput> = {
  default: {},
  smoke: { steps: 3, prompts_per_step: 2, num_generations: 3, sample_interval: 2, warmup: 1, ckpt_interval: 1 }, // checkpoints every step: a kill loses at most one
};

/**
 * The config as a run's identity (the `--out` manifest, an experiment cell's key): how many
 * threads compute a run is not which run it is, so a resume may change it and cached cells stay.
 */
export function grpoIdentity(c: GrpoConfig): Omit<GrpoConfig, 'workers'> {
  const { workers: _workers, ...rest } = c;
  return rest;
}

/** A preset name or a JSON file, with overrides (e.g. from the CLI) merged over it; `rewards` merges field by field. */
export function resolveGrpoConfig(nameOrFile: string, overrides: Record<string, unknown> = {}): GrpoConfig {
  // old names are renamed in each part before merging, so an override under the new name replaces the file's old one
  const base = renameDeprecatedKeys(readPresetOrFile(nameOrFile, GRPO_PRESETS) as Record<string, unknown>, GRPO_KEY_RENAMES, { where: nameOrFile });
  overrides = renameDeprecatedKeys(overrides, GRPO_KEY_RENAMES, { where: 'overrides' });
  const merged = { ...base, ...overrides, ...(base.rewards || overrides.rewards ? { rewards: mergeRewards(base.rewards, overrides.rewards) } : {}) };
  return parseConfig(GrpoSchema, merged, nameOrFile);
}


function mergeRewards(a: unknown, b: unknown): Record<string, unknown> {
  const x = (a ?? {}) as Record<string, unknown>, y = (b ?? {}) as Record<string, unknown>;
  return { ...x, ...y, ...(x.weights || y.weights ? { weights: { ...(x.weights as object), ...(y.weights as object) } } : {}) };
}
