/**
 * Base pretraining: the tiny unified model learns the four task formats on the synthetic world
 * corpus (no evaluation character is in it): role-play with the character card in the prompt,
 * knowledge QA, VQA and text-to-image. This stands in for BAGEL's pretraining: UniCharacter starts
 * from a model that already converses, understands and draws, and only customizes it.
 *
 *   npx cmrp pretrain --config base --out checkpoints/base      (resumes from --out when it exists)
 */
import { readPresetOrFile, parseConfig } from '../util/config-file';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { z } from 'zod';
import { UserError } from '../util/errors';
import { Rng, SEED_MAX } from '../util/rng';
import { synthesize, readSynthIndex, WORLD_DEFAULT_SIZE, WORLD_MAX_SIZE, CENTRED_JITTER, MOVED_FIGURE, SHIFTED_FIGURE, CHARACTER_PLACEMENT, PlacementJitterSchema, keepsCentred, placementName, samePlacement, type PlacementJitter } from '../data/synth';
import { loadRoleScape, type Character } from '../data/rolescape';
import { splitHeldOutCharacters } from '../data/held-out';
import { fitTokenizers } from '../tokenizers/fit';
import type { Tokenizers } from '../tokenizers/bundle';
import { ModelConfigSchema, BASE_CONFIG } from '../model/config';
import { Transformer } from '../model/transformer';
import { loadCheckpoint, loadCheckpointState } from '../model/checkpoint';
import { characterExamples, t2iExamples, Task, TASKS, Example } from './tasks';
import { encodeExamples, EncodedExample, ImageCodeCache } from './encode';
import { LmTrainSchema, LmTrainer, LogRow, readHistory, LM_TRAIN_KEY_RENAMES } from './lm-trainer';
import { withDeprecatedKeys } from '../util/deprecated-keys';
import { discardStaleHistory } from './history';

export const PretrainSchema = z
  .object({
    model: ModelConfigSchema.default(BASE_CONFIG as z.input<typeof ModelConfigSchema>), // the unified model (vocab_size must equal the tokenizers')
    train: withDeprecatedKeys(LmTrainSchema, LM_TRAIN_KEY_RENAMES).default({}), // optimization and logging (old key names lr, clip_norm load with a notice)
    world_characters: z.number().int().positive().max(WORLD_MAX_SIZE).default(240), // size of the synthetic world corpus
    tokenizer_characters: z.number().int().positive().max(WORLD_MAX_SIZE).default(240), // the tokenizers are fitted on a world of this many characters (same seed; a larger world gives the same codebook statistics, only slower)
    world_seed: z.number().int().min(0).max(SEED_MAX).default(0), // seed of the world corpus (its eval exclusions follow the same seed)
    heldout_characters: z.number().int().min(1).max(WORLD_MAX_SIZE).default(12), // world characters kept out of training, for validation
    text_vocab_size: z.number().int().positive().max(65_536).default(1008), // text BPE size (16 specials + text + image codes = vocab_size)
    codebook_size: z.number().int().positive().max(65_536).default(512), // image codes
    max_examples_per_task: z.number().int().positive().max(100_000_000).default(1_000_000), // cap per task (smoke configs use small caps)
    t2i_card_share: z.number().finite().min(0).max(1).default(1), // share of text-to-image examples whose system prompt carries the character card (the rest: the name only), so a drawing does not depend on what precedes it
    world_placement: PlacementJitterSchema.default({}), // how far the world's figures move, scale, mirror (default centred); SFT's prior examples follow the base's
  })
  .strict();
export type PretrainConfig = z.infer<typeof PretrainSchema>;

// Image-heavy: a world of 2000 characters (~23k drawings) whose figures shift by whole image
// patches (0-2 either way: moved figures the tokenizer writes with the centred figure's codes, so one
// prompt has several drawings to learn from), text-to-image sampled 3x as often as role-play or
// VQA, half of its prompts without the card, image codes at grid positions, 1024 codes.
// The `base` preset; the others below change one thing of it.
const IMAGE_HEAVY: z.input<typeof PretrainSchema> = {
  world_placement: CHARACTER_PLACEMENT,
  train: { steps: 8000, warmup: 200, ckpt_interval: 250, eval_interval: 250, task_weights: { roleplay: 1, knowledge: 0.5, vqa: 1, t2i: 3 } },
  world_characters: 2000,
  heldout_characters: 40,
  codebook_size: 1024,
  t2i_card_share: 0.5,
};

