/**
 * `clip_t`: the CLIP-T stand-in's cosine between the drawing and its prompt text, as the eval
 * suite's t2i_clip_t scores prompt alignment (src/eval/suite/t2i.ts).
 *
 * Departure: flow_grpo's ClipScorer returns CLIP ViT-L's logit / 30 = 100 cos / 30 (about 3.3 cos);
 * here it is the cosine itself (the paper's CLIP-T without the x100), so the official clip_t
 * weight counts about 3.3 times less than in the official total. Re-weight to compare.
 */
import type { RewardFn } from './types';
import { checkBatch } from './batch';

export const clipTReward: RewardFn = (batch, ctx) => {
  if (checkBatch(batch) === 0) return new Float64Array(0);
  return Float64Array.from(ctx.judges.clip.clipScores(batch.images, batch.prompts.map((p) => p.text)));
};
