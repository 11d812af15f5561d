/**
 * Composition: every component is a RewardFn (REWARD_COMPONENTS); a GRPO step measures the raw
 * values once (`measureRewards`, the judges' work) and combines them with a config
 * (`combineRewards`, instant). Kept apart so stored measurements can be re-weighted, or given
 * another identity band, without sampling or judging again (what-if.ts).
 *
 * The band is measured raw: `identity_similarity` holds s, and `dino_penalty` is computed from it
 * by combineRewards with the config's thresholds.
 */
import { UserError } from '../util/errors';
import type { RewardBatch, RewardContext, RewardFn } from './types';
import { COMPONENT_NAMES, ComponentName, RewardConfig } from './config';
import { checkBatch } from './batch';
import { vqaReward } from './vqa';
import { clipTReward } from './clip-t';
import { diversityLpips, diversityLpipsPerSample } from './diversity';
import { bandPenalty, identityBandPenalty, identitySimilarity } from './identity-band';
import { styleReward } from './style';
import { profileFactsReward } from './profile-facts';
import { consistencyReward } from './consistency';

export const REWARD_COMPONENTS: Readonly<Record<ComponentName, RewardFn>> = {
  vqa: vqaReward,
  clip_t: clipTReward,
  diversity_lpips: diversityLpips,
  diversity_lpips_per_sample: diversityLpipsPerSample,
  dino_penalty: identityBandPenalty,
  style: styleReward,
  profile_facts: profileFactsReward,
  consistency: consistencyReward,
};

/** What is measured: every component but the band penalty, whose raw value s is measured instead. */
export type MeasuredName = Exclude<ComponentName, 'dino_penalty'> | 'identity_similarity';

const MEASURES: ReadonlyArray<[MeasuredName, ComponentName, RewardFn]> = COMPONENT_NAMES.map((c) =>
  c === 'dino_penalty' ? ['identity_similarity', c, identitySimilarity] : [c, c, REWARD_COMPONENTS[c]],
);

export interface RewardMeasurements {
  n: number;
  groups: number[];
  /** Raw values per rollout; a component skipped by `measureRewards({ only })` is absent. */
  raw: Partial<Record<MeasuredName, Float64Array>>;
  /** Seconds each measurement took. */
  seconds: Partial<Record<MeasuredName, number>>;
}

/**
 * Measure every component once (or, with `only`, the components that config weights > 0:
 * re-weighting can then not bring the others back).
 */
export function measureRewards(batch: RewardBatch, ctx: RewardContext, opts: { only?: RewardConfig } = {}): RewardMeasurements {
  const n = checkBatch(batch);
  const m: RewardMeasurements = { n, groups: [...batch.groups], raw: {}, seconds: {} };
  for (const [name, component, fn] of MEASURES) {
    if (opts.only && !(opts.only.weights[component] > 0)) continue;
    const t0 = performance.now();
    const v = fn(batch, ctx);
    if (v.length !== n) throw new Error(`reward component ${component}: ${v.length} values for ${n} rollouts`);
    m.raw[name] = v;
    m.seconds[name] = (performance.now() - t0) / 1000;
  }
  return m;
}

export interface CombinedRewards {
  /** sum over components with weight > 0 of weight * component. */
  total: Float64Array;
  /** Each measured component's (unweighted) value, the band penalty from s and the thresholds. */
  components: Partial<Record<ComponentName, Float64Array>>;
}

/** Apply a config's weights and band to measurements (pure, instant). */
export function combineRewards(m: RewardMeasurements, config: RewardConfig): CombinedRewards {
  const components: Partial<Record<ComponentName, Float64Array>> = {};
  for (const [name, component] of MEASURES) {
    const raw = m.raw[name];
    if (!raw) continue;
    if (raw.length !== m.n) throw new UserError(`combineRewards: ${name} has ${raw.length} values for ${m.n} rollouts`);
    components[component] = component === 'dino_penalty' ? raw.map((s) => bandPenalty(s, config.dino_threshold_low, config.dino_threshold_high)) : raw;
  }
  const total = new Float64Array(m.n);
  for (const c of COMPONENT_NAMES) {
    const w = config.weights[c];
    if (!(w > 0)) continue;
    const v = components[c];
    if (!v) throw new UserError(`combineRewards: ${c} has weight ${w} but was not measured (measureRewards was given \`only\` a config that weights it 0)`);
    for (let i = 0; i < m.n; i++) total[i] += w * v[i];
  }
  return { total, components };
}
