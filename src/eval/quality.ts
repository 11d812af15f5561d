/**
 * `cmrp quality`: held-out figures of the committed judges and base model, each computed fresh
 * from data (nothing read from a stored report):
 *   judges      vqa_judge_acc, identity_auc, clip_t_top1 (reportJudges on the world + eval data)
 *   tokenizer   tokenizer_psnr on the evaluation characters' images (never in the codebook fit),
 *               vqa_judge_acc_on_reconstructions: the VQA judge on tokenize-detokenized renders of
 *               the eval GRPO prompts, against their ground truth
 *   base model  base_t2i_vqa_score: the base model draws the eval characters' GRPO prompts (which it
 *               never trained on) with the character's look spelled out, as its t2i instructions do;
 *               the VQA judge scores each drawing on the prompt's weighted questions (chance ~0.5);
 *               base_identity_sim: DINO-stand-in similarity of each drawing to the character's
 *               references, next to the same similarity to other characters' references
 *               base_vqa_acc: the base model (card in the prompt) answers held-out VQA questions on
 *               the eval characters' TEST images, greedy, exact match after normalization (the
 *               evaluation suite's vqa_acc); base_vqa_f1 gives partial credit (token F1)
 *   diagnostics base_t2i_loss_figure / _edges: held-out loss (nats per code) of the eval
 *               characters' test drawings in the figure columns vs the background (card-less
 *               prompts); base_t2i_loss_with_card / _without_card: the same drawings after the card
 *               or after the name only; identity_ceiling / _other: a reference's own reconstruction
 *               through the tokenizer scored against its character's references / other characters'
 *               (what a perfect copy can reach); see base-diagnostics.ts
 */
import { loadJudges, reportJudges } from '../judges';
import { loadEvalData } from '../judges/core/data';
import { reconstructionStats } from '../tokenizers/image';
import { loadSynthImages } from '../tokenizers/image-io';
import { readSynthIndex } from '../data/synth';
import { lookPhrase } from '../data/synth/describe';
import type { Identity } from '../data/synth/character';
import { loadCheckpoint } from '../model/checkpoint';
import { Rng } from '../util/rng';
import { drawPrompt } from './samples';
import { loadRoleScape } from '../data/rolescape';
import { modelPolicy, cardContext } from './load-policy';
import { PolicySession } from './suite/session';
import { heldOutVqa } from './suite/items';
import { synthTruth } from '../data/synth/truth';
import { gatherVqa, vqaRecords, scoreVqa } from './suite/vqa';
import { imageLossWithAndWithoutCard, identityCeiling } from './base-diagnostics';

export interface QualityOptions {
  baseDir: string;
  judgesDir: string;
  worldDir: string;
  evalDir: string;
  /** GRPO prompts drawn per eval character for the base-model figures. */
  promptsPerCharacter?: number;
  /** Held-out VQA questions per eval character for base_vqa_acc. */
  vqaPerCharacter?: number;
  seed?: number;
  log?: (line: string) => void;
}

