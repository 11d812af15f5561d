/**
 * The evaluation suite's config: how many items of each kind are scored and how the policy samples.
 * Presets `default` (every held-out item of a synthetic character; ~1 min on 2 cores) and `smoke`
 * (a few items per family, for tests and headless notebooks); a JSON file of the same shape also
 * works (`cmrp eval --config FILE`). The resolved config is saved in every report.
 */
import { readPresetOrFile, parseConfig } from '../../util/config-file';
import { z } from 'zod';
import { SEED_MAX } from '../../util/rng';

export const EvalConfigSchema = z
  .object({
    seed: z.number().int().min(0).max(SEED_MAX).default(0), // every sampled reply and drawing; each metric family forks its own stream
    temperature: z.number().finite().min(0).max(10).default(0.7), // sampling temperature of role-play replies and their pictures (0: greedy)
    top_k: z.number().int().min(0).max(65_536).default(0), // top-k of that sampling (0: the whole allowed vocabulary)
    // temperature of the text-to-image drawings only: 1, the model's own distribution, at which
    // GRPO's rollouts sample too. Below 1 the sampler sharpens it: fewer distinct placements of the
    // figure, lower t2i_diversity, more copies (README: A base on a patch-aligned world).
    draw_temperature: z.number().finite().min(0).max(10).default(1),
    shots: z.number().int().min(1).max(1000).default(10), // K: reference images = the character's first K training images (as SFT uses)
    samples_per_prompt: z.number().int().min(1).max(256).default(4), // drawings per held-out GRPO prompt (diversity needs >= 2)
    max_t2i_prompts: z.number().int().min(0).max(100_000).default(16), // held-out GRPO prompts drawn (the eval side has ~8-10 per synthetic character)
    max_reply_tokens: z.number().int().min(1).max(4096).default(96), // text tokens of a role-play reply (synthetic test replies: median 47, max 91); a cut reply loses an end-of-line catchphrase
    max_answer_tokens: z.number().int().min(1).max(4096).default(40), // text tokens of a greedy answer (memorization, VQA; synthetic VQA answers: max 28, knowledge answers: max 30)
    max_dialogues: z.number().int().min(0).max(100_000).default(40), // test dialogues replied to for style (image ones first, then text-only)
    max_personality: z.number().int().min(0).max(100_000).default(20), // personality questions replied to for style
    max_memorization: z.number().int().min(0).max(100_000).default(20), // memorization questions answered
    max_mcq: z.number().int().min(0).max(100_000).default(100), // knowledge MCQ scored by option likelihood
    max_vqa: z.number().int().min(0).max(100_000).default(60), // held-out VQA questions answered (synthetic: 13-14 per test image)
    max_mmrp: z.number().int().min(0).max(100_000).default(20), // test image-dialogues for multimodal role-play
    copy_threshold: z.number().finite().positive().max(100).default(0.1), // LPIPS distance below which a drawing copies a training image (see t2i.ts)
    // role-play pictures: drawn after the reply text (the paper's text-then-image chain; unset = true)
    // or straight after the conversation, without the reply (the chain ablation). Optional, not
    // defaulted, so configs saved before it existed hash the same.
    picture_after_reply: z.boolean().optional(),
    // threads that draw the text-to-image prompts, each with a copy of the image model (0 or unset:
    // one per core; LoRA models draw on one). The numbers do not depend on it, so it is not part of
    // a run (evalIdentity); optional for the same reason as picture_after_reply.
    workers: z.number().int().min(0).max(256).optional(),
  })
  .strict();
export type EvalConfig = z.infer<typeof EvalConfigSchema>;
export type EvalConfigInput = z.input<typeof EvalConfigSchema>;

/** The config as the identity of an evaluation (reports, experiment cells): how many threads draw is how it is computed, not what. */
export function evalIdentity(c: EvalConfig): Omit<EvalConfig, 'workers'> {
  const { workers: _workers, ...rest } = c;
  return rest;
}

export const EVAL_PRESETS: Record<string, EvalConfigInput> = {
  default: {},
  smoke: {
    samples_per_prompt: 2, max_t2i_prompts: 2, max_reply_tokens: 12, max_answer_tokens: 12,
    max_dialogues: 2, max_personality: 1, max_memorization: 3, max_mcq: 3, max_vqa: 3, max_mmrp: 2,
  },
};

/** A preset name or a JSON file; errors name the file (or preset) and the field. */
export function resolveEvalConfig(nameOrFile: string): EvalConfig {
  return parseEvalConfig(readPresetOrFile(nameOrFile, EVAL_PRESETS), nameOrFile);
}

export function parseEvalConfig(raw: unknown, where = 'eval config'): EvalConfig {
  return parseConfig(EvalConfigSchema, raw ?? {}, where);
}
