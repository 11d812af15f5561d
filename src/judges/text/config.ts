/** The text judges' config: one zod schema (each field with its reason) and the smoke settings. */
import { z } from 'zod';
import { UserError } from '../../util/errors';
import { renameDeprecatedKeys, type KeyRenames } from '../../util/deprecated-keys';
import { StyleConfigSchema } from './style';
import { EmotionConfigSchema } from './emotion';

export const TextJudgesConfigSchema = z
  .object({
    style: StyleConfigSchema.default({}),
    emotion: EmotionConfigSchema.default({}),
    held_out_fraction: z.number().gt(0).lt(1).default(0.2), // world characters kept out of training, for scoring
    candidates: z.number().int().min(2).default(20), // characters per style attribution (chance = 1/candidates)
    typo_rate: z.number().min(0).max(0.5).default(0.04), // typos per letter in the noisy emotion test
  })
  .strict();
export type TextJudgesConfig = z.infer<typeof TextJudgesConfigSchema>;

/** The camelCase keys of before issue 15, still read (with a notice): judges trained then store them. */
export const TEXT_JUDGES_KEY_RENAMES: KeyRenames = {
  style: { maxFeatures: 'max_features', charsPerBatch: 'chars_per_batch', initScale: 'init_scale', featureDropout: 'feature_dropout' },
  emotion: {
    maxFeatures: 'max_features',
    weightDecay: 'weight_decay',
    tableStd: 'table_std',
    pWholeImage: 'p_whole_image',
    pWholeText: 'p_whole_text',
    pEmotion: 'p_emotion',
    pPlace: 'p_place',
    pTypos: 'p_typos',
    typoRate: 'typo_rate',
    featureDropout: 'feature_dropout',
  },
  heldOutFraction: 'held_out_fraction',
  typoRate: 'typo_rate',
};

/** Smoke settings: the same code path, sized for tests (seconds, not a minute). */
export const SMOKE_OVERRIDES = {
  style: { dim: 1 << 16, steps: 25, chars_per_batch: 8, support: 6, query: 3 },
  emotion: { dim: 1 << 13, width: 16, hidden: 32, steps: 150, batch: 64, lr: 0.01 },
} as const;

export function resolveConfig(config: unknown, smoke: boolean): TextJudgesConfig {
  const raw = renameDeprecatedKeys((config ?? {}) as Record<string, unknown>, TEXT_JUDGES_KEY_RENAMES, { where: 'text judges config' });
  const merged = smoke
    ? { ...raw, style: { ...SMOKE_OVERRIDES.style, ...((raw.style as object) ?? {}) }, emotion: { ...SMOKE_OVERRIDES.emotion, ...((raw.emotion as object) ?? {}) } }
    : raw;
  const parsed = TextJudgesConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new UserError(`text judges config: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return parsed.data;
}
