/**
 * The image judges' training config: one zod schema (every field defaulted and commented), the
 * `--smoke` preset, and the world options it implies.
 */
import { z } from 'zod';
import { UserError } from '../../util/errors';
import type { WorldOptions } from '../core/data';
import { FitConfigSchema } from '../core/fit';
import { VqaConfigSchema } from './vqa';
import { ClipConfigSchema } from './clip';
import { IdentityConfigSchema } from './identity';
import { LpipsConfigSchema } from './lpips';
import { ALIGNED_FIGURE, MOVED_FIGURE, PlacementJitterSchema } from '../../data/synth/placement';

const fitOverrides = FitConfigSchema.partial().default({}); // overrides of the judge's training defaults

export const JudgesConfigSchema = z
  .object({
    held_out_fraction: z.number().min(0).max(0.5).default(0.1), // share of world characters never trained on (held-out figures)
    grpo_views: z.boolean().default(true), // render the world's GRPO prompts as more training views
    extra_views: z.number().int().nonnegative().default(2), // extra random-scene renders per training character
    mix_views: z.number().int().nonnegative().default(16), // renders per character with 1-3 identity attributes of another (VQA/CLIP only)
    placement: PlacementJitterSchema.default({}), // how far the figure in the renders (GRPO, extra, mix views) may move, scale, mirror; stored images stay centred
    max_characters: z.number().int().positive().nullable().default(null), // use the first N world characters (null: all)
    eval_max_characters: z.number().int().positive().nullable().default(null), // evaluate on the first N eval characters (null: all)
    lpips_bases: z.number().int().positive().default(400), // training characters rendered with 0..k changes to calibrate LPIPS
    vqa: z.object({ model: VqaConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // attribute judge: model and training
    clip: z.object({ model: ClipConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // CLIP-T stand-in
    identity: z.object({ model: IdentityConfigSchema.default({}), fit: fitOverrides }).strict().default({}), // DINO / CLIP-I stand-in
    lpips: z
      .object({
        model: LpipsConfigSchema.default({}),
        fit: fitOverrides,
        from: z.string().min(1).nullable().default(null), // a judges folder whose LPIPS judge, encoder included, this set takes unchanged (a fixed network, as LPIPS's is; relative to the project root); null: calibrate on this set's VQA encoder
      })
      .strict()
      .default({}), // LPIPS stand-in
  })
  .strict();
export type JudgesConfig = z.infer<typeof JudgesConfigSchema>;
export type JudgesConfigInput = z.input<typeof JudgesConfigSchema>;

/** `--smoke`: a few characters and short runs, for tests and CI (seconds, not minutes). */
export const SMOKE_CONFIG: JudgesConfigInput = {
  max_characters: 40,
  eval_max_characters: 4,
  extra_views: 1,
  mix_views: 2,
  lpips_bases: 16,
  vqa: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, head_hidden: 64 }, fit: { steps: 200, batch_size: 32, warmup: 10 } },
  clip: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, text_hidden: 64 }, fit: { steps: 60, batch_size: 32, warmup: 10 } },
  identity: { model: { encoder: { patch: 8, n_embd: 32, token_hidden: 32, n_pool: 2 }, proj_hidden: 64 }, fit: { steps: 60, batch_size: 32, warmup: 10 } },
  lpips: { fit: { steps: 40 } },
};

/**
 * Named configs for `cmrp judges train --config NAME`. `placed`: the renders' figures moved up to
 * 6 px, scaled 0.7-1 and mirrored, so the identity judge learns placement invariance (README: What
 * `t2i_diversity` >= 0.6 would take); `moved`: the same, trained longer, LPIPS kept;
 * `moved-heldout`: its held-out twin (`--role heldout`); `aligned`: `moved`'s training on the
 * aligned world's placements (shifts by whole patches, up to 8 px): the committed checkpoints/judges,
 * and `aligned-heldout` its held-out twin, checkpoints/judges-heldout (checkpoints/README.md).
 */
// the longer training that moved figures need (the VQA judge needs ~10x the steps to learn them),
// with a committed set's LPIPS judge kept unchanged so diversity stays on one scale
function trainedLonger(placement: JudgesConfigInput['placement'], lpipsFrom: string): JudgesConfigInput {
  return { placement, vqa: { fit: { steps: 10000 } }, clip: { fit: { steps: 2000 } }, identity: { fit: { steps: 1000 } }, lpips: { from: lpipsFrom } };
}

export const JUDGES_PRESETS: Record<string, JudgesConfigInput> = {
  placed: { placement: MOVED_FIGURE },
  // judges for a world whose figures move (`cmrp data synth --placement moved`), the committed set's LPIPS
  moved: trainedLonger(MOVED_FIGURE, 'checkpoints/judges'),
  // judges for the aligned world (the committed base's, pretrain preset base; data/synth's placement)
  aligned: trainedLonger(ALIGNED_FIGURE, 'checkpoints/judges'),
  // with `--role heldout --reward-judges <the moved or aligned set>`: the same training, the held-out
  // set's own LPIPS kept (the reward set's would make held-out diversity the number GRPO optimized)
  'moved-heldout': trainedLonger(MOVED_FIGURE, 'checkpoints/judges-heldout'),
  'aligned-heldout': trainedLonger(ALIGNED_FIGURE, 'checkpoints/judges-heldout'),
};

export function resolveJudgesConfig(smoke: boolean, overrides: JudgesConfigInput = {}, where = 'judges config'): JudgesConfig {
  const base = smoke ? SMOKE_CONFIG : {};
  const merged = deepMerge(base as Record<string, unknown>, overrides as Record<string, unknown>);
  const r = JudgesConfigSchema.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new UserError(`${where}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const av = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && av && typeof av === 'object' && !Array.isArray(av) ? deepMerge(av as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** How the training and report world is read for a config. */
export function worldOptions(c: JudgesConfig, seed: number, exclude?: WorldOptions['exclude']): WorldOptions {
  return { seed, heldOutFraction: c.held_out_fraction, grpoViews: c.grpo_views, extraViews: c.extra_views, mixViews: c.mix_views, placement: c.placement, maxCharacters: c.max_characters ?? undefined, exclude };
}
