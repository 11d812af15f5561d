/**
 * Unified-SFT: few-shot customization of the base model to one character on its training split,
 * all tasks at once (role-play dialogue with the reply's picture, knowledge QA, VQA on the K
 * reference images, text-to-image on the K images), loss on the character's side only, with
 * text-to-image present in every batch as the official mixture makes it mandatory. Full finetuning
 * or LoRA adapters (one base, many characters). The same function makes the image-only
 * (DreamBooth-style) and text-only baselines by restricting the data groups.
 *
 *   npx cmrp sft --character NAME [--data DIR] [--shots K] [--config default|smoke|FILE] --out DIR
 */
import { readPresetOrFile, parseConfig } from '../util/config-file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors';
import { loadCharacter, type Character } from '../data/rolescape';
import { loadCheckpoint } from '../model/checkpoint';
import { LoraAdapters, LoraSchema } from '../model/lora';
import { isAdapterDir, loadAdapter, saveAdapter, baseFingerprint } from '../model/adapter';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { characterExamples, t2iExamples, Task, TASKS, Example } from './tasks';
import { loadRoleScape } from '../data/rolescape';
import { trainingImagePrompts, WORLD_DEFAULT_SIZE, CENTRED_JITTER, PlacementJitterSchema, type PlacementJitter } from '../data/synth';
import { readJsonFile } from '../util/fs';
import { Rng } from '../util/rng';
import { projectRoot } from '../util/paths';
import { ensureWorld, worldDirFor } from './pretrain';
import { encodeExamples, EncodedExample, ImageCodeCache } from './encode';
import { LmTrainSchema, LmTrainer, LogRow, readHistory, TrainerHooks, LM_TRAIN_KEY_RENAMES, LM_CONFIG_KEY_RENAMES } from './lm-trainer';
import { renameDeprecatedKeys, withDeprecatedKeys } from '../util/deprecated-keys';
import { loadCheckpointState } from '../model/checkpoint';
import { referenceIds } from '../data/shots';
import { discardStaleHistory } from './history';

/** Which data groups a run trains on: all of them, or one side (the single-modality baselines). */
export const SFT_DATA = ['unified', 'image-only', 'text-only'] as const;
export type SftData = (typeof SFT_DATA)[number];

/** LmTrainSchema with SFT's defaults: short, gentle, t2i in every batch, validation on the test split (bounds as LmTrainSchema's). */
const lm = LmTrainSchema.shape;
const SftTrainSchema = LmTrainSchema.extend({
  steps: lm.steps.removeDefault().default(150),
  learning_rate: lm.learning_rate.removeDefault().default(1e-3),
  min_lr: lm.min_lr.removeDefault().default(1e-4),
  warmup: lm.warmup.removeDefault().default(10),
  log_interval: lm.log_interval.removeDefault().default(10),
  eval_interval: lm.eval_interval.removeDefault().default(25),
  eval_batches: lm.eval_batches.removeDefault().default(1),
  ckpt_interval: lm.ckpt_interval.removeDefault().default(0),
  mandatory_t2i: lm.mandatory_t2i.removeDefault().default(4),
});

export const SftSchema = z
  .object({
    train: withDeprecatedKeys(SftTrainSchema, LM_TRAIN_KEY_RENAMES).default({}), // optimization (old key names lr, clip_norm load with a notice); validation losses are on the character's test split (curves only, no selection)
    shots: z.number().int().positive().max(1000).default(10), // K reference images (the first K training images)
    data: z.enum(SFT_DATA).default('unified'), // unified: all four task groups; image-only: t2i alone (DreamBooth-style); text-only: dialogues without pictures + knowledge
    mode: z.enum(['full', 'lora']).default('full'), // full finetuning, or LoRA adapters saved apart from the base
    lora: LoraSchema.default({}), // adapter shape when mode is lora
    name_only_t2i: z.boolean().default(true), // also train text-to-image on name-only prompts built from each reference image's labels (synthetic data), the form users and the evaluation prompt with: binds the name to the look
    prior_images: z.number().int().min(0).max(100_000).default(200), // prior preservation: this many world characters' text-to-image examples join the t2i pool, so the model keeps drawing new compositions instead of copying its references; 200 chosen over 40 on 5 validation characters outside the main grid (README, Unified-SFT)
  })
  .strict();