/** Named presets; a JSON file with the same shape also works (`--config FILE`). */
export const PRETRAIN_PRESETS: Record<string, z.input<typeof PretrainSchema>> = {
  base: IMAGE_HEAVY,
  // the MoT-vs-dense ablation's base: the same data and schedule with one shared FFN and attention
  // projections for both modalities
  dense: { ...IMAGE_HEAVY, model: { ...(BASE_CONFIG as object), experts: 'dense' } },
  // `base` on a world whose figures move (up to 6 px of 32, scaled 0.7-1, mirrored half the time), so
  // one prompt has many drawings to learn from (README: What `t2i_diversity` >= 0.6 would take)
  'base-moved': { ...IMAGE_HEAVY, world_placement: MOVED_FIGURE },
  // `base` on a world whose figures are only shifted sideways (up to 4 px of 32): the milder world
  'base-shifted': { ...IMAGE_HEAVY, world_placement: SHIFTED_FIGURE },
  // `base` on the centred world (every figure where the world draws it): the committed base until
  // 2026-12-07 (`git show 79f37b9:checkpoints/base`); its drawings of one prompt barely vary
  'base-centred': { ...IMAGE_HEAVY, world_placement: CENTRED_JITTER },
  smoke: {
    model: { ...(BASE_CONFIG as object), n_layer: 1, n_embd: 32, n_head: 2, vocab_size: 16 + 300 + 32 },
    train: { steps: 12, batch_size: 4, warmup: 2, log_interval: 4, eval_interval: 12, eval_batches: 1, ckpt_interval: 4 }, // a checkpoint every 4 steps: a kill loses at most 3
    world_characters: 12,
    tokenizer_characters: 12,
    heldout_characters: 2,
    text_vocab_size: 300,
    codebook_size: 32,
    max_examples_per_task: 64,
    t2i_card_share: 0.5,
  },
};

export function resolvePretrainConfig(nameOrFile: string): PretrainConfig {
  return parseConfig(PretrainSchema, readPresetOrFile(nameOrFile, PRETRAIN_PRESETS), nameOrFile);
}

/**
 * Where a world of `characters` characters lives by default: data/world (240), data/world<N>
 * otherwise; a world whose figures move gets its placement preset's name (`-moved`, `-shifted`) or `-placed-<hash>`.
 */
export function worldDirFor(dataDir: string, characters: number, placement: PlacementJitter = CENTRED_JITTER): string {
  const name = characters === WORLD_DEFAULT_SIZE ? 'world' : `world${characters}`;
  const named = placementName(placement);
  const suffix = keepsCentred(placement) ? '' : named ? `-${named}` : `-placed-${crypto.createHash('sha256').update(JSON.stringify(placement)).digest('hex').slice(0, 8)}`;
  return path.join(dataDir, name + suffix);
}

/** The world corpus at `dir`, built when missing or built with other options. */
export async function ensureWorld(dir: string, characters: number, seed: number, placement: PlacementJitter = CENTRED_JITTER): Promise<void> {
  if (fs.existsSync(path.join(dir, 'index.json'))) {
    const idx = readSynthIndex(dir);
    if (idx.split === 'world' && idx.seed === seed && idx.characters.length === characters && samePlacement(idx.placement, placement)) return;
  }
  await synthesize({ out: dir, seed, split: 'world', characters, placement, quiet: true });
}

/**
 * Pretraining examples: role-play carries the character card (the base model learns to follow one);
 * a seeded `t2iCardShare` of the text-to-image examples carries it too, the rest the name only.
 */
export function worldExamples(chars: readonly Character[], opts: { t2iCardShare?: number; seed?: number } = {}): Record<Task, Example[]> {
  const share = opts.t2iCardShare ?? 1;
  const rng = new Rng((opts.seed ?? 0) + 104729);
  const out = { roleplay: [], knowledge: [], vqa: [], t2i: [] } as Record<Task, Example[]>;
  for (const c of chars) {
    const withCard = characterExamples(c, { card: true });
    const noCard = share < 1 ? t2iExamples(c, { card: false }) : withCard.t2i;
    for (const t of TASKS) out[t].push(...(t === 't2i' ? withCard.t2i.map((e, i) => (rng.next() < share ? e : noCard[i])) : withCard[t]));
  }
  return out;
}

