/** The text judges' config: one zod schema (each field with its reason) and the smoke settings. */
import { z } from 'zod';
import { UserError } from '../../util/errors';
import { StyleConfigSchema } from './style';
import { EmotionConfigSchema } from './emotion';

export const TextJudgesConfigSchema = z
  .object({
    style: StyleConfigSchema.default({}),
    emotion: EmotionConfigSchema.default({}),
    heldOutFraction: z.number().gt(0).lt(1).default(0.2), // world characters kept out of training, for scoring
    candidates: z.number().int().min(2).default(20), // characters per style attribution (chance = 1/candidates)
    typoRate: z.number().min(0).max(0.5).default(0.04), // typos per letter in the noisy emotion test
  })
  .strict();
export type TextJudgesConfig = z.infer<typeof TextJudgesConfigSchema>;

/** Smoke settings: the same code path, sized for tests (seconds, not a minute). */
export const SMOKE_OVERRIDES = {
  style: { dim: 1 << 16, steps: 25, charsPerBatch: 8, support: 6, query: 3 },
  emotion: { dim: 1 << 13, width: 16, hidden: 32, steps: 150, batch: 64, lr: 0.01 },
} as const;

export function resolveConfig(config: unknown, smoke: boolean): TextJudgesConfig {
  const raw = (config ?? {}) as Record<string, unknown>;
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
