/**
 * `clip_t`: the CLIP-T stand-in's cosine between the drawing and its prompt text, as the eval
 * suite's t2i_clip_t scores prompt alignment (src/eval/suite/t2i.ts).
 *
 * Departure: flow_grpo's ClipScorer returns CLIP ViT-L's logit / 30 = 100 cos / 30 (about 3.3 cos);
 * here it is the cosine itself (the paper's CLIP-T without the x100), so the official clip_t
 * weight counts about 3.3 times less than in the official total. Re-weight to compare.
 *
 * A prompt the judge mostly cannot read (under CLIP_T_MIN_COVERAGE of its content words known: real
 * RoleScape-20 prompts, ~16%) scores 0 for every drawing of it, rather than a cosine about its few
 * known words: a constant within the prompt's group, so the term drops out of its advantages
 * instead of steering them with noise (the eval suite marks t2i_clip_t unavailable there).
 */
import type { RewardFn } from './types';
import { checkBatch } from './batch';
import { CLIP_T_MIN_COVERAGE, clipTextCoverage } from '../judges/image/clip-text';

export const clipTReward: RewardFn = (batch, ctx) => {
  if (checkBatch(batch) === 0) return new Float64Array(0);
  const texts = batch.prompts.map((p) => p.text);
  const vocab = ctx.judges.clip.tokenizer.vocab;
  const readable = new Map([...new Set(texts)].map((t) => [t, clipTextCoverage(vocab, [t]).share >= CLIP_T_MIN_COVERAGE]));
  const scores = ctx.judges.clip.clipScores(batch.images, texts);
  return Float64Array.from(scores, (s, i) => (readable.get(texts[i]) ? s : 0));
};