export interface QualityReport {
  vqa_judge_acc: number;
  identity_auc: number;
  clip_t_top1: number;
  tokenizer_psnr: number;
  vqa_judge_acc_on_reconstructions: number;
  base_t2i_vqa_score: number;
  base_vqa_acc: number;
  base_vqa_f1: number;
  base_vqa_questions: number;
  base_identity_sim: number;
  base_identity_sim_other_characters: number;
  base_prompts: number;
  base_step: number;
  base_t2i_loss_figure: number;
  base_t2i_loss_edges: number;
  base_t2i_loss_with_card: number;
  base_t2i_loss_without_card: number;
  identity_ceiling: number;
  identity_ceiling_other: number;
  seconds: number;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

export async function qualityReport(o: QualityOptions): Promise<QualityReport> {
  const t0 = performance.now();
  const log = o.log ?? (() => {});
  const seed = o.seed ?? 0;
  const judgeReport = await reportJudges({ judgesDir: o.judgesDir, worldDir: o.worldDir, evalDir: o.evalDir });
  log(`judges: vqa ${judgeReport.vqa_judge_acc.toFixed(4)}, identity AUC ${judgeReport.identity_auc.toFixed(4)}, CLIP-T top-1 ${judgeReport.clip_t_top1.toFixed(4)}`);
  const base = loadCheckpoint(o.baseDir);
  const judges = loadJudges(o.judgesDir);
  try {
    const index = readSynthIndex(o.evalDir);
    const evalImages = await loadSynthImages(o.evalDir, index);
    const psnr = reconstructionStats(base.tokenizers.image, evalImages.map((i) => i.pixels)).psnr;
    const ev = await loadEvalData(o.evalDir, { seed });
    const rec = ev.grpo.map((g) => base.tokenizers.image.reconstruct(g.pixels));
    const recScores = judges.vqa.scoreVqaBatch(rec, ev.grpo.map((g) => g.questions));
    // accuracy over answered questions, weighted as the official scorer weights them
    let right = 0, total = 0;
    for (const s of recScores) for (const d of s.details) if (d.correct !== null) (total += 1), (right += d.correct ? 1 : 0);
    log(`tokenizer: PSNR ${psnr.toFixed(2)} dB; VQA judge on reconstructions ${(right / total).toFixed(4)}`);
    // base model drawings for held-out prompts
    const per = o.promptsPerCharacter ?? 5;
    const rng = new Rng(seed);
    const scores: number[] = [], sims: number[] = [], simsOther: number[] = [];
    const refsByChar = new Map<string, Uint8Array[]>();
    for (const img of evalImages) if (img.split === 'train') refsByChar.set(img.character, [...(refsByChar.get(img.character) ?? []), img.pixels]);
    const chars = [...refsByChar.keys()];
    for (const id of chars) {
      const identity = ev.identities.get(id) as Identity;
      const cases = ev.grpo.filter((g) => g.character === id).slice(0, per);
      for (const g of cases) {
        const [drawing] = await drawPrompt(base.model, base.tokenizers, { id }, `${g.text}, ${lookPhrase(identity)}, flat vector style`, 1, { rng, temperature: 0.7 });
        const s = judges.vqa.scoreVqa(drawing, g.questions).score;
        if (s !== null) scores.push(s);
        sims.push(mean(refsByChar.get(id)!.map((r) => judges.identity.similarity(drawing, r, 'dino'))));
        const other = chars[(chars.indexOf(id) + 1 + rng.int(0, chars.length - 2)) % chars.length];
        simsOther.push(mean(refsByChar.get(other)!.map((r) => judges.identity.similarity(drawing, r, 'dino'))));
      }
      log(`base: ${id} done (${scores.length} drawings scored)`);
    }
    // base model VQA on held-out test images (a few questions per character)
    const policy = modelPolicy(base.model, base.tokenizers, { name: 'base', kind: 'base', context: cardContext(0) });
    const records = [];
    const evalChars = (await loadRoleScape(o.evalDir)).characters;
    for (const c of evalChars) {
      const items = heldOutVqa(c, synthTruth(c)).slice(0, o.vqaPerCharacter ?? 6);
      records.push(...vqaRecords(await gatherVqa(new PolicySession(policy, c), items, 40)));
    }
    const vqa = scoreVqa(records);
    const card = await imageLossWithAndWithoutCard(base.model, base.tokenizers, evalChars);
    const ceiling = identityCeiling(judges.identity, base.tokenizers, refsByChar);
    log(`base: held-out t2i loss figure ${card.withoutCard.figure.toFixed(3)} / edges ${card.withoutCard.edges.toFixed(3)}; with card ${card.withCard.mean.toFixed(3)} / without ${card.withoutCard.mean.toFixed(3)}; identity ceiling ${ceiling.own.toFixed(3)} (other characters ${ceiling.other.toFixed(3)})`);
    log(`base: VQA on held-out test images ${vqa.acc?.toFixed(4)} exact, ${vqa.f1?.toFixed(4)} F1 (${records.length} questions)`);
    return {
      vqa_judge_acc: judgeReport.vqa_judge_acc,
      identity_auc: judgeReport.identity_auc,
      clip_t_top1: judgeReport.clip_t_top1,
      tokenizer_psnr: psnr,
      vqa_judge_acc_on_reconstructions: right / total,
      base_t2i_vqa_score: mean(scores),
      base_vqa_acc: vqa.acc ?? NaN,
      base_vqa_f1: vqa.f1 ?? NaN,
      base_vqa_questions: records.length,
      base_identity_sim: mean(sims),
      base_identity_sim_other_characters: mean(simsOther),
      base_prompts: scores.length,
      base_step: Number(base.meta.step ?? 0),
      base_t2i_loss_figure: card.withoutCard.figure,
      base_t2i_loss_edges: card.withoutCard.edges,
      base_t2i_loss_with_card: card.withCard.mean,
      base_t2i_loss_without_card: card.withoutCard.mean,
      identity_ceiling: ceiling.own,
      identity_ceiling_other: ceiling.other,
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    judges.dispose();
    base.model.dispose();
  }
}
