/**
 * Text-to-image on the held-out GRPO prompts (the eval side of `splitGrpoPrompts`): the image model
 * draws N samples per prompt after the policy's context for the character.
 *   t2i_identity_clip_i / _dino  mean over drawings of the mean cosine similarity to the K reference
 *                                images (the *_max variants: of the best-matching reference)
 *   t2i_clip_t                   mean CLIP-T score of drawing vs prompt
 *   t2i_vqa_score                mean of the VQA judge's weighted question score (the GRPO reward's
 *                                VQA term, weighted like flow_grpo's vqa_scorer)
 *   t2i_identity_top1            share of drawings whose nearest character (DINO stand-in, mean over
 *                                each character's K references) among all the dataset's characters
 *                                is their own (chance: 1 / characters); null without candidates
 *   t2i_diversity                mean over prompts of the mean pairwise LPIPS between its samples
 *   t2i_copy_rate                share of drawings whose LPIPS distance to the nearest training
 *                                image is below `copy_threshold`
 *   t2i_memorized_rate           (synthetic characters) share of drawings that are copies *and* lie
 *                                nearer to that training image than to every one of the renderer's
 *                                own drawings of their prompt: the training image was repeated
 *                                instead of the prompt being drawn (see `scoreMemorizedRate`)
 *
 * Copy rate, and why the default threshold is 0.1: a drawing is made of codebook patches, so the
 * closest a model can come to a training PNG is the PNG's tokenizer reconstruction, which is itself
 * 0.16-0.41 LPIPS from the PNG (median 0.25, 5th-95th percentile; base tokenizer, the 20 evaluation
 * characters) - more than many one-attribute changes. So a drawing is compared with every training
 * image both as the PNG and as its reconstruction (the nearer counts). On the LPIPS judge's own
 * calibration pairs (100 held-out world characters, both images reconstructed), 0.1 is below 90% of
 * pairs that differ only in background details (k = 0), 25% of pairs differing in one attribute
 * (k = 1; their median is 0.185) and 3% of pairs differing in two: a drawing under 0.1 repeats a
 * training image up to at most one small change. Unrelated drawings (a blank canvas) are 0.6-1.1.
 *
 * When CLIP-T applies: the stand-in's text side knows only the synthetic world's prompt words (about
 * 125: colours, hair styles, moods, scenes, props, "photo of"), and reads every other word as <unk>.
 * A prompt it mostly cannot read gets a score about the few words it knows, not about the prompt,
 * so t2i_clip_t is reported only when the judge knows at least CLIP_T_MIN_COVERAGE (50%) of the
 * held-out prompts' content words (pooled over the prompts; function words such as "a", "of", "in"
 * and commas are not counted, since the vocabulary holds most of them whatever the prompt says).
 * Names count as unknown, as a customized character's name is to CLIP. Measured on the committed
 * judges: synthetic GRPO prompts 89% (names are most of the rest), the real RoleScape-20 GRPO
 * prompts 16% (e.g. "butterfly", "basket", "yarn", "window" are outside it). Under 50%, the metric is
 * null and `unavailable.t2i_clip_t` gives the share.
 *
 * Departure from UniCharacter: CLIP-I, DINO, CLIP-T, BLIP-VQA and LPIPS are tiny stand-ins trained
 * on the synthetic world (src/judges), on 32x32 images.
 */
import type { GrpoPrompt } from '../../data/rolescape/types';
import type { Judges } from '../../judges';
import { parseQuestion } from '../../judges/image/question';
import { CLIP_T_MIN_COVERAGE, clipTextCoverage } from '../../judges/image/clip-text';
export { CLIP_T_MIN_COVERAGE, clipTextCoverage } from '../../judges/image/clip-text';
import type { SampleOptions } from '../../model/generate';
import type { PolicySession } from './session';
import type { Policy } from '../policy';
import { GrpoWorkers } from '../../train/grpo-workers';
import { userText } from './session';
import { finite, meanOrNull } from '../../util/stats';
import { drawingRanks, embedReferences, top1Share } from './identity-rank';
import { similarityMatrix, nearestTrainingDistances, pairwiseDistances } from '../../metrics/similarity';

export interface T2iDrawings {
  prompt: GrpoPrompt;
  drawings: Uint8Array[];
}

/**
 * Threads to draw the text-to-image prompts (`workers`, 0: one per core), each with a copy of the
 * image model: GRPO's pool and group drawing (train/grpo-workers.ts), training nothing (the copies
 * load the weights once). Null where one thread draws (`workers` 1, LoRA adapters, a native
 * backend). Started before the suite's first family, so the threads' start-up (backend, model copy)
 * overlaps it; the caller disposes them.
 */