export type SftConfig = z.infer<typeof SftSchema>;

export const SFT_PRESETS: Record<string, z.input<typeof SftSchema>> = {
  default: {},
  smoke: { train: { steps: 6, batch_size: 4, mandatory_t2i: 1, warmup: 1, log_interval: 2, eval_interval: 3, eval_batches: 1, ckpt_interval: 3 }, prior_images: 4 }, // a checkpoint every 3 steps: a kill loses at most 2
};

/** A preset name or a JSON file, merged over the defaults; `overrides` (e.g. --shots) win. */
export function resolveSftConfig(nameOrFile: string, overrides: Partial<z.input<typeof SftSchema>> | Record<string, unknown> = {}): SftConfig {
  const raw = readPresetOrFile(nameOrFile, SFT_PRESETS);
  // overrides replace fields, except `train`, whose fields are merged one by one
  const base = raw as Record<string, unknown>;
  const over = overrides as Record<string, unknown>;
  // old train key names are renamed in each part first, so an override under the new name replaces the file's old one
  const train = (c: Record<string, unknown>, where: string) => renameDeprecatedKeys(c, LM_CONFIG_KEY_RENAMES, { where }).train as object | undefined;
  const merged = { ...base, ...over, ...(base.train || over.train ? { train: { ...train(base, nameOrFile), ...train(over, 'overrides') } } : {}) };
  return parseConfig(SftSchema, merged, nameOrFile);
}

/**
 * The examples a run trains on (train split, K reference images; plus the prior's world examples in
 * the t2i pool) and validates on (test split).
 */
export function sftExamples(c: Character, config: SftConfig, prior: readonly Example[] = []): { train: Record<Task, Example[]>; val: Record<Task, Example[]> } {
  const textOnly = config.data === 'text-only';
  const nameOnlyPrompts = config.name_only_t2i ? trainingImagePrompts(c.root, c.id) : null;
  const train = characterExamples(c, { imageIds: referenceIds(c, config.shots), textOnly, nameOnlyPrompts });
  if (!textOnly) train.t2i.push(...prior);
  const val = characterExamples(c, { split: 'test', textOnly });
  if (config.data === 'image-only') for (const t of TASKS) if (t !== 't2i') (train[t] = []), (val[t] = []);
  return { train, val };
}

export interface SftRun {
  trainer: LmTrainer;
  model: Transformer;
  tok: Tokenizers;
  character: Character;
  config: SftConfig;
  counts: Record<Task, number>;
  adapters: LoraAdapters | null;
}

const NAME_OF: Record<SftData, string> = { unified: 'unified-sft', 'image-only': 'image-only', 'text-only': 'text-only' };

/** Stop in one line unless `dir` holds a model checkpoint (commands check it before claiming --out). */
export function assertBaseCheckpoint(dir: string): void {
  if (!fs.existsSync(path.join(dir, 'config.json'))) throw new UserError(`--base: ${dir}: no model checkpoint there (expected config.json from cmrp pretrain)`);
}

/**
 * Set up (or resume, when `outDir` holds this run's checkpoint) Unified-SFT of `characterId` from
 * the base at `baseDir`; `await run.trainer.run()` trains, in chunks if you like.
 */
