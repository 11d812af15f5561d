/**
 * Train, save, load and evaluate the four image judges that stand in for UniCharacter's reward
 * and metric models, all trained on a synthetic world (`cmrp data synth --split world`) only:
 *
 *   vqa       BLIP-VQA   attribute heads + question parser (vqa.ts, question.ts)
 *   clip      CLIP-T     contrastive image/prompt dual encoder (clip.ts)
 *   identity  DINO, CLIP-I   identity embeddings, variants `dino` and `clip_i` (identity.ts)
 *   lpips     LPIPS      calibrated feature distance on the vqa encoder (lpips.ts)
 *
 * `trainJudges` writes one folder, swapped in atomically:
 *   <out>/judges.json  format, resolved config, which world (and which characters were held out)
 *   <out>/report.json  the held-out figures measured right after training
 *   <out>/{vqa,clip,identity,lpips}/  one judge each (judge.json + weights.bin, see checkpoint.ts)
 *
 * Held-out figures (`evaluateJudges`, recomputed from data by `cmrp judges report`): the world
 * characters held out of training (a seeded 10%), and the 20 evaluation characters, whose train
 * and test images and one ground-truth render per GRPO prompt the judges never saw.
 *
 * How this departs from UniCharacter's judges:
 * - Tiny models trained from scratch, on 32x32 renders of one synthetic world, with its labels as
 *   supervision, instead of web-pretrained BLIP / CLIP ViT-L / DINOv2 / AlexNet-LPIPS.
 * - VQA answers through a parser onto closed label spaces, not free text (vqa.ts, question.ts);
 *   questions outside them are "not applicable" and leave the weighted score.
 * - CLIP's text side knows the world's prompt words only, and no names (clip-text.ts).
 * - DINO and CLIP-I are two heads of one identity encoder with two objectives (identity.ts).
 * - LPIPS is calibrated by 2AFC on "which image differs in fewer attributes" (lpips.ts).
 * - Training views include renders made with the world's own drawing code: its GRPO prompts,
 *   random scenes, and identities recombined from two training characters (data.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as crypto from 'node:crypto';
import { z } from 'zod';
import * as tf from '@tensorflow/tfjs-core';
import { replaceDirAtomic, readJsonFile } from '../util/fs';
import { UserError } from '../util/errors';
import { readSynthIndex, signature, type Identity } from '../data/synth';
import { checkSameSpace } from './attributes';
import { EvalData, ImageSet, WorldData, WorldOptions, loadEvalData, loadWorldData } from './data';
import { FitConfigSchema } from './fit';
import { AttributeAccuracy, VqaConfigSchema, VqaJudge, attributeAccuracy, trainVqa } from './vqa';
import { ClipConfigSchema, ClipEval, ClipJudge, evaluateClip, trainClip } from './clip';
import { IdentityConfigSchema, IdentityEval, IdentityJudge, IdentityVariant, evaluateIdentity, trainIdentity } from './identity';
import { LpipsConfigSchema, LpipsEval, LpipsJudge, evaluateLpips, perturbationSet, trainLpips } from './lpips';
import { parseQuestion } from './question';
import { buildVocab } from './clip-text';

export const JUDGES_FORMAT = 'cmrp-judges/1';
export const REPORT_FORMAT = 'cmrp-judges-report/1';

const fitOverrides = FitConfigSchema.partial().default({}); // overrides of the judge's training defaults

export const JudgesConfigSchema = z
  .object({
    held_out_fraction: z.number().min(0).max(0.5).default(0.1), // share of world characters never trained on (held-out figures)
    grpo_views: z.boolean().default(true), // render the world's GRPO prompts as more training views
    extra_views: z.number().int().nonnegative().default(2), // extra random-scene renders per training character
    mix_views: z.number().int().nonnegative().default(16), // renders per character with 1-3 identity attributes of another (VQA/CLIP only)
    max_characters: z.number().int().positive().nullable().default(null), // use the first N world characters (null: all)
    eval_max_characters: z.number().int().positive().nullable().default(null), // evaluate on the first N eval characters (null: all)
    lpips_bases: z.number().int().positive().default(400), // training characters rendered with 0..k changes to calibrate LPIPS
    vqa: z.object({ model: VqaConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // attribute judge: model and training
    clip: z.object({ model: ClipConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // CLIP-T stand-in
    identity: z.object({ model: IdentityConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // DINO / CLIP-I stand-in
    lpips: z.object({ model: LpipsConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // LPIPS stand-in
  })
  .strict();
export type JudgesConfig = z.infer<typeof JudgesConfigSchema>;
export type JudgesConfigInput = z.input<typeof JudgesConfigSchema>;

/** `--smoke`: a few characters and short runs, for tests and CI (seconds, not minutes). */
export const SMOKE_CONFIG: JudgesConfigInput = {
  max_characters: 40,
  eval_max_characters: 4,
  extra_views: 1,
  mix_views: 2,
  lpips_bases: 16,
  vqa: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, head_hidden: 64 }, fit: { steps: 200, batch_size: 32, warmup: 10 } },
  clip: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, text_hidden: 64 }, fit: { steps: 60, batch_size: 32, warmup: 10 } },
  identity: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, proj_hidden: 64 }, fit: { steps: 60, batch_size: 32, warmup: 10 } },
  lpips: { fit: { steps: 40 } },
};

