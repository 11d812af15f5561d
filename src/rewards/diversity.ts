/**
 * Group diversity by LPIPS (the LPIPS stand-in, src/judges/image/lpips.ts), over the drawings of one
 * prompt (one group):
 *   diversity_lpips             the group's mean pairwise distance, given to EVERY member (a group
 *                               of 1 gets 0), as flow_grpo's personalized_t2i_reward does. Constant
 *                               within a group, so group-mean advantages cancel it (advantages.ts).
 *   diversity_lpips_per_sample  each drawing's mean distance to the rest of its group (ours): the
 *                               same group mean on average, but it ranks the members, so it pushes
 *                               each drawing away from its siblings.
 * Both read the same pairwise distances (the eval suite's `pairwiseDistances`), computed once per
 * batch object and judge (a WeakMap memo), so measuring both costs one LPIPS pass.
 */
import type { LpipsJudge } from '../judges/image/lpips';
import { pairwiseDistances } from '../metrics/similarity';
import type { RewardBatch, RewardContext, RewardFn } from './types';
import { checkBatch, groupMembers } from './batch';

/** One group: its rollout indices and the distances of its pairs (i < j, row-major over members). */
export interface GroupPairs {
  members: number[];
  distances: number[];
}

const memo = new WeakMap<RewardBatch, { judge: LpipsJudge; pairs: GroupPairs[] }>();

/** Pairwise LPIPS distances within every group of the batch. */
export function groupPairs(batch: RewardBatch, ctx: RewardContext): GroupPairs[] {
  const hit = memo.get(batch);
  if (hit && hit.judge === ctx.judges.lpips) return hit.pairs;
  checkBatch(batch);
  const pairs = [...groupMembers(batch.groups).values()].map((members) => ({ members, distances: pairwiseDistances(ctx.judges, members.map((i) => batch.images[i])) }));
  memo.set(batch, { judge: ctx.judges.lpips, pairs });
  return pairs;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);

/** The group mean pairwise distance for every member (pure). */
export function groupMeanDiversity(groups: readonly GroupPairs[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const g of groups) {
    const d = mean(g.distances);
    for (const i of g.members) out[i] = d;
  }
  return out;
}

/** Each member's mean distance to the other members (pure). */
export function perSampleDiversity(groups: readonly GroupPairs[], n: number): Float64Array {
  const out = new Float64Array(n);
  for (const { members, distances } of groups) {
    const G = members.length;
    if (G < 2) continue;
    const sum = new Float64Array(G);
    let k = 0;
    for (let a = 0; a < G; a++) for (let b = a + 1; b < G; b++) (sum[a] += distances[k]), (sum[b] += distances[k]), k++;
    members.forEach((i, a) => (out[i] = sum[a] / (G - 1)));
  }
  return out;
}

export const diversityLpips: RewardFn = (batch, ctx) => groupMeanDiversity(groupPairs(batch, ctx), batch.images.length);

export const diversityLpipsPerSample: RewardFn = (batch, ctx) => perSampleDiversity(groupPairs(batch, ctx), batch.images.length);
