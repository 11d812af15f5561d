/**
 * `consistency` (ours, role-play rollouts): the drawing shows what the reply says. The VQA judge
 * reads the drawn expression and scene, the text emotion judge the emotion and place the reply
 * states; the score is the share of the stated aspects the drawing matches, as the eval suite's
 * mmrp_consistency scores one reply (`readBothSides`, `scoreConsistency`). A reply stating
 * neither, and a rollout without text, score 0 (nothing to agree with; the suite leaves such
 * replies out of its mean instead).
 */
import { readBothSides, scoreConsistency } from '../metrics/consistency';
import type { RewardFn } from './types';
import { checkBatch, withText } from './batch';
import { requireTextJudges } from './text-judges';

export const consistencyReward: RewardFn = (batch, ctx) => {
  const out = new Float64Array(checkBatch(batch));
  const idx = withText(batch);
  if (!idx.length) return out; // no reply text: 0
  const sides = readBothSides(ctx.judges, requireTextJudges(ctx, 'consistency').emotion, idx.map((i) => batch.images[i]), idx.map((i) => batch.texts![i]!));
  idx.forEach((i, k) => (out[i] = scoreConsistency([sides[k]]).consistency ?? 0));
  return out;
};
