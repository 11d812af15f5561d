/**
 * The one signature every reward component has. A component scores a batch of rollouts (drawings,
 * optionally with the reply text they illustrate) and returns one number per rollout; the GRPO
 * trainer composes components by weight (compose.ts). Rollouts of one prompt share a `group` id:
 * group-level components (the official LPIPS diversity) read the group, others ignore it.
 */
import type { GrpoPrompt, Character } from '../data/rolescape/types';
import type { Judges } from '../judges';
import type { TextJudges } from '../judges/text';
import type { StyleCandidate } from '../judges/text/style';

export interface RewardBatch {
  /** 32x32 RGB drawings (row-major, 3 bytes per pixel), one per rollout. */
  images: readonly Uint8Array[];
  /** The prompt each rollout answers (text and weighted VQA questions). */
  prompts: readonly GrpoPrompt[];
  /** Group id per rollout: rollouts of the same prompt in one step share it. */
  groups: readonly number[];
  /** Role-play rollouts: the reply text the image follows (null for plain text-to-image). */
  texts?: readonly (string | null)[];
}

export interface RewardContext {
  judges: Judges;
  /** Needed only by the text-side components (style, profile facts, consistency). */
  textJudges?: TextJudges;
  character: Character;
  /**
   * The K reference images (32x32 RGB), for the identity band. For a policy that draws through the
   * image tokenizer, pass them with their tokenizer reconstructions (`bandReferences`): the default
   * thresholds are calibrated on that (see config.ts).
   */
  references: readonly Uint8Array[];
  /** Thresholds of the identity band (tau_low < tau_high), from the reward config. */
  dinoThresholdLow: number;
  dinoThresholdHigh: number;
  /**
   * Added (optional): the style judge's candidates (every character of the dataset with its
   * training lines, `styleCandidates` of the eval suite), needed by the style component only.
   */
  styleCandidates?: readonly StyleCandidate[];
}

/** A reward component: one value per rollout, in batch order. */
export type RewardFn = (batch: RewardBatch, ctx: RewardContext) => Float64Array;
