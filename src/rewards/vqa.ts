/**
 * `vqa`: the weighted share of the prompt's VQA questions (negated ones included) the drawing
 * answers as expected, scored by the VQA judge exactly as flow_grpo's vqa_scorer weights them
 * (`VqaJudge.scoreVqaBatch`). A prompt none of whose questions the judge can parse scores 0, as
 * the official scorer gives 0 when the total weight is 0.
 */
import type { RewardFn } from './types';
import { checkBatch } from './batch';

export const vqaReward: RewardFn = (batch, ctx) => {
  if (checkBatch(batch) === 0) return new Float64Array(0);
  const scores = ctx.judges.vqa.scoreVqaBatch(batch.images, batch.prompts.map((p) => p.questions));
  return Float64Array.from(scores, (s) => s.score ?? 0);
};