async function encodeByTask(ex: Record<Task, Example[]>, tok: Tokenizers, cap: number, seed: number, cache: ImageCodeCache): Promise<Record<Task, EncodedExample[]>> {
  const out = {} as Record<Task, EncodedExample[]>;
  const rng = new Rng(seed);
  for (const t of TASKS) out[t] = await encodeExamples(rng.shuffle(ex[t]).slice(0, cap), tok, cache);
  return out;
}

export interface PretrainRun {
  trainer: LmTrainer;
  config: PretrainConfig;
  counts: Record<Task, number>;
}

/** Set up (or resume) a pretraining run in `outDir`; `await run.trainer.run()` trains. */
export async function preparePretrain(config: PretrainConfig, opts: { outDir: string; worldDir: string; log?: (s: string) => void }): Promise<PretrainRun> {
  const log = opts.log ?? (() => {});
  await ensureWorld(opts.worldDir, config.world_characters, config.world_seed, config.world_placement);
  const resume = fs.existsSync(path.join(opts.outDir, 'config.json'));
  let tok: Tokenizers;
  let model: Transformer;
  let history: LogRow[] = [];
  if (resume) {
    const ck = loadCheckpoint(opts.outDir, config.model);
    tok = ck.tokenizers;
    model = ck.model;
    history = readHistory(opts.outDir);
    log(`resuming from ${opts.outDir} at step ${(ck.meta.step as number) ?? history.length}`);
  } else {
    discardStaleHistory(opts.outDir, 'history.jsonl');
    const tokWorld = config.tokenizer_characters === config.world_characters ? opts.worldDir : worldDirFor(path.dirname(opts.worldDir), config.tokenizer_characters, config.world_placement);
    await ensureWorld(tokWorld, config.tokenizer_characters, config.world_seed, config.world_placement);
    log(`fitting tokenizers on ${tokWorld}`);
    tok = (await fitTokenizers({ world_dir: tokWorld, seed: config.world_seed, text_vocab_size: config.text_vocab_size, codebook_size: config.codebook_size, real_dir: null })).tokenizers;
    if (tok.vocab.size !== config.model.vocab_size) {
      throw new UserError(`config: model.vocab_size is ${config.model.vocab_size} but the tokenizers give ${tok.vocab.size} (16 specials + ${tok.text.vocabSize} text + ${tok.image.codebookSize} image codes)`);
    }
    model = new Transformer(config.model, config.train.seed);
  }
  const { characters } = await loadRoleScape(opts.worldDir);
  // validation characters: a seeded draw over the sorted ids, the same for every run with this config; both sides in world order
  const held = new Set(splitHeldOutCharacters(characters.map((c) => c.id).sort(), { count: config.heldout_characters, trainAtLeast: 1 }, new Rng(config.world_seed + 7919)).heldOut);
  const split = { train: characters.filter((c) => !held.has(c.id)), val: characters.filter((c) => held.has(c.id)) };
  const cache = new ImageCodeCache(tok);
  const mix = { t2iCardShare: config.t2i_card_share, seed: config.world_seed };
  const train = await encodeByTask(worldExamples(split.train, mix), tok, config.max_examples_per_task, config.train.seed, cache);
  const val = await encodeByTask(worldExamples(split.val, mix), tok, config.train.eval_batches * config.train.batch_size, config.train.seed + 1, cache);
  const counts = Object.fromEntries(TASKS.map((t) => [t, train[t].length])) as Record<Task, number>;
  log(`world: ${split.train.length} training / ${split.val.length} held-out characters; examples ${TASKS.map((t) => `${t} ${counts[t]}`).join(', ')}; ${model.numParams().toLocaleString()} parameters`);
  const trainer = new LmTrainer(model, tok, train, val, config.train, opts.outDir, {
    kind: 'base',
    pretrain: config,
    world: { dir: path.resolve(opts.worldDir), characters: config.world_characters, seed: config.world_seed },
    heldout: split.val.map((c) => c.id),
  });
  if (resume) {
    const saved = loadCheckpointState(opts.outDir);
    const t = saved?.state.adam_t;
    trainer.resumeFrom(history, typeof t === 'number' && saved ? { t, tensors: saved.tensors } : undefined, typeof saved?.state.step === 'number' ? saved.state.step : undefined);
  }
  return { trainer, config, counts };
}
