/**
 * Train and save the four image judges that stand in for UniCharacter's reward
 * and metric models, all trained on a synthetic world (`cmrp data synth --split world`) only:
 *
 *   vqa       BLIP-VQA   attribute heads + question parser (vqa.ts, question.ts)
 *   clip      CLIP-T     contrastive image/prompt dual encoder (clip.ts)
 *   identity  DINO, CLIP-I   identity embeddings, variants `dino` and `clip_i` (identity.ts)
 *   lpips     LPIPS      calibrated feature distance on the vqa encoder, or another set's, unchanged (lpips.ts)
 *
 * `trainJudges` writes one folder, swapped in atomically:
 *   <out>/judges.json  format, resolved config, which world (and which characters were held out)
 *   <out>/report.json  the held-out figures measured right after training
 *   <out>/{vqa,clip,identity,lpips}/  one judge each (judge.json + weights.bin, see core/checkpoint.ts)
 *
 * Its config is config.ts, the loaded set and `loadJudges` load.ts, the held-out figures report.ts.
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
 *   random scenes, and identities recombined from two training characters (core/data.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replaceDirAtomic } from '../../util/fs';
import { UserError } from '../../util/errors';
import { readSynthIndex, signature, type Identity } from '../../data/synth';
import { checkSameSpace } from '../core/attributes';
import { ImageSet, loadEvalData, loadWorldData } from '../core/data';
import { trainVqa } from './vqa';
import { trainClip } from './clip';
import { trainIdentity } from './identity';
import { LpipsJudge, perturbationSet, trainLpips } from './lpips';
import { buildVocab } from './clip-text';
import { resolveJudgesConfig, worldOptions, type JudgesConfigInput } from './config';
import { projectRoot } from '../../util/paths';
import { paramsSha256 } from '../core/checkpoint';
import { CHARACTERS_FORMAT, JUDGES_FORMAT, idsSha, type Judges, type JudgesCharacters, type JudgesManifest, type JudgesRole } from './load';
import { evaluateJudges, type JudgesReport } from './report';

export interface TrainJudgesOptions {
  worldDir: string;
  evalDir: string;
  seed?: number;
  outDir: string;
  smoke?: boolean;
  /** Overrides on top of the defaults (or the smoke preset). */
  config?: JudgesConfigInput;
  /** 'reward' (GRPO's judges, the default) or 'heldout' (the evaluation-only set: judges/heldout.ts). */
  role?: JudgesRole;
  /** World characters never used (ids and identity signatures), e.g. another judge set's (judges/heldout.ts). */
  exclude?: { ids: ReadonlySet<string>; signatures: ReadonlySet<string>; from: string };
  log?: (line: string) => void;
}

/** Train all four judges, save them atomically to `outDir`, and return their held-out report. */
export async function trainJudges(o: TrainJudgesOptions): Promise<JudgesReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const cfg = resolveJudgesConfig(Boolean(o.smoke), o.config);
  const lpipsFrom = cfg.lpips.from === null ? null : path.resolve(projectRoot(), cfg.lpips.from);
  if (lpipsFrom && !fs.existsSync(path.join(lpipsFrom, 'lpips', 'judge.json'))) throw new UserError(`judges config: lpips.from: ${lpipsFrom} has no LPIPS judge (expected ${path.join(lpipsFrom, 'lpips', 'judge.json')}, from \`cmrp judges train\`)`);
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

  let lp: { judge: LpipsJudge };
  if (lpipsFrom) {
    lp = { judge: LpipsJudge.copyFrom(lpipsFrom) };
    training.lpips = { from: lpipsFrom, params: lp.judge.params.count(), backboneSha256: paramsSha256(lp.judge.backbone.params) };
    log(`judges: LPIPS judge taken unchanged from ${lpipsFrom}`);
  } else {
    const bases = world.trainCharacters.slice(0, cfg.lpips_bases).map((id): [string, Identity] => [id, world.identities.get(id)!]);
    const tl = performance.now();
    const pert = await perturbationSet(bases, world.labelSpaces, cfg.lpips.model.max_changes, seed);
    const trained = trainLpips(vqa.judge, pert.set, pert.pairs, { config: cfg.lpips.model, fit: cfg.lpips.fit, seed, log });
    training.lpips = { ...summarizeFit(trained.result, trained.fit, trained.judge.params.count()), bases: bases.length, triplets: trained.triplets, renderSeconds: (performance.now() - tl) / 1000 - trained.result.seconds };
    lp = trained;
  }

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