export function startT2iThreads(policy: Pick<Policy, 'imageModel' | 'tok'>, workers: number): GrpoWorkers | null {
  if (workers === 1) return null;
  const threads = GrpoWorkers.start(policy.imageModel, policy.tok, new Map(), workers);
  return threads.count > 1 ? threads : null; // one: no pool was made
}

/**
 * Gather: N drawings per prompt, the prompts in turn from one stream (`opts.rng`), or split across
 * `threads` with the same drawings and the stream left where drawing in turn leaves it
 * (`PolicySession.drawMany`).
 */
export async function gatherT2i(session: PolicySession, prompts: readonly GrpoPrompt[], n: number, opts: SampleOptions, threads: GrpoWorkers | null = null): Promise<T2iDrawings[]> {
  if (threads && prompts.length > 1) {
    const drawn = await session.drawMany(prompts.map((p) => [userText(p.text)]), n, opts, threads.draw);
    return prompts.map((prompt, i) => ({ prompt, drawings: drawn[i] }));
  }
  const out: T2iDrawings[] = [];
  for (const p of prompts) out.push({ prompt: p, drawings: await session.draw([userText(p.text)], n, opts) });
  return out;
}

export interface T2iRecord {
  sceneId: string;
  prompt: string;
  /** Per drawing: cosine similarity to each reference, per identity head. */
  dino: number[][];
  clipI: number[][];
  clipT: number[];
  vqa: (number | null)[];
  /** Pairwise LPIPS distances between this prompt's drawings. */
  pairwise: number[];
  /** Per drawing: LPIPS distance to the nearest training image. */
  nearest: number[];
  /** Per drawing: rank of its own character among the candidates (empty without candidates). */
  ranks: number[];
  /** Per drawing: the candidate whose references it is nearest to (empty without candidates). */
  nearestCharacter: string[];
}

/** Every candidate character's K reference pixels (the own character included), for `t2i_identity_top1`. */
export interface IdentityCandidates {
  own: string;
  references: ReadonlyMap<string, readonly Uint8Array[]>;
}

/**
 * Judge step: every judge's numbers for every drawing. `training` holds the character's training
 * images as PNG pixels and as tokenizer reconstructions (see the header).
 */
export function judgeT2i(judges: Judges, groups: readonly T2iDrawings[], references: readonly Uint8Array[], training: readonly Uint8Array[], candidates: IdentityCandidates | null = null): T2iRecord[] {
  const embedded = candidates && candidates.references.size > 1 ? embedReferences(judges, candidates.references) : null; // once, not per prompt
  return groups.map(({ prompt, drawings }) => ({
    sceneId: prompt.sceneId,
    prompt: prompt.text,
    dino: similarityMatrix(judges, drawings, references, 'dino'),
    clipI: similarityMatrix(judges, drawings, references, 'clip_i'),
    clipT: judges.clip.clipScores([...drawings], drawings.map(() => prompt.text)),
    vqa: judges.vqa.scoreVqaBatch([...drawings], drawings.map(() => prompt.questions)).map((s) => s.score),
    pairwise: pairwiseDistances(judges, drawings),
    nearest: nearestTrainingDistances(judges, drawings, training),
    ...rankings(embedded && candidates ? drawingRanks(judges, drawings, embedded, candidates.own) : []),
  }));
}

function rankings(r: readonly { rank: number; nearest: string }[]): Pick<T2iRecord, 'ranks' | 'nearestCharacter'> {
  return { ranks: r.map((x) => x.rank), nearestCharacter: r.map((x) => x.nearest) };
}

/** Why t2i_clip_t cannot be scored on these prompts, or null when it can. */
export function clipTUnavailableReason(vocab: readonly string[], prompts: readonly string[]): string | null {
  if (!prompts.length) return null;
  const c = clipTextCoverage(vocab, prompts);
  if (c.share >= CLIP_T_MIN_COVERAGE) return null;
  return `the CLIP-T judge knows ${(100 * c.share).toFixed(0)}% of the prompts' content words (${c.known} of ${c.words}; synthetic vocabulary of ${vocab.length - 2} words, needs >= ${100 * CLIP_T_MIN_COVERAGE}%)`;
}

/** t2i_vqa_score is reported only when the VQA judge parses at least this share of the held-out prompts' questions. */
export const VQA_MIN_PARSED = 0.5;

/**
 * Why t2i_vqa_score would not be about the prompts, or null: a score resting on the few questions
 * the judge parses (real data: 0-7% of them) is about those few only.
 */
export function vqaScoreUnavailableReason(prompts: readonly Pick<GrpoPrompt, 'questions'>[]): string | null {
  const qs = prompts.flatMap((p) => p.questions);
  const parsed = qs.filter((q) => parseQuestion(q) !== null).length;
  if (!qs.length || parsed >= VQA_MIN_PARSED * qs.length) return null;
  return `the VQA judge parses ${parsed} of the prompts' ${qs.length} questions (synthetic label space; needs >= ${100 * VQA_MIN_PARSED}%)`;
}

