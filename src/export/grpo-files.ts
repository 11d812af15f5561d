/**
 * Character-GRPO for the official flow_grpo run: the prompt file (TRAIN side of splitGrpoPrompts
 * only, so the official run never trains on the prompts the workbench evaluates on) and a config
 * in the shape of flow_grpo/config/personalized_t2i_bagel.yaml carrying the workbench's GrpoSchema.
 *
 * Mapped (workbench -> official yaml):
 *   num_generations -> sample.num_image_per_prompt scale_rewards 'batch' -> sample.global_std
 *   epsilon -> train.clip_range_lt                 epsilon_high (or epsilon) -> train.clip_range_gt
 *   beta -> train.beta                             learning_rate -> train.learning_rate
 *   num_iterations -> train.num_inner_epochs       rewards -> reward_weights (vqa, clip_t,
 *                                                  diversity_lpips, dino_penalty, both thresholds)
 * Everything the official run has and the workbench does not (sampler steps, CFG, noise level,
 * resolution, epochs, ...) comes from the release's yaml (OFFICIAL_TEMPLATE) or --official-yaml.
 * Where the workbench used something the official code lacks, a warning goes into the yaml (as a
 * comment at the key) and to stderr.
 */
import * as fs from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Character } from '../data/rolescape/types';
import { splitGrpoPrompts } from '../data/grpo-split';
import type { GrpoConfig } from '../train/grpo-config';
import { RELEASE_BAND, RELEASE_WEIGHTS } from '../rewards/official';
import { UserError } from '../util/errors';
import type { ExportLayout } from './layout';
import { GrpoPureOutSchema, GrpoVqaOutSchema, GrpoYamlSchema, checkWritten, type GrpoYaml } from './schemas';

/** The values of the release's flow_grpo/config/personalized_t2i_bagel.yaml for what the workbench does not set. */
export const OFFICIAL_TEMPLATE = {
  gpu_number: 8, // used by the loader in num_batches_per_epoch = int(48 / (gpu_number * train_batch_size / num_image_per_prompt))
  dataset: '', // the exported prompt file (set per export)
  model: { local_path: '../models/BAGEL-7B-MoT', remote_oss_path: '../models/BAGEL-7B-MoT', huggingface_id: 'ByteDance-Seed/BAGEL-7B-MoT' },
  sample: { num_steps: 15, eval_num_steps: 50, guidance_scale: 4.0, eval_guidance_scale: 4.0, train_batch_size: 6, num_image_per_prompt: 8, test_batch_size: 1, same_latent: false, global_std: false, noise_level: 1.3, sde_window_size: 3, sde_window_range: [0, null] },
  train: { cfg: true, ema: false, batch_size: null, gradient_accumulation_steps: null, num_inner_epochs: 1, clip_range_lt: 0.00001, clip_range_gt: 0.00001, beta: 0, learning_rate: 0.00001 },
  resolution: 1024,
  mixed_precision: 'bf16',
  use_lora: false,
  activation_checkpointing: true,
  fsdp_optimizer_offload: true,
  save_freq: 10,
  eval_freq: 5,
  num_epochs: 101,
  save_dir: { full: '' }, // set per export
  run_name: { full: '' },
  reward_fn: { personalized_t2i: 1.0 },
  reward_weights: { ...RELEASE_WEIGHTS, ...RELEASE_BAND },
  prompt_fn: 'personalized_t2i',
  per_prompt_stat_tracking: true,
};
/** What the official scripts/multi_node/bagel/train.py can launch: it builds its command only for these. */
export const OFFICIAL_GPUS_PER_NODE = [8, 16];

export interface ExportWarning {
  /** Dotted key of the yaml the warning belongs to ('' for the file as a whole). */
  key: string;
  message: string;
}

// ---------- the prompt files ----------

export interface GrpoPromptFiles {
  withVqa: unknown[];
  pure: unknown[];
  trainPrompts: number;
  evalPrompts: number;
}

