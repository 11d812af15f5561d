/**
 * What the evaluation suite scores: a "policy" is one way of playing a character, made of one or
 * two unified models over one tokenizer bundle plus the context it is prompted with. Unified-SFT,
 * GRPO and the baselines (prompt-only, image-only, text-only, separate models) are all policies,
 * so one suite scores them all the same way (`loadPolicy` in load-policy.ts builds them from disk).
 */
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import type { Character } from '../data/rolescape/types';
import type { Segment } from '../train/tasks';

export const POLICY_KINDS = ['base', 'sft', 'grpo', 'prompt-only', 'image-only', 'text-only', 'separate'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];

export interface Policy {
  /** Display name in tables ("unified-sft", "prompt-only", ...). */
  name: string;
  kind: PolicyKind;
  /** One bundle: every sub-model of a policy descends from the same base checkpoint. */
  tok: Tokenizers;
  /** Writes replies, answers knowledge questions and VQA, scores MCQ options by likelihood. */
  textModel: Transformer;
  /** Draws: text-to-image and the pictures of role-play replies. */
  imageModel: Transformer;
  /**
   * Segments that open every prompt for character `c` (before the user's turn): the system line
   * (the character's id for finetuned models, as in training; the card for prompt-only) and, for
   * prompt-only, reference images.
   */
  context(c: Character): Segment[];
  /**
   * true: a role-play reply's picture is drawn by the same model right after its text, in the same
   * context (the paper's unified factorization). false (separate models): the image model sees only
   * the reply text, as a text-to-image instruction, never the conversation.
   */
  sharedContext: boolean;
  dispose(): void;
}
