/**
 * The image judges' held-out figures (`evaluateJudges`, recomputed from data by
 * `cmrp judges report`): the world characters held out of training (a seeded 10%), and the 20
 * evaluation characters, whose train and test images and one ground-truth render per GRPO prompt
 * the judges never saw; and their text form.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readJsonFile } from '../../util/fs';
import { UserError } from '../../util/errors';
import { readSynthIndex, type Identity } from '../../data/synth';
import { checkSameSpace } from '../core/attributes';
import { EvalData, ImageSet, WorldData, loadEvalData, loadWorldData } from '../core/data';
import { AttributeAccuracy, VqaJudge, attributeAccuracy } from './vqa';
import { ClipEval, evaluateClip } from './clip';
import { IdentityEval, IdentityVariant, evaluateIdentity } from './identity';
import { LpipsEval, evaluateLpips, perturbationSet } from './lpips';
import { parseQuestion } from './question';
import { worldOptions } from './config';
import { idsSha, loadJudges, type Judges, type JudgesCharacters } from './load';

export const REPORT_FORMAT = 'cmrp-judges-report/1';

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