export interface TrainJudgesOptions {
  worldDir: string;
  evalDir: string;
  seed?: number;
  outDir: string;
  smoke?: boolean;
  /** Overrides on top of the defaults (or the smoke preset). */
  config?: JudgesConfigInput;
  /** 'reward' (GRPO's judges, the default) or 'heldout' (the evaluation-only set: heldout.ts). */
  role?: JudgesRole;
  /** World characters never used (ids and identity signatures), e.g. another judge set's (heldout.ts). */
  exclude?: { ids: ReadonlySet<string>; signatures: ReadonlySet<string>; from: string };
  log?: (line: string) => void;
}

export type JudgesRole = 'reward' | 'heldout';
export const CHARACTERS_FORMAT = 'cmrp-judges-characters/1';

/** `<judges>/characters.json`: which world characters a judge set trained on, held out, and excluded. */
export interface JudgesCharacters {
  format: string;
  train: Array<{ id: string; signature: string }>;
  held_out: Array<{ id: string; signature: string }>;
  /** World characters left out entirely (another judge set's), and the set they came from. */
  excluded: { from: string | null; ids: string[] };
}

export interface JudgesManifest {
  format: string;
  seed: number;
  /** Absent in folders written before roles existed: those are reward judges. */
  role?: JudgesRole;
  config: JudgesConfig;
  world: { dir: string; seed: number; characters: number; trainCharacters: number; heldOutCharacters: string[]; idsSha256: string };
  judges: Record<'vqa' | 'clip' | 'identity' | 'lpips', string>;
}

export interface Judges {
  dir: string | null;
  manifest: JudgesManifest | null;
  vqa: VqaJudge;
  clip: ClipJudge;
  identity: IdentityJudge;
  lpips: LpipsJudge;
  dispose(): void;
}

export interface GrpoVqaEval {
  prompts: number;
  questions: number;
  answered: number;
  skipped: number;
  /** Share of answered questions whose answer on the ground-truth render is the expected one. */
  accuracy: number;
  /** Mean weighted VQA score per prompt (the GRPO reward on a perfect image). */
  meanScore: number;
  byTemplate: Record<string, { n: number; accuracy: number }>;
}

