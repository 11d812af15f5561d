/**
 * The evaluation report: one per (policy, character). Metric names are the same in reports,
 * tables and notebooks; a metric that cannot be computed is null and its reason is in `unavailable`.
 */
import type { PolicyKind } from '../policy';
import type { EvalConfig } from './config';

export const EVAL_REPORT_FORMAT = 'cmrp-eval/1';

/**
 * The image-judge metrics, each named once: those among the required metrics, then the two runs
 * among the further ones. METRIC_KEYS and EXTRA_METRIC_KEYS place them, IMAGE_METRIC_KEYS joins them.
 */
const REQUIRED_IMAGE_KEYS = [
  't2i_identity_clip_i',
  't2i_identity_dino',
  't2i_clip_t',
  't2i_vqa_score',
  't2i_diversity',
  't2i_copy_rate',
  'mmrp_identity',
  'mmrp_consistency',
] as const;
const EXTRA_IDENTITY_IMAGE_KEYS = ['t2i_identity_clip_i_max', 't2i_identity_dino_max', 't2i_identity_top1'] as const;
const EXTRA_MMRP_IMAGE_KEYS = ['mmrp_expression_agreement', 'mmrp_scene_agreement'] as const;

/** The CMRP metrics every report carries (null + a reason in `unavailable` when not computable). */
export const METRIC_KEYS = [
  'knowledge_mcq_acc',
  'memorization',
  'style_attribution',
  'catchphrase_rate_ratio',
  'vqa_acc',
  'vqa_acc_image_dependent',
  'vqa_acc_blind',
  ...REQUIRED_IMAGE_KEYS,
] as const;
export type MetricKey = (typeof METRIC_KEYS)[number];

/** Further metrics reported next to the required ones. */
export const EXTRA_METRIC_KEYS = [
  'knowledge_mcq_acc_all',
  'persona_consistency',
  'tic_rate_ratio',
  'vqa_f1',
  'vqa_acc_constant',
  'vqa_acc_blind_image_dependent',
  ...EXTRA_IDENTITY_IMAGE_KEYS,
  't2i_identity_dino_truth',
  't2i_identity_top1_truth',
  't2i_vqa_score_truth',
  't2i_diversity_truth',
  't2i_copy_rate_truth',
  't2i_memorized_rate',
  ...EXTRA_MMRP_IMAGE_KEYS,
  'mmrp_drew_share',
] as const;
export type ExtraMetricKey = (typeof EXTRA_METRIC_KEYS)[number];

/** Metrics computed by the image judges: scored under the reward judges (these names) and the held-out judges (`<name>_heldout`). */
export const IMAGE_METRIC_KEYS = [...REQUIRED_IMAGE_KEYS, ...EXTRA_IDENTITY_IMAGE_KEYS, ...EXTRA_MMRP_IMAGE_KEYS] as const;
export type ImageMetricKey = (typeof IMAGE_METRIC_KEYS)[number];
export const HELDOUT_SUFFIX = '_heldout';
export const heldOutKey = <K extends ImageMetricKey>(k: K): `${K}_heldout` => `${k}${HELDOUT_SUFFIX}` as `${K}_heldout`;
/** The image metrics under the held-out judges (null, with a reason, when the suite had none). */
export const HELDOUT_METRIC_KEYS = IMAGE_METRIC_KEYS.map(heldOutKey);
export type HeldOutMetricKey = `${ImageMetricKey}_heldout`;

export type Metrics = Record<MetricKey | ExtraMetricKey | HeldOutMetricKey, number | null>;

export interface EvalReport {
  format: typeof EVAL_REPORT_FORMAT;
  character: string;
  policy: { name: string; kind: PolicyKind };
  metrics: Metrics;
  /** The judge folders: `reward` scores the plain metric names (the judges GRPO optimizes), `heldout` the `*_heldout` ones. */
  judges: { reward: string; heldout: string | null };
  /** How many items each figure rests on. */
  counts: Record<string, number>;
  /** Per-item records by metric family: prompt, generated text, scores. */
  details: Record<string, unknown[]>;
  /** Metric key -> why it is null. */
  unavailable: Record<string, string>;
  config: EvalConfig;
  /** Wall-clock seconds per metric family (gather + judge), and in all. */
  timings: Record<string, number>;
  seconds: number;
}

/** `details.t2i_nearest_character`: how many t2i drawings each character is nearest to (identity judge, mean over references), the policy's under each judge set and the renderer's own under the reward judges. */
export interface NearestCharacterCounts {
  of: 'policy' | 'renderer';
  judges: 'reward' | 'heldout';
  counts: [string, number][];
}

/** Plain-text table of a report's metrics (null shown as "-" with its reason), then which characters the drawings are nearest to. */
export function formatEvalReport(r: EvalReport): string {
  const keys = [...METRIC_KEYS, ...EXTRA_METRIC_KEYS, ...HELDOUT_METRIC_KEYS];
  const width = Math.max(...keys.map((k) => k.length));
  const lines = [`${r.policy.name} on ${r.character}`];
  for (const k of keys) {
    const v = r.metrics[k];
    lines.push(`${k.padEnd(width)}  ${v === null ? `-  (${r.unavailable[k] ?? 'not computed'})` : v.toFixed(4)}`);
  }
  const nearest = (r.details.t2i_nearest_character ?? []) as NearestCharacterCounts[];
  if (nearest.length) lines.push('t2i drawings by nearest character (identity judge, mean over each character\'s references):');
  for (const n of nearest) lines.push(`  ${n.of === 'policy' ? 'the policy\'s' : 'the renderer\'s own'}, ${n.judges} judges: ${n.counts.map(([id, k]) => `${id} ${k}`).join(', ')}`);
  return lines.join('\n');
}
