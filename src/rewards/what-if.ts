/**
 * What if the rewards were weighted otherwise? From stored measurements, recompute totals and
 * advantages under an old and a new config, per group: how the ranking of the group's samples
 * moves (Kendall's tau-b between old and new totals), whether the best sample changes. Instant:
 * no sampling, no judging.
 */
import { UserError } from '../util/errors';
import type { RewardConfig } from './config';
import { combineRewards, RewardMeasurements } from './compose';
import { AdvantageOptions, groupAdvantages, zeroStdGroupShare } from './advantages';
import { groupMembers } from './batch';
import { diversityLpips } from './diversity';
import type { RewardBatch, RewardContext } from './types';
import { Rng } from '../util/rng';

export interface GroupWhatIf {
  group: number;
  /** Rollout indices of the group, in batch order. */
  members: number[];
  oldTotals: number[];
  newTotals: number[];
  oldAdvantages: number[];
  newAdvantages: number[];
  /** Kendall's tau-b of old vs new totals; null for a group of 1 or when either side is all ties. */
  kendallTau: number | null;
  /** The first best sample under the old totals is not the first best under the new ones. */
  bestChanged: boolean;
}

export interface WhatIfSummary {
  groups: number;
  /** Mean tau over the groups where it is defined (null if none). */
  meanKendallTau: number | null;
  bestChangedShare: number;
  /** Share of rollouts whose advantage changes sign (a zero counts as its own sign). */
  signFlipShare: number;
  meanAbsAdvantageChange: number;
  zeroStdShare: { old: number; new: number };
}

/** Kendall's tau-b (ties on either side accounted for); null when undefined. */
export function kendallTau(a: readonly number[], b: readonly number[]): number | null {
  if (a.length !== b.length) throw new Error(`kendallTau: ${a.length} vs ${b.length} values`);
  let concordant = 0, discordant = 0, tiesA = 0, tiesB = 0;
  for (let i = 0; i < a.length; i++) for (let j = i + 1; j < a.length; j++) {
    const x = Math.sign(a[i] - a[j]), y = Math.sign(b[i] - b[j]);
    if (x === 0 && y === 0) continue;
    if (x === 0) tiesA++;
    else if (y === 0) tiesB++;
    else if (x === y) concordant++;
    else discordant++;
  }
  const denom = Math.sqrt((concordant + discordant + tiesA) * (concordant + discordant + tiesB));
  return denom > 0 ? (concordant - discordant) / denom : null;
}

const argmax = (xs: readonly number[]): number => xs.reduce((best, x, i) => (x > xs[best] ? i : best), 0);

export function whatIf(m: RewardMeasurements, groups: readonly number[], oldConfig: RewardConfig, newConfig: RewardConfig, advOpts: AdvantageOptions): { groups: GroupWhatIf[]; summary: WhatIfSummary } {
  if (groups.length !== m.n) throw new UserError(`whatIf: ${groups.length} group ids for ${m.n} measured rollouts`);
  const oldT = combineRewards(m, oldConfig).total, newT = combineRewards(m, newConfig).total;
  const oldA = groupAdvantages(oldT, groups, advOpts), newA = groupAdvantages(newT, groups, advOpts);
  const pick = (xs: Float64Array, idx: number[]) => idx.map((i) => xs[i]);
  const out: GroupWhatIf[] = [...groupMembers(groups)].map(([group, members]) => {
    const o = pick(oldT, members), n = pick(newT, members);
    return {
      group, members, oldTotals: o, newTotals: n, oldAdvantages: pick(oldA, members), newAdvantages: pick(newA, members),
      kendallTau: members.length > 1 ? kendallTau(o, n) : null,
      bestChanged: argmax(o) !== argmax(n),
    };
  });
  const taus = out.map((g) => g.kendallTau).filter((t): t is number => t !== null);
  let flips = 0, change = 0;
  for (let i = 0; i < m.n; i++) (flips += Math.sign(oldA[i]) !== Math.sign(newA[i]) ? 1 : 0), (change += Math.abs(newA[i] - oldA[i]));
  return {
    groups: out,
    summary: {
      groups: out.length,
      meanKendallTau: taus.length ? taus.reduce((a, b) => a + b, 0) / taus.length : null,
      bestChangedShare: out.length ? out.filter((g) => g.bestChanged).length / out.length : 0,
      signFlipShare: m.n ? flips / m.n : 0,
      meanAbsAdvantageChange: m.n ? change / m.n : 0,
      zeroStdShare: { old: zeroStdGroupShare(oldT, groups), new: zeroStdGroupShare(newT, groups) },
    },
  };
}

/**
 * Official placement. In the official pipeline (flow_grpo's k-repeat sampler) a step's global batch
 * has W devices x B slots: m prompts, each repeated k times (the group), are dealt to the W x B slots
 * in a seeded random order, and each device scores the diversity term over its own B images (a local
 * batch that mixes prompts). Here one reward batch holds a whole group, so the group-mean term is
 * constant within a group and cancels out of the advantages; under official placement it varies
 * within a group with where the copies landed (placement noise). This reproduces the placement
 * (our own seeded shuffle, not torch's random stream) so `whatIf` can show both.
 */
export interface PlacementOptions {
  devices: number; // W
  perDevice: number; // B: images scored together by one device
  seed: number; // the shuffle of the W x B slots
}

/** Device of each rollout: the rollouts (in batch order) dealt to W x B slots in a seeded random order; slot s is on device floor(s / B). */
export function officialPlacement(n: number, o: PlacementOptions): number[] {
  if (!(Number.isInteger(o.devices) && o.devices >= 1 && Number.isInteger(o.perDevice) && o.perDevice >= 1)) throw new UserError(`officialPlacement: devices and perDevice must be positive whole numbers, got ${o.devices} x ${o.perDevice}`);
  if (n !== o.devices * o.perDevice) throw new UserError(`officialPlacement: ${n} rollouts do not fill ${o.devices} devices x ${o.perDevice} slots (the official sampler needs W x B = prompts x group size)`);
  const order = new Rng(o.seed).fork('official-placement').shuffle([...Array(n).keys()]);
  const device = new Array<number>(n);
  order.forEach((rollout, slot) => (device[rollout] = Math.floor(slot / o.perDevice)));
  return device;
}

/** The official diversity term under a placement: each image gets its device batch's mean pairwise LPIPS. */
export function placedDiversity(batch: RewardBatch, ctx: RewardContext, devices: readonly number[]): Float64Array {
  return diversityLpips({ ...batch, groups: [...devices] }, ctx);
}

/** Measurements with the official diversity term replaced (e.g. by `placedDiversity`), for `whatIf`. */
export function withDiversity(m: RewardMeasurements, diversity: Float64Array): RewardMeasurements {
  if (diversity.length !== m.n) throw new UserError(`withDiversity: ${diversity.length} values for ${m.n} rollouts`);
  return { ...m, raw: { ...m.raw, diversity_lpips: diversity } };
}
