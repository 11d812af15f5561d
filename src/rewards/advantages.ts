/**
 * GRPO advantages with per-prompt statistics (flow_grpo's PerPromptStatTracker without history,
 * TRL's GRPOTrainer): subtract the group's mean reward, then
 *   scale 'group'  divide by the group's std: each prompt's samples spread equally, whatever the
 *                  prompt's difficulty (flow_grpo's default, TRL's scale_rewards='group')
 *   scale 'batch'  divide by the std of every reward in the batch (flow_grpo's global_std, TRL's
 *                  'batch'): easy and hard prompts keep their relative spreads; note the batch std
 *                  includes the spread BETWEEN groups, so a group-constant term (the official
 *                  diversity) rescales every advantage although it cancels in the centring
 *   scale 'none'   no division (Dr. GRPO: the std division biases towards low-variance prompts)
 * std is the population std (numpy's default, as flow_grpo; TRL uses the unbiased one) plus eps
 * (1e-4 in both). `clip` clamps to [-clip, clip] (flow_grpo's adv_clip_max).
 */
import { UserError } from '../util/errors';
import { groupMembers } from './batch';

export type AdvantageScale = 'group' | 'batch' | 'none';

export interface AdvantageOptions {
  scale: AdvantageScale;
  /** Clamp advantages to [-clip, clip] (none when absent). */
  clip?: number;
  /** Added to the std before dividing (default 1e-4). */
  eps?: number;
}

function check(rewards: ArrayLike<number>, groups: readonly number[]): void {
  if (rewards.length !== groups.length) throw new UserError(`advantages: ${rewards.length} rewards but ${groups.length} group ids`);
  for (let i = 0; i < rewards.length; i++) if (!Number.isFinite(rewards[i])) throw new UserError(`advantages: reward ${i} is ${rewards[i]}`);
}

/** Population mean and std of some values. */
function moments(xs: readonly number[]): { mean: number; std: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return { mean, std: Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) };
}

export function groupAdvantages(rewards: ArrayLike<number>, groups: readonly number[], opts: AdvantageOptions): Float64Array {
  check(rewards, groups);
  const eps = opts.eps ?? 1e-4;
  if (!(eps >= 0)) throw new UserError(`advantages: eps: expected >= 0, found ${eps}`);
  if (opts.clip !== undefined && !(opts.clip > 0)) throw new UserError(`advantages: clip: expected > 0, found ${opts.clip}`);
  if (!['group', 'batch', 'none'].includes(opts.scale)) throw new UserError(`advantages: scale: expected group, batch or none, found ${JSON.stringify(opts.scale)}`);
  const r = Array.from(rewards);
  const out = new Float64Array(r.length);
  const batchStd = r.length ? moments(r).std : 0;
  for (const members of groupMembers(groups).values()) {
    const g = moments(members.map((i) => r[i]));
    const div = opts.scale === 'group' ? g.std + eps : opts.scale === 'batch' ? batchStd + eps : 1;
    for (const i of members) {
      const a = (r[i] - g.mean) / div;
      out[i] = opts.clip === undefined ? a : Math.max(-opts.clip, Math.min(opts.clip, a));
    }
  }
  return out;
}

/** Groups whose rewards are all equal (std <= 1e-8): they carry no GRPO signal. */
export function zeroStdGroups(rewards: ArrayLike<number>, groups: readonly number[]): Set<number> {
  check(rewards, groups);
  const out = new Set<number>();
  for (const [g, m] of groupMembers(groups)) if (moments(m.map((i) => rewards[i])).std <= 1e-8) out.add(g);
  return out;
}

/** Share of groups with zero reward std (TRL's frac_reward_zero_std, per group). */
export function zeroStdGroupShare(rewards: ArrayLike<number>, groups: readonly number[]): number {
  const n = new Set(groups).size;
  return n ? zeroStdGroups(rewards, groups).size / n : 0;
}