export function grpoPromptFiles(c: Character, L: ExportLayout): GrpoPromptFiles {
  const split = splitGrpoPrompts(c.grpo);
  const base = (p: Character['grpo'][number]) => ({ text: p.text, character: p.character, scene_id: p.sceneId, reference_images_path: L.referenceImagesPath });
  const withVqa = split.train.map((p) => ({
    ...base(p),
    vqa_questions: p.questions.map((q) => ({
      question: q.question,
      type: q.type,
      category: q.category,
      answer: q.answer,
      ...(q.choices ? { choices: q.choices } : {}),
      weight: q.weight,
      is_negative: q.isNegative,
    })),
  }));
  withVqa.forEach((r, i) => checkWritten(GrpoVqaOutSchema, r, `${L.grpoPrompts}: line ${i + 1}`));
  const pure = split.train.map(base);
  pure.forEach((r, i) => checkWritten(GrpoPureOutSchema, r, `${L.grpoPromptsPure}: line ${i + 1}`));
  return { withVqa, pure, trainPrompts: split.train.length, evalPrompts: split.eval.length };
}

// ---------- the yaml ----------

/** An official yaml as a template: a mapping, read as the official loader would (PyYAML-compatible YAML). */
export function readOfficialYaml(file: string): Record<string, unknown> {
  if (!fs.existsSync(file)) throw new UserError(`--official-yaml: ${file}: no such file`);
  let doc: unknown;
  try {
    doc = parseYaml(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${file}: expected a YAML mapping (a personalized_t2i_bagel.yaml)`);
  return doc as Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** b over a, mapping by mapping (lists and scalars of b replace a's). */
function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObject(v) && isObject(a[k]) ? deepMerge(a[k] as Record<string, unknown>, v) : v;
  return out;
}

const near = (a: number, b: number) => Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b));

export interface GrpoYamlResult {
  yaml: GrpoYaml;
  warnings: ExportWarning[];
  /** Workbench fields with no official yaml field (listed in the header). */
  notExported: string[];
}

export function grpoYaml(config: GrpoConfig, L: ExportLayout, o: { characterId: string; trainPrompts: number; template?: Record<string, unknown> }): GrpoYamlResult {
  const r = config.rewards;
  const base = deepMerge(OFFICIAL_TEMPLATE, o.template ?? {});
  const mapped = {
    dataset: L.grpoDatasetPath,
    sample: { num_image_per_prompt: config.num_generations, global_std: config.scale_rewards === 'batch' },
    train: {
      num_inner_epochs: config.num_iterations,
      clip_range_lt: config.epsilon,
      clip_range_gt: config.epsilon_high ?? config.epsilon,
      beta: config.beta,
      learning_rate: config.learning_rate,
    },
    use_lora: false,
    save_dir: { full: `logs/personalized_t2i/${L.grpoFolder}/cmrp-${L.slug}-full` },
    run_name: { full: `[bagel-personalized-t2i-${L.grpoFolder}]-cmrp` },
    reward_fn: { personalized_t2i: 1.0 },
    reward_weights: {
      vqa: r.weights.vqa,
      clip_t: r.weights.clip_t,
      diversity_lpips: r.weights.diversity_lpips,
      dino_penalty: r.weights.dino_penalty,
      dino_threshold_high: r.dino_threshold_high,
      dino_threshold_low: r.dino_threshold_low,
    },
  };
  const yaml = checkWritten(GrpoYamlSchema, deepMerge(base, mapped), L.grpoYaml);
  return { yaml, warnings: grpoWarnings(config, yaml, o.trainPrompts), notExported: NOT_EXPORTED };
}

const NOT_EXPORTED = [
  'steps and prompts_per_step (the official run counts epochs of 48 prompt groups: num_epochs, gpu_number, sample.train_batch_size)',
  'minibatches (official: num_batches_per_epoch, derived from the sampler settings)',
  'warmup, weight_decay, max_grad_norm (official: constant learning rate, AdamW decay 1e-4 and gradient clipping from flow_grpo/config/base.py)',
  'sample_interval, ckpt_interval (official: eval_freq, save_freq), seed (official: 42)',
];

/** Every place where the exported run will differ from the workbench run, or cannot run as written. */
export function grpoWarnings(config: GrpoConfig, y: GrpoYaml, trainPrompts: number): ExportWarning[] {
  const w: ExportWarning[] = [];
  const rw = config.rewards.weights;
  if (rw.diversity_lpips_per_sample > 0) w.push({ key: 'reward_weights', message: `diversity_lpips_per_sample ${rw.diversity_lpips_per_sample} is not exported: the official scorer has only the group diversity (diversity_lpips), which cancels out of per-prompt advantages` });
  for (const k of ['style', 'profile_facts', 'consistency'] as const) {
    if (rw[k] > 0) w.push({ key: 'reward_weights', message: `${k} ${rw[k]} is not exported: a text-side reward the official personalized_t2i scorer (vqa, clip_t, diversity_lpips, dino_penalty) lacks` });
  }
  const { dino_threshold_low: lo, dino_threshold_high: hi } = config.rewards;
  if (!near(lo, RELEASE_BAND.dino_threshold_low) || !near(hi, RELEASE_BAND.dino_threshold_high)) {
    w.push({ key: 'reward_weights.dino_threshold_low', message: `identity band ${lo} / ${hi} is calibrated for the workbench's identity judge, whose cosine is not DINOv2's: for the official DINOv2 scorer use dino_threshold_low ${RELEASE_BAND.dino_threshold_low} and dino_threshold_high ${RELEASE_BAND.dino_threshold_high} (the release's values)` });
  }
  if (config.loss_type === 'dr_grpo') w.push({ key: 'train', message: 'loss_type dr_grpo has no official equivalent: flow_grpo averages the clipped surrogate over samples and steps (like grpo; bnpo coincides with it for fixed-size images)' });
  if (config.scale_rewards === 'none') w.push({ key: 'sample.global_std', message: 'scale_rewards none has no official equivalent: flow_grpo always divides by a std (per prompt, or the batch std with global_std: true)' });
  if (config.skip_zero_std_groups) w.push({ key: 'per_prompt_stat_tracking', message: 'skip_zero_std_groups has no official equivalent: flow_grpo keeps such groups (their advantages are 0)' });
  if (config.clip_advantages !== null && !near(config.clip_advantages, 5)) w.push({ key: 'train', message: `clip_advantages ${config.clip_advantages} is not exported: flow_grpo clips |advantage| at train.adv_clip_max = 5 (config/base.py; the yaml loader does not read it)` });
  if (config.beta > 0) w.push({ key: 'train.beta', message: `beta ${config.beta}: the workbench's KL is the k3 estimator on image-token log-probs; flow_grpo's is the squared distance of the SDE step means to the reference's, scaled by 1/(2 sigma^2): the same beta weighs a different quantity` });
  if (config.temperature !== 1 || config.top_k !== 0) w.push({ key: 'sample.noise_level', message: `temperature ${config.temperature} / top_k ${config.top_k} (token sampling) have no official equivalent: flow_grpo explores through sample.noise_level` });
  if (config.mode === 'lora') w.push({ key: 'use_lora', message: 'mode lora is not exported: the official personalized_t2i_bagel config trains all weights (its loader sets use_lora from the config function, not from the yaml)' });
  if (!near(config.learning_rate, OFFICIAL_TEMPLATE.train.learning_rate)) w.push({ key: 'train.learning_rate', message: `learning_rate ${config.learning_rate} is the workbench's, tuned for a 1.8 M-parameter model; the release's 7B run used ${OFFICIAL_TEMPLATE.train.learning_rate}` });
  if (!near(config.epsilon, OFFICIAL_TEMPLATE.train.clip_range_lt) || !near(config.epsilon_high ?? config.epsilon, OFFICIAL_TEMPLATE.train.clip_range_gt)) {
    w.push({ key: 'train.clip_range_lt', message: `clip range ${config.epsilon} / ${config.epsilon_high ?? config.epsilon} bounds the workbench's per-token probability ratio; flow_grpo's ratio is per SDE step, and the release used ${OFFICIAL_TEMPLATE.train.clip_range_lt} / ${OFFICIAL_TEMPLATE.train.clip_range_gt}` });
  }
  // what the official sampler needs (flow_grpo/scripts/train_bagel.py DistributedKRepeatSampler, config loader)
  const n = y.gpu_number * y.sample.train_batch_size;
  const G = y.sample.num_image_per_prompt;
  if (n % G !== 0) w.push({ key: 'sample.num_image_per_prompt', message: `the official sampler needs gpu_number x sample.train_batch_size (${n}) divisible by num_image_per_prompt (${G}); it will stop with "k can not divide n*b"` });
  else if (n / G > trainPrompts) w.push({ key: 'sample.num_image_per_prompt', message: `the official sampler draws ${n / G} distinct prompts per round, more than the ${trainPrompts} training prompts: rounds will be short` });
  if (Math.floor(48 / (n / G)) < 2) w.push({ key: 'sample.train_batch_size', message: `num_batches_per_epoch = int(48 / (${n} / ${G})) < 2 gives gradient_accumulation_steps 0 in the official loader` });
  if (!OFFICIAL_GPUS_PER_NODE.includes(y.gpu_number)) w.push({ key: 'gpu_number', message: `gpu_number ${y.gpu_number}: the official launcher (scripts/multi_node/bagel/train.py) only builds its command for --GPUS_PER_NODE 8 or 16` });
  return w;
}

/** The yaml's comments: a header, and each warning at its key (or in the header when the key is absent). */
export function grpoYamlComments(res: GrpoYamlResult, o: { characterId: string; trainPrompts: number; evalPrompts: number; references: number; officialYaml?: string }): { top: string; keys: Record<string, { before?: string; inline?: string }> } {
  const keys: Record<string, { before?: string; inline?: string }> = {};
  const loose: string[] = [];
  const has = (k: string) => k.split('.').reduce<unknown>((v, p) => (isObject(v) ? v[p] : undefined), res.yaml) !== undefined;
  for (const wn of res.warnings) {
    if (wn.key && has(wn.key)) keys[wn.key] = { before: [keys[wn.key]?.before, `WARNING: ${wn.message}`].filter(Boolean).join('\n') };
    else loose.push(`WARNING: ${wn.message}`);
  }
  keys.dataset = { inline: `TRAIN side of the workbench's GRPO prompt split: ${o.trainPrompts} prompts; ${o.evalPrompts} held out for evaluation are not in it` };
  keys['sample.num_image_per_prompt'] = { ...keys['sample.num_image_per_prompt'], inline: 'workbench num_generations (G)' };
  keys['reward_weights.dino_penalty'] = { ...keys['reward_weights.dino_penalty'], inline: `the band's references: the ${o.references} PNGs in dataset/personalized_t2i/<G>/ (the workbench adds their tokenizer reconstructions)` };
  const top = [
    `Character-GRPO config for ${o.characterId}, exported by cmrp-lab (cmrp export official).`,
    `Shape of UniCharacter flow_grpo/config/personalized_t2i_bagel.yaml; the values the workbench has no counterpart for`,
    `come from ${o.officialYaml ? o.officialYaml : "the release's personalized_t2i_bagel.yaml"}.`,
    'Paths are relative to flow_grpo/, where the official run starts (model.local_path: ../models/BAGEL-7B-MoT, the',
    'checkout root, where the Unified-SFT README puts the model).',
    'Workbench fields with no official field, not exported:',
    ...res.notExported.map((s) => `  - ${s}`),
    ...loose,
  ].join('\n');
  return { top, keys };
}
