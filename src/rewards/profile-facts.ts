/**
 * `profile_facts` (ours, role-play rollouts of synthetic characters): 1 minus the share of the
 * profile facts the reply states that are wrong, over the label spaces the eval suite's
 * persona_consistency checks (hometowns and occupations: `wrongProfileFacts`); a reply stating
 * none of them scores 1. Rollouts without text, and characters without ground truth (real
 * RoleScape-20 data), score 0: a constant, which the group-mean advantage cancels.
 */
import { containsPhrase } from '../metrics/text';
import { type ProfileFacts, profileFactsOf, wrongProfileFacts } from '../metrics/style';
import { synthTruth } from '../data/synth/truth';
import type { RewardFn } from './types';
import { checkBatch, withText } from './batch';

/** The score of one reply (pure). */
export function profileFactScore(reply: string, own: ProfileFacts): number {
  const wrong = wrongProfileFacts(reply, own).length;
  const right = [own.hometown, own.occupation].filter((v) => containsPhrase(reply, v)).length;
  return wrong + right > 0 ? 1 - wrong / (wrong + right) : 1;
}

export const profileFactsReward: RewardFn = (batch, ctx) => {
  const out = new Float64Array(checkBatch(batch));
  const truth = synthTruth(ctx.character);
  if (!truth) return out; // no ground truth: 0
  const own = profileFactsOf(truth);
  for (const i of withText(batch)) out[i] = profileFactScore(batch.texts![i]!, own);
  return out;
};