export interface JudgesReport {
  format: string;
  seed: number;
  smoke: boolean;
  // headline figures (held-out data only)
  vqa_judge_acc: number; // GRPO questions of the eval characters on ground-truth renders
  vqa_attr_acc_world: number; // mean attribute accuracy, held-out world characters
  vqa_attr_min_world: number; // worst attribute, held-out world characters
  vqa_attr_acc_eval: number; // mean attribute accuracy, eval characters' train/test images
  vqa_attr_min_eval: number;
  clip_t_top1: number; // image→prompt retrieval among all held-out world pairs
  clip_t_matched_wins: number; // share of eval GRPO renders scoring their own prompt above another of the same character
  identity_auc: number; // dino verification AUC, held-out world characters
  identity_auc_clip_i: number;
  lpips_spearman: number; // Spearman(#changed attributes, distance), held-out world characters
  lpips_monotonic: boolean;
  data: {
    world: { dir: string; characters: number; trainCharacters: number; heldOutCharacters: number; heldOutImages: number; trainImages: number | null };
    eval: { dir: string; characters: number; images: number; grpoPrompts: number };
  };
  vqa: { heldOutWorld: AttributeAccuracy; evalImages: AttributeAccuracy; grpo: GrpoVqaEval };
  clip: { heldOutWorld: ClipEval; evalGrpo: ClipEval; oovShareEval: number };
  identity: { heldOutWorld: Record<IdentityVariant, IdentityEval>; evalCharacters: Record<IdentityVariant, IdentityEval> };
  lpips: { heldOutWorld: LpipsEval };
  training: Record<string, unknown> | null;
  seconds: number;
}