const mean = meanOrNull;

/** Score: identity as the mean (and mean best) similarity of each drawing to the references. */
export function scoreIdentity(sims: readonly (readonly number[])[]): { mean: number | null; max: number | null } {
  const rows = sims.filter((r) => r.length > 0);
  return { mean: mean(rows.map((r) => mean(r)!)), max: mean(rows.map((r) => Math.max(...r))) };
}

/** Score: mean over groups (with at least one pair) of the mean pairwise distance. */
export function scoreDiversity(groups: readonly (readonly number[])[]): number | null {
  return mean(groups.filter((g) => g.length > 0).map((g) => mean(g)!));
}

/** Score: share of drawings nearer than `threshold` to a training image. */
export function scoreCopyRate(nearest: readonly number[], threshold: number): number | null {
  return nearest.length ? nearest.filter((d) => d < threshold).length / nearest.length : null;
}

/**
 * Score: share of drawings that copy a training image rather than draw their prompt. A drawing in
 * copy distance of a training image is not necessarily memorized: in the synthetic world a prompt
 * can differ from a training image in one small feature (a mood), so its faithful drawing - even
 * the renderer's own (`t2i_copy_rate_truth`) - falls under the threshold. It counts here only when
 * it is also nearer to that training image than to each of the renderer's drawings of its own
 * prompt (`nearestTruth`, through the same tokenizer).
 */
export function scoreMemorizedRate(nearest: readonly number[], nearestTruth: readonly number[], threshold: number): number | null {
  if (nearest.length !== nearestTruth.length) throw new Error(`scoreMemorizedRate: ${nearest.length} drawings but ${nearestTruth.length} truth distances`);
  return nearest.length ? nearest.filter((d, i) => d < threshold && d < nearestTruth[i]).length / nearest.length : null;
}

/** Score: mean over the non-null values (a VQA score is null when no question applies). */
export function meanDefined(xs: readonly (number | null)[]): number | null {
  return mean(finite(xs));
}

/** All t2i metrics from the judged records (pure). */
export function scoreT2i(records: readonly T2iRecord[], copyThreshold: number): Record<string, number | null> {
  const clipI = scoreIdentity(records.flatMap((r) => r.clipI));
  const dino = scoreIdentity(records.flatMap((r) => r.dino));
  return {
    t2i_identity_clip_i: clipI.mean,
    t2i_identity_dino: dino.mean,
    t2i_identity_clip_i_max: clipI.max,
    t2i_identity_dino_max: dino.max,
    t2i_identity_top1: top1Share(records.flatMap((r) => r.ranks)),
    t2i_clip_t: meanDefined(records.flatMap((r) => r.clipT)),
    t2i_vqa_score: meanDefined(records.flatMap((r) => r.vqa)),
    t2i_diversity: scoreDiversity(records.map((r) => r.pairwise)),
    t2i_copy_rate: scoreCopyRate(records.flatMap((r) => r.nearest), copyThreshold),
  };
}

/**
 * Every t2i metric of one judge set's records, with the reason each null metric is null (the
 * CLIP-T and VQA-score coverage rules apply to each judge set's own vocabulary and parser).
 */
export function t2iMetrics(records: readonly T2iRecord[], prompts: readonly GrpoPrompt[], clipVocab: readonly string[], copyThreshold: number): { metrics: Record<string, number | null>; unavailable: Record<string, string> } {
  const metrics = scoreT2i(records, copyThreshold);
  const unavailable: Record<string, string> = {};
  if (!records.length) {
    for (const k of Object.keys(metrics)) unavailable[k] = 'no held-out GRPO prompts';
    return { metrics, unavailable };
  }
  if (metrics.t2i_vqa_score === null) unavailable.t2i_vqa_score = 'the VQA judge could parse none of the prompts\' questions (outside the synthetic label space)';
  else {
    const vqa = vqaScoreUnavailableReason(prompts);
    if (vqa) (metrics.t2i_vqa_score = null), (unavailable.t2i_vqa_score = vqa);
  }
  if (metrics.t2i_identity_top1 === null) unavailable.t2i_identity_top1 = 'needs the references of at least two characters';
  if (metrics.t2i_diversity === null) unavailable.t2i_diversity = 'needs samples_per_prompt >= 2';
  const clipT = clipTUnavailableReason(clipVocab, records.map((r) => r.prompt));
  if (clipT) (metrics.t2i_clip_t = null), (unavailable.t2i_clip_t = clipT);
  return { metrics, unavailable };
}
