/**
 * `style` (ours, role-play rollouts): the probability the style judge gives to the reply being in
 * this character's voice among all the dataset's characters (softmax over the nearest-centroid
 * cosines, src/judges/text/style.ts), with the weighting the eval suite's style_attribution uses
 * (`styleJudgeFor`). The suite scores the 1/0 attribution; a probability ranks the replies of one
 * group more finely. Rollouts without text (plain text-to-image) get 0: a constant, which the
 * group-mean advantage cancels.
 */
import { UserError } from '../util/errors';
import type { PreparedCandidates, StyleCandidate, StyleJudge } from '../judges/text/style';
import { styleJudgeFor } from '../metrics/style';
import { synthTruth } from '../data/synth/truth';
import type { RewardFn } from './types';
import { checkBatch, withText } from './batch';
import { requireTextJudges } from './text-judges';

// candidates' centroids, prepared once per candidate list, judge and weighting
const prepared = new WeakMap<readonly StyleCandidate[], WeakMap<Uint8Array, Map<string, PreparedCandidates>>>();

function prepare(judge: StyleJudge, candidates: readonly StyleCandidate[]): PreparedCandidates {
  let byJudge = prepared.get(candidates);
  if (!byJudge) prepared.set(candidates, (byJudge = new WeakMap()));
  let byWeighting = byJudge.get(judge.bins);
  if (!byWeighting) byJudge.set(judge.bins, (byWeighting = new Map()));
  let p = byWeighting.get(judge.weighting);
  if (!p) byWeighting.set(judge.weighting, (p = judge.prepare(candidates)));
  return p;
}

export const styleReward: RewardFn = (batch, ctx) => {
  const out = new Float64Array(checkBatch(batch));
  const idx = withText(batch);
  if (!idx.length) return out; // no reply text: 0
  const judge = styleJudgeFor(requireTextJudges(ctx, 'style').style, synthTruth(ctx.character));
  const candidates = ctx.styleCandidates;
  if (!candidates) throw new UserError('style reward: ctx.styleCandidates is missing (every character of the dataset with its training lines: styleCandidates(characters) from the eval suite)');
  if (!candidates.some((c) => c.id === ctx.character.id)) throw new UserError(`style reward: ${ctx.character.id} is not among the ${candidates.length} style candidates`);
  const attributed = judge.attributeLines(idx.map((i) => batch.texts![i]!), prepare(judge, candidates));
  idx.forEach((i, k) => (out[i] = attributed[k].probs[ctx.character.id]));
  return out;
};