export function resolveJudgesConfig(smoke: boolean, overrides: JudgesConfigInput = {}): JudgesConfig {
  const base = smoke ? SMOKE_CONFIG : {};
  const merged = deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>);
  const r = JudgesConfigSchema.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(`judges config: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && av && typeof av === 'object' && !Array.isArray(av) ? deepMerge(av as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export const idsSha = (ids: readonly string[]): string => crypto.createHash('sha256').update(ids.join('\n')).digest('hex');

function worldOptions(c: JudgesConfig, seed: number, exclude?: WorldOptions['exclude']): WorldOptions {
  return { seed, heldOutFraction: c.held_out_fraction, grpoViews: c.grpo_views, extraViews: c.extra_views, mixViews: c.mix_views, maxCharacters: c.max_characters ?? undefined, exclude };
}

/** Train all four judges, save them atomically to `outDir`, and return their held-out report. */
export async function trainJudges(o: TrainJudgesOptions): Promise<JudgesReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const cfg = resolveJudgesConfig(Boolean(o.smoke), o.config);
  const tData = performance.now();
  const world = await loadWorldData(o.worldDir, worldOptions(cfg, seed, o.exclude));
  const ev = await loadEvalData(o.evalDir, { seed, maxCharacters: cfg.eval_max_characters ?? undefined });
  checkSameSpace(world.space, ev.space, path.join(o.evalDir, 'index.json'));
  const dataSeconds = (performance.now() - tData) / 1000;
  if (!o.smoke && world.trainCharacters.length < 800) log(`judges: warning: only ${world.trainCharacters.length} training characters; identity attributes (hair style, species) generalise from ~1000 (\`cmrp data synth --split world --characters 1000\`)`);
  log(`judges: world ${world.trainCharacters.length} training + ${world.heldOutCharacters.length} held-out characters, ${world.train.size} training images (stored + renders), ${world.heldOut.size} held-out; eval ${ev.images.size} images, ${ev.grpo.length} GRPO prompts (${dataSeconds.toFixed(1)} s)`);

  const training: Record<string, unknown> = { dataSeconds };
  const vqa = trainVqa(world.train, world.space, { config: cfg.vqa.model, fit: cfg.vqa.fit, seed, log });
  training.vqa = summarizeFit(vqa.result, vqa.fit, vqa.judge.params.count());

  // CLIP learns from real prompts (stored images and GRPO renders) and the extra renders' prompts
  const vocab = buildVocab(world.train.meta.map((m) => m.text), new Set([...world.identities.keys()].map((k) => k.toLowerCase())));
  const clip = trainClip(world.train, vocab, { config: cfg.clip.model, fit: cfg.clip.fit, seed, log });
  training.clip = { ...summarizeFit(clip.result, clip.fit, clip.judge.params.count()), vocab: vocab.length };

  const identityViews = subsetBy(world.train, (m) => m.source !== 'mix');
  const ident = trainIdentity(identityViews, { config: cfg.identity.model, fit: cfg.identity.fit, seed, log });
  training.identity = { ...summarizeFit(ident.result, ident.fit, ident.judge.params.count()), characters: ident.classes };

  const bases = world.trainCharacters.slice(0, cfg.lpips_bases).map((id): [string, Identity] => [id, world.identities.get(id)!]);
  const tl = performance.now();
  const pert = await perturbationSet(bases, world.labelSpaces, cfg.lpips.model.max_changes, seed);
  const lp = trainLpips(vqa.judge, pert.set, pert.pairs, { config: cfg.lpips.model, fit: cfg.lpips.fit, seed, log });
  training.lpips = { ...summarizeFit(lp.result, lp.fit, lp.judge.params.count()), bases: bases.length, triplets: lp.triplets, renderSeconds: (performance.now() - tl) / 1000 - lp.result.seconds };

  const judges: Judges = { dir: null, manifest: null, vqa: vqa.judge, clip: clip.judge, identity: ident.judge, lpips: lp.judge, dispose: () => [vqa.judge, clip.judge, ident.judge, lp.judge].forEach((j) => j.dispose()) };
  try {
    const report = await evaluateJudges(judges, world, ev, { seed, smoke: Boolean(o.smoke), log });
    report.training = training;
    report.data.world.trainImages = world.train.size;
    report.seconds = (performance.now() - t0) / 1000;
    const idx = readSynthIndex(o.worldDir);
    const chars = idx.characters.slice(0, cfg.max_characters ?? idx.characters.length).map((c) => c.id);
    const manifest: JudgesManifest = {
      format: JUDGES_FORMAT,
      seed,
      role: o.role ?? 'reward',
      config: cfg,
      world: { dir: path.resolve(o.worldDir), seed: idx.seed, characters: chars.length, trainCharacters: world.trainCharacters.length, heldOutCharacters: world.heldOutCharacters, idsSha256: idsSha(chars) },
      judges: { vqa: 'vqa', clip: 'clip', identity: 'identity', lpips: 'lpips' },
    };
    await replaceDirAtomic(o.outDir, async (tmp) => {
      await judges.vqa.save(path.join(tmp, 'vqa'), training.vqa as Record<string, unknown>);
      await judges.clip.save(path.join(tmp, 'clip'), training.clip as Record<string, unknown>);
      await judges.identity.save(path.join(tmp, 'identity'), training.identity as Record<string, unknown>);
      await judges.lpips.save(path.join(tmp, 'lpips'), training.lpips as Record<string, unknown>);
      fs.writeFileSync(path.join(tmp, 'judges.json'), JSON.stringify(manifest, null, 2) + '\n');
      fs.writeFileSync(path.join(tmp, 'report.json'), JSON.stringify(report, null, 2) + '\n');
      const entry = (id: string) => ({ id, signature: signature(world.identities.get(id)!) });
      const used = new Set([...world.trainCharacters, ...world.heldOutCharacters]);
      const characters: JudgesCharacters = {
        format: CHARACTERS_FORMAT, train: world.trainCharacters.map(entry), held_out: world.heldOutCharacters.map(entry),
        excluded: { from: o.exclude?.from ?? null, ids: chars.filter((id) => !used.has(id)) },
      };
      fs.writeFileSync(path.join(tmp, 'characters.json'), JSON.stringify(characters) + '\n');
    });
    log(`judges: saved to ${o.outDir} (${report.seconds.toFixed(0)} s in all)`);
    return report;
  } finally {
    judges.dispose();
  }
}

function summarizeFit(r: { steps: number; seconds: number; msPerStep: number; firstLoss: number; finalLoss: number; losses: number[] }, fit: unknown, params: number): Record<string, unknown> {
  const every = Math.max(1, Math.ceil(r.losses.length / 50));
  return { params, fit, steps: r.steps, seconds: round(r.seconds, 1), msPerStep: round(r.msPerStep, 1), firstLoss: round(r.firstLoss, 4), finalLoss: round(r.finalLoss, 4), lossCurve: r.losses.filter((_, i) => i % every === 0).map((x) => round(x, 4)) };
}

const round = (x: number, d: number): number => Math.round(x * 10 ** d) / 10 ** d;