export async function prepareSft(config: SftConfig, opts: { baseDir: string; dataDir: string; character: string | Character; outDir: string | null; worldDir?: string; log?: (s: string) => void }): Promise<SftRun> {
  const log = opts.log ?? (() => {});
  assertBaseCheckpoint(opts.baseDir);
  const character = typeof opts.character === 'string' ? (await loadCharacter(opts.dataDir, opts.character)).character : opts.character;
  const resume = opts.outDir !== null && (fs.existsSync(path.join(opts.outDir, 'config.json')) || isAdapterDir(opts.outDir));
  let model: Transformer, tok: Tokenizers, adapters: LoraAdapters | null = null;
  if (resume && config.mode === 'lora') {
    const ck = loadAdapter(opts.outDir!);
    (model = ck.model), (tok = ck.tokenizers), (adapters = ck.adapters);
  } else {
    const ck = loadCheckpoint(resume ? opts.outDir! : opts.baseDir);
    (model = ck.model), (tok = ck.tokenizers);
    if (config.mode === 'lora') model.adapters = adapters = new LoraAdapters(config.lora, model, config.train.seed);
  }
  if (!resume) discardStaleHistory(opts.outDir, 'history.jsonl');
  const cache = new ImageCodeCache(tok);
  // prior examples come from a world drawn as the base's was (figures centred or moved)
  const placement = basePlacement(opts.baseDir);
  const priorWorld = opts.worldDir ?? worldDirFor(path.join(projectRoot(), 'data'), WORLD_DEFAULT_SIZE, placement);
  const ex = sftExamples(character, config, config.data === 'text-only' ? [] : await priorExamples(config.prior_images, priorWorld, config.train.seed, placement));
  const encode = async (byTask: Record<Task, Example[]>, cap: number) => {
    const out = {} as Record<Task, EncodedExample[]>;
    for (const t of TASKS) out[t] = await encodeExamples(byTask[t].slice(0, cap), tok, cache);
    return out;
  };
  const train = await encode(ex.train, Number.MAX_SAFE_INTEGER);
  const val = await encode(ex.val, config.train.eval_batches * config.train.batch_size);
  const counts = Object.fromEntries(TASKS.map((t) => [t, train[t].length])) as Record<Task, number>;
  if (TASKS.every((t) => counts[t] === 0)) throw new UserError(`${character.id}: no training examples for data "${config.data}" in ${character.root}`);
  const weights = { ...config.train.task_weights };
  for (const t of TASKS) if (!counts[t]) weights[t] = 0;
  const trainConfig = { ...config.train, task_weights: weights, mandatory_t2i: counts.t2i ? config.train.mandatory_t2i : 0 };
  log(`${character.id}: ${config.data} SFT (${config.mode}) from ${opts.baseDir}; ${config.shots} reference images; examples ${TASKS.map((t) => `${t} ${counts[t]}`).join(', ')}; trains ${(adapters ? adapters.numParams() : model.numParams()).toLocaleString()} parameters`);
  const baseSha = baseFingerprint(opts.baseDir);
  const hooks: TrainerHooks = adapters
    ? { trainable: adapters.params, save: (dir, o) => saveAdapter(dir, adapters!, opts.baseDir, { ...o, baseSha256: baseSha }) }
    : {};
  const meta = { kind: 'sft', name: NAME_OF[config.data], character: character.id, data_root: character.root, base: path.resolve(opts.baseDir), base_sha256: baseSha, sft: config, references: [...referenceIds(character, config.shots)] };
  const trainer = new LmTrainer(model, tok, train, val, trainConfig, opts.outDir, meta, hooks);
  if (resume) {
    const saved = loadCheckpointState(opts.outDir!);
    const t = saved?.state.adam_t;
    trainer.resumeFrom(readHistory(opts.outDir!), typeof t === 'number' && saved ? { t, tensors: saved.tensors } : undefined, typeof saved?.state.step === 'number' ? saved.state.step : undefined);
    log(`resuming from ${opts.outDir} at step ${trainer.step}`);
  }
  return { trainer, model, tok, character, config, counts, adapters };
}

/** The placement of the world a base was pretrained on (`meta.pretrain.world_placement`; centred when absent). */
export function basePlacement(baseDir: string): PlacementJitter {
  const file = path.join(baseDir, 'config.json');
  const meta = readJsonFile<{ meta?: { pretrain?: { world_placement?: unknown } } }>(file, 'the model config').meta;
  const raw = meta?.pretrain?.world_placement;
  return raw === undefined ? CENTRED_JITTER : parseConfig(PlacementJitterSchema, raw, file, { under: 'meta.pretrain.world_placement' });
}

/**
 * Prior preservation (DreamBooth): `n` text-to-image examples of world characters (a seeded draw,
 * card-less prompts with the look spelled out), from the world corpus at `worldDir` (default
 * data/world, built when missing). No evaluation character is in the world.
 */
export async function priorExamples(n: number, worldDir = worldDirFor(path.join(projectRoot(), 'data'), WORLD_DEFAULT_SIZE), seed = 0, placement: PlacementJitter = CENTRED_JITTER): Promise<Example[]> {
  if (n === 0) return [];
  await ensureWorld(worldDir, WORLD_DEFAULT_SIZE, 0, placement);
  const { characters } = await loadRoleScape(worldDir);
  const pool = characters.flatMap((c) => t2iExamples(c));
  return new Rng(seed + 4099).sample(pool, Math.min(n, pool.length));
}

export type { LogRow };