function subsetBy(set: ImageSet, keep: (m: ImageSet['meta'][number]) => boolean): ImageSet {
  return set.subset(set.meta.map((m, i) => (keep(m) ? i : -1)).filter((i) => i >= 0));
}

/** Load a judges folder written by `trainJudges`. */
export function loadJudges(dir: string): Judges {
  const mfile = path.join(dir, 'judges.json');
  if (!fs.existsSync(dir)) throw new UserError(`${dir}: no such judges folder (train one with \`cmrp judges train\`)`);
  const manifest = readJsonFile<JudgesManifest>(mfile, 'the judges manifest');
  if (manifest.format !== JUDGES_FORMAT) throw new UserError(`${mfile}: format: expected "${JUDGES_FORMAT}", found ${JSON.stringify(manifest.format)}`);
  const r = JudgesConfigSchema.safeParse(manifest.config);
  if (!r.success) throw new UserError(`${mfile}: config.${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  manifest.config = r.data;
  const loaded: Array<{ dispose(): void }> = [];
  try {
    const vqa = VqaJudge.load(path.join(dir, manifest.judges?.vqa ?? 'vqa'));
    loaded.push(vqa);
    const clip = ClipJudge.load(path.join(dir, manifest.judges?.clip ?? 'clip'));
    loaded.push(clip);
    const identity = IdentityJudge.load(path.join(dir, manifest.judges?.identity ?? 'identity'));
    loaded.push(identity);
    const lpips = LpipsJudge.load(path.join(dir, manifest.judges?.lpips ?? 'lpips'), vqa);
    loaded.push(lpips);
    return { dir, manifest, vqa, clip, identity, lpips, dispose: () => loaded.forEach((j) => j.dispose()) };
  } catch (err) {
    loaded.forEach((j) => j.dispose());
    throw err;
  }
}

/** Evaluate loaded judges afresh on held-out data (`cmrp judges report`). */
export async function reportJudges(o: { judgesDir: string; worldDir: string; evalDir: string; log?: (l: string) => void }): Promise<JudgesReport> {
  const t0 = performance.now();
  const judges = loadJudges(o.judgesDir);
  try {
    const m = judges.manifest!;
    const cfg = m.config;
    const idx = readSynthIndex(o.worldDir);
    const chars = idx.characters.slice(0, cfg.max_characters ?? idx.characters.length).map((c) => c.id);
    if (idsSha(chars) !== m.world.idsSha256) throw new UserError(`${o.worldDir}: not the world these judges were trained on (${path.join(o.judgesDir, 'judges.json')} names ${m.world.dir}, ${m.world.characters} characters): its held-out characters would not be held out`);
    const cfile = path.join(o.judgesDir, 'characters.json');
    const excluded = fs.existsSync(cfile) ? readJsonFile<JudgesCharacters>(cfile, 'the judges\' characters').excluded.ids : [];
    const exclude = excluded.length ? { ids: new Set(excluded), signatures: new Set<string>() } : undefined;
    const world = await loadWorldData(o.worldDir, { ...worldOptions(cfg, m.seed, exclude), heldOutOnly: true });
    const ev = await loadEvalData(o.evalDir, { seed: m.seed, maxCharacters: cfg.eval_max_characters ?? undefined });
    checkSameSpace(judges.vqa.space, ev.space, path.join(o.evalDir, 'index.json'));
    const report = await evaluateJudges(judges, world, ev, { seed: m.seed, smoke: false, log: o.log });
    report.seconds = (performance.now() - t0) / 1000;
    return report;
  } finally {
    judges.dispose();
  }
}

/** Every held-out figure of the report. */
export async function evaluateJudges(j: Judges, world: WorldData, ev: EvalData, o: { seed: number; smoke: boolean; log?: (l: string) => void }): Promise<JudgesReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const n0 = tf.memory().numTensors;
  const attrWorld = await attributeAccuracy(j.vqa, world.heldOut, { visible: true });
  const attrEval = await attributeAccuracy(j.vqa, ev.images, { visible: true });
  const grpo = evaluateGrpoVqa(j.vqa, ev);
  log(`judges: vqa held-out attributes: world mean ${pct(attrWorld.mean)} (min ${pct(attrWorld.min)}), eval mean ${pct(attrEval.mean)} (min ${pct(attrEval.min)}); GRPO questions ${pct(grpo.accuracy)} of ${grpo.answered}`);
  const clipWorld = evaluateClip(j.clip, world.heldOut, o.seed);
  const evalGrpoSet = ImageSet.pack(ev.grpo.map((g) => ({ pixels: g.pixels, meta: { character: g.character, labels: g.labels, text: g.text, source: 'grpo' as const, key: `grpo/${g.character}/${g.sceneId}` } })));
  const sameContent = (a: { labels: { expression: string; scene: string; prop: string } }, b: typeof a) => a.labels.expression === b.labels.expression && a.labels.scene === b.labels.scene && a.labels.prop === b.labels.prop;
  const clipEval = evaluateClip(j.clip, evalGrpoSet, o.seed, { equivalent: sameContent });
  const oov = ev.grpo.reduce((s, g) => s + j.clip.tokenizer.unknownShare(g.text), 0) / Math.max(1, ev.grpo.length);
  log(`judges: clip top-1 ${pct(clipWorld.top1)} of ${clipWorld.n} held-out world pairs (chance ${pct(clipWorld.chance)}); eval GRPO matched > same-character mismatched ${pct(clipEval.matchedWinsSameCharacter)}`);
  const idWorld = evaluateIdentity(j.identity, world.heldOut, world.identities);
  const idEval = evaluateIdentity(j.identity, ev.images, ev.identities);
  log(`judges: identity AUC held-out world dino ${idWorld.dino.auc.toFixed(4)}, clip_i ${idWorld.clip_i.auc.toFixed(4)}; eval dino ${idEval.dino.auc.toFixed(4)}, clip_i ${idEval.clip_i.auc.toFixed(4)}`);
  const heldBases = world.heldOutCharacters.map((id): [string, Identity] => [id, world.identities.get(id)!]);
  const pert = await perturbationSet(heldBases, world.labelSpaces, j.lpips.config.max_changes, o.seed + 1);
  const lp = evaluateLpips(j.lpips, pert.set, pert.pairs);
  log(`judges: lpips Spearman(#changed attributes, distance) ${lp.spearman.toFixed(3)} (uncalibrated ${lp.spearmanUniform.toFixed(3)}, pixels ${lp.spearmanPixel.toFixed(3)}), monotonic ${lp.monotonic}`);
  const leaked = tf.memory().numTensors - n0;
  if (leaked !== 0) log(`judges: warning: evaluation left ${leaked} tensors`);
  return {
    format: REPORT_FORMAT,
    seed: o.seed,
    smoke: o.smoke,
    vqa_judge_acc: grpo.accuracy,
    vqa_attr_acc_world: attrWorld.mean,
    vqa_attr_min_world: attrWorld.min,
    vqa_attr_acc_eval: attrEval.mean,
    vqa_attr_min_eval: attrEval.min,
    clip_t_top1: clipWorld.top1,
    clip_t_matched_wins: clipEval.matchedWinsSameCharacter,
    identity_auc: idWorld.dino.auc,
    identity_auc_clip_i: idWorld.clip_i.auc,
    lpips_spearman: lp.spearman,
    lpips_monotonic: lp.monotonic,
    data: {
      world: { dir: world.root, characters: world.trainCharacters.length + world.heldOutCharacters.length, trainCharacters: world.trainCharacters.length, heldOutCharacters: world.heldOutCharacters.length, heldOutImages: world.heldOut.size, trainImages: null },
      eval: { dir: ev.root, characters: ev.identities.size, images: ev.images.size, grpoPrompts: ev.grpo.length },
    },
    vqa: { heldOutWorld: attrWorld, evalImages: attrEval, grpo },
    clip: { heldOutWorld: clipWorld, evalGrpo: clipEval, oovShareEval: oov },
    identity: { heldOutWorld: idWorld, evalCharacters: idEval },
    lpips: { heldOutWorld: lp },
    training: null,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Every GRPO question of the eval characters, asked about the ground-truth render of its prompt. */
export function evaluateGrpoVqa(vqa: VqaJudge, ev: EvalData): GrpoVqaEval {
  const scores: ReturnType<VqaJudge['scoreVqaBatch']> = [];
  for (let s = 0; s < ev.grpo.length; s += 128) {
    const part = ev.grpo.slice(s, s + 128);
    scores.push(...vqa.scoreVqaBatch(part.map((g) => g.pixels), part.map((g) => g.questions)));
  }
  const byTemplate: Record<string, { n: number; right: number }> = {};
  let questions = 0, answered = 0, right = 0, skipped = 0, scoreSum = 0, scored = 0;
  scores.forEach((sc, i) => {
    skipped += sc.skipped;
    if (sc.score !== null) (scoreSum += sc.score), scored++;
    sc.details.forEach((d, k) => {
      questions++;
      if (d.correct === null) return;
      answered++;
      if (d.correct) right++;
      const t = parseQuestion(ev.grpo[i].questions[k])?.template ?? 'unparsed';
      const b = (byTemplate[t] ??= { n: 0, right: 0 });
      b.n++;
      if (d.correct) b.right++;
    });
  });
  return {
    prompts: ev.grpo.length,
    questions,
    answered,
    skipped,
    accuracy: answered ? right / answered : NaN,
    meanScore: scored ? scoreSum / scored : NaN,
    byTemplate: Object.fromEntries(Object.entries(byTemplate).sort().map(([k, v]) => [k, { n: v.n, accuracy: v.right / v.n }])),
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

/** The report as lines of text: headline figures against the targets, then the details. */
export function formatJudgesReport(r: JudgesReport): string {
  const ok = (x: boolean) => (x ? 'ok' : 'BELOW TARGET');
  const lines: string[] = [];
  const w = r.data.world, e = r.data.eval;
  lines.push(`held-out data: ${w.heldOutCharacters} world characters (${w.heldOutImages} images) never trained on; ${e.characters} eval characters (${e.images} images, ${e.grpoPrompts} GRPO prompts rendered from their labels)${r.smoke ? '  [smoke run: small judges, small data]' : ''}`);
  lines.push('');
  lines.push('headline                                   value     target');
  lines.push(`vqa_judge_acc (eval GRPO questions)        ${pct(r.vqa_judge_acc).padStart(6)}    >= 95%  ${ok(r.vqa_judge_acc >= 0.95)}`);
  lines.push(`vqa attributes, held-out world: mean/min   ${pct(r.vqa_attr_acc_world).padStart(6)} / ${pct(r.vqa_attr_min_world)}  >= 95%  ${ok(r.vqa_attr_min_world >= 0.95)}`);
  lines.push(`vqa attributes, eval images:    mean/min   ${pct(r.vqa_attr_acc_eval).padStart(6)} / ${pct(r.vqa_attr_min_eval)}  >= 95%  ${ok(r.vqa_attr_min_eval >= 0.95)}`);
  lines.push(`identity_auc (dino, held-out world)        ${r.identity_auc.toFixed(4)}    >= 0.98  ${ok(r.identity_auc >= 0.98)}`);
  lines.push(`identity_auc (clip_i, held-out world)      ${r.identity_auc_clip_i.toFixed(4)}`);
  lines.push(`clip_t_top1 (held-out world, ${r.clip.heldOutWorld.n} pairs)     ${pct(r.clip_t_top1).padStart(6)}    chance ${pct(r.clip.heldOutWorld.chance)}`);
  lines.push(`lpips Spearman(#changed attrs, distance)   ${r.lpips_spearman.toFixed(3)}     monotonic: ${r.lpips_monotonic}`);
  lines.push('');
  lines.push('vqa per-attribute accuracy        held-out world   (visible)   eval images   (visible)');
  for (const a of Object.keys(r.vqa.heldOutWorld.perAttribute)) {
    const hw = r.vqa.heldOutWorld, ei = r.vqa.evalImages;
    const v = (x: AttributeAccuracy) => (x.visible ? pct(x.visible.perAttribute[a as keyof typeof x.perAttribute]) : '-');
    lines.push(`  ${a.padEnd(30)} ${pct(hw.perAttribute[a as keyof typeof hw.perAttribute]).padStart(8)}   ${v(hw).padStart(10)}   ${pct(ei.perAttribute[a as keyof typeof ei.perAttribute]).padStart(10)}   ${v(ei).padStart(9)}`);
  }
  lines.push(`  (visible: a confusion between two values that draw identical pixels in that image counts as right)`);
  const g = r.vqa.grpo;
  lines.push('');
  lines.push(`vqa on eval GRPO prompts: ${g.answered}/${g.questions} questions answered (${g.skipped} not applicable), ${pct(g.accuracy)} as expected; mean weighted score ${g.meanScore.toFixed(4)}`);
  lines.push('  ' + Object.entries(g.byTemplate).map(([t, v]) => `${t} ${pct(v.accuracy)} (${v.n})`).join(', '));
  lines.push('');
  for (const [name, c] of [['held-out world (t2i instructions)', r.clip.heldOutWorld], ['eval GRPO renders (GRPO prompts; a prompt with the same mood, scene and prop counts as the own)', r.clip.evalGrpo]] as const) {
    lines.push(`clip on ${name}: top-1 ${pct(c.top1)} of ${c.n} (chance ${pct(c.chance)}), in batches of ${c.batch} ${pct(c.top1Batch)}`);
    lines.push(`  cosine matched ${c.matched.mean.toFixed(3)} ± ${c.matched.std.toFixed(3)} | mismatched same character ${c.mismatchedSameCharacter.mean.toFixed(3)} ± ${c.mismatchedSameCharacter.std.toFixed(3)} | other character ${c.mismatchedOther.mean.toFixed(3)} ± ${c.mismatchedOther.std.toFixed(3)}`);
    lines.push(`  matched > mismatched: same character ${pct(c.matchedWinsSameCharacter)}, other character ${pct(c.matchedWinsOther)}`);
  }
  lines.push(`  eval prompts' out-of-vocabulary word share (the names): ${pct(r.clip.oovShareEval)}`);
  lines.push('');
  for (const [name, ids] of [['held-out world', r.identity.heldOutWorld], ['eval characters', r.identity.evalCharacters]] as const) {
    for (const v of ['dino', 'clip_i'] as const) {
      const x = ids[v];
      lines.push(`identity ${v.padEnd(6)} on ${name}: AUC ${x.auc.toFixed(4)}${x.aucHard === null ? '' : `, vs look-alikes (<= 2 attributes apart) ${x.aucHard.toFixed(4)} (${x.hardNegatives} pairs)`}; cosine same ${x.meanPositive.toFixed(3)}, different ${x.meanNegative.toFixed(3)} (${x.positives} / ${x.negatives} pairs)`);
    }
  }
  lines.push('');
  const l = r.lpips.heldOutWorld;
  lines.push(`lpips on held-out world characters (${l.pairs} pairs; 2AFC agreement ${pct(l.twoAfc)}):`);
  lines.push('  #changed   n    distance (mean ± std)   uncalibrated   pixel MSE');
  for (const row of l.table) lines.push(`  ${String(row.k).padStart(8)} ${String(row.n).padStart(4)}    ${row.mean.toFixed(4)} ± ${row.std.toFixed(4)}       ${row.uniformMean.toFixed(4)}       ${row.pixelMean.toFixed(4)}`);
  lines.push(`  Spearman: calibrated ${l.spearman.toFixed(3)}, uncalibrated ${l.spearmanUniform.toFixed(3)}, pixel MSE ${l.spearmanPixel.toFixed(3)}`);
  if (r.training) {
    lines.push('');
    const t = r.training as Record<string, { seconds?: number; steps?: number; params?: number; msPerStep?: number }>;
    lines.push('training: ' + ['vqa', 'clip', 'identity', 'lpips'].map((k) => `${k} ${t[k]?.seconds ?? '?'} s (${t[k]?.steps} steps, ${t[k]?.params} params)`).join('; ') + `; data ${Number(r.training.dataSeconds).toFixed(1)} s`);
  }
  lines.push(`(${r.seconds.toFixed(0)} s)`);
  return lines.join('\n');
}
