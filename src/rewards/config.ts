/**
 * The reward config of Character-GRPO: one weight per component (compose.ts) and the identity band.
 * total = sum over components with weight > 0 of weight * component, as flow_grpo's
 * `personalized_t2i_reward` composes them; the defaults are its personalized_t2i_bagel.yaml's four
 * (official.ts).
 *
 * The band thresholds are NOT the official 0.9 / 0.5 (official.ts): those are DINOv2 cosines, and our identity
 * judge's cosine scale is its own. Re-measured on training images only by `npx cmrp identity-band`
 * (README, Character-GRPO: the defaults stand). First measured by `calibrateIdentityBand` (calibrate.ts) on the 20
 * synthetic evaluation characters (committed judges, base tokenizer), s = max dino cosine to a
 * character's band references; quantiles p1 / p5 / p50 / p95 / p99 (min-max):
 *
 *   band references = the 10 reference PNGs        n      p1     p5    p50    p95    p99   (min-max)
 *   (a) the references themselves (copies)        200   1.000  1.000  1.000  1.000  1.000
 *       their tokenizer reconstructions           200   0.368  0.446  0.821  0.947  0.965  (0.249-0.977)
 *   (b) same character, new scene (PNG)            84   0.945  0.961  0.988  0.996  0.997  (0.912-0.997)
 *       ... reconstructed                          84   0.387  0.444  0.830  0.938  0.962  (0.323-0.966)
 *   (c) other characters' images (PNG)           5396  -0.361 -0.287  0.055  0.479  0.710  (max 0.978)
 *       ... reconstructed                        5396  -0.368 -0.282  0.064  0.472  0.666  (max 0.921)
 *
 *   band references = the PNGs + their reconstructions (`bandReferences`)
 *   (a) copies, PNG or reconstructed              400   1.000  1.000  1.000  1.000  1.000
 *   (b) same character, new scene (PNG)            84   0.945  0.961  0.988  0.996  0.997  (0.912-0.997)
 *       ... reconstructed                          84   0.848  0.908  0.978  0.995  0.995  (0.841-0.997)
 *   (c) other characters' images (PNG)           5396  -0.258 -0.182  0.151  0.584  0.741  (max 0.978)
 *       ... reconstructed                        5396  -0.293 -0.187  0.164  0.585  0.776  (max 0.978)
 *
 * The policy draws codebook patches, so its drawings are reconstruction-like. Against the PNGs
 * alone, a drawn copy of a reference (its reconstruction, 0.25-0.98) and a drawn new scene
 * (0.32-0.97) cannot be told apart at any threshold, and the tokenizer's loss puts 6% of the
 * character's own reconstructed images under 0.45 (where 6% of other characters' are above).
 * Against PNGs + reconstructions (the eval suite's copy rate likewise compares with both, t2i.ts),
 * an exact drawn copy scores 1.000 and new scenes 0.84-0.997, hence the defaults:
 *   dino_threshold_high 0.998: above it, a copy: every copy of (a); none of (b); 0.4-0.5% of (b)
 *                              with the 689 GRPO prompts' ground-truth renders added (PNG or
 *                              reconstructed); 9.5% of copies with 2 of 64 codes changed at random
 *   dino_threshold_low  0.8:   below it, another character: 99.1% of (c) reconstructed, none of
 *                              (b) reconstructed
 * Caveat: the high side's penalty is at most -2 (1 - 0.998) = -0.004, negligible next to the other
 * components: our identity judge is trained scene-invariant (a new scene of the character scores
 * 0.99 like a copy), so it cannot both detect copies and penalize them by much. With the PNGs
 * alone as references, use dino_threshold_low 0.45; no high threshold works there.
 */
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { UserError } from '../util/errors';
import { RELEASE_WEIGHTS, SCORER_DEFAULT_BAND } from './official';

/** Every reward component, in the order totals are summed. */
export const COMPONENT_NAMES = ['vqa', 'clip_t', 'diversity_lpips', 'diversity_lpips_per_sample', 'dino_penalty', 'style', 'profile_facts', 'consistency'] as const;
export type ComponentName = (typeof COMPONENT_NAMES)[number];
/** Components that read a role-play reply's text (0 for plain text-to-image rollouts). */
export const TEXT_SIDE_COMPONENTS = ['style', 'profile_facts', 'consistency'] as const;

const weight = (d: number) =>
  z.number({ invalid_type_error: 'expected a number' }).finite().min(0, { message: 'expected a weight >= 0 (0 turns the component off)' }).max(1000, { message: 'expected a weight <= 1000' }).default(d);
const threshold = (d: number) =>
  z.number({ invalid_type_error: 'expected a number' }).finite().min(0, { message: 'expected a cosine threshold in [0, 1]' }).max(1, { message: 'expected a cosine threshold in [0, 1]' }).default(d);

export const WeightsSchema = z
  .object({
    vqa: weight(RELEASE_WEIGHTS.vqa), // weighted share of the prompt's VQA questions answered as expected (official)
    clip_t: weight(RELEASE_WEIGHTS.clip_t), // CLIP-T cosine of drawing and prompt (official)
    diversity_lpips: weight(RELEASE_WEIGHTS.diversity_lpips), // the group's mean pairwise LPIPS, given to every member (official)
    diversity_lpips_per_sample: weight(0), // each drawing's mean LPIPS to the rest of its group (ours)
    dino_penalty: weight(RELEASE_WEIGHTS.dino_penalty), // identity band penalty (<= 0); the weight is positive (official)
    style: weight(0), // role-play: P(the style judge attributes the reply to this character) (ours)
    profile_facts: weight(0), // role-play: 1 - share of wrong profile facts the reply states (ours, synthetic only)
    consistency: weight(0), // role-play: drawn expression/scene agree with the reply's (ours)
  })
  .strict();

export const RewardConfigSchema = z
  .object({
    weights: WeightsSchema.default({}), // per-component weights, >= 0
    dino_threshold_low: threshold(0.8), // below: another character (official RELEASE_BAND 0.5 on DINOv2; see the header)
    dino_threshold_high: threshold(0.998), // above: a copy of a reference (official RELEASE_BAND 0.9 on DINOv2; see the header)
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.dino_threshold_low >= c.dino_threshold_high) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['dino_threshold_low'], message: `expected dino_threshold_low < dino_threshold_high (${c.dino_threshold_high})` });
    }
  });
export type RewardConfig = z.infer<typeof RewardConfigSchema>;
export type RewardConfigInput = z.input<typeof RewardConfigSchema>;

function valueAt(raw: unknown, path: (string | number)[]): unknown {
  return path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), raw);
}

/** Validate a config; errors name the source, the field, what was expected and what was found. */
export function parseRewardConfig(raw: unknown, where = 'reward config'): RewardConfig {
  const r = RewardConfigSchema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const field = i.path.join('.') || '(root)';
  const found = i.code === 'unrecognized_keys' ? `unknown key(s) ${i.keys.join(', ')}` : `found ${JSON.stringify(valueAt(raw, i.path))}`;
  const msg = i.code === 'unrecognized_keys' ? `expected only ${field === '(root)' ? 'weights, dino_threshold_low, dino_threshold_high' : COMPONENT_NAMES.join(', ')}` : i.message;
  throw new UserError(`${where}: ${field}: ${msg}, ${found}`);
}

/** The keys of the official `reward_weights` block and where each goes. */
const OFFICIAL_WEIGHT_KEYS = Object.keys(RELEASE_WEIGHTS) as (keyof typeof RELEASE_WEIGHTS)[];
const OFFICIAL_THRESHOLD_KEYS = Object.keys(SCORER_DEFAULT_BAND) as (keyof typeof SCORER_DEFAULT_BAND)[];

/**
 * The `reward_weights` block of a flow_grpo personalized_t2i_bagel.yaml (its text, or the parsed
 * document) as a RewardConfig. As the official code reads it, a missing weight is 0 and missing
 * thresholds are the scorer's defaults (SCORER_DEFAULT_BAND, 0.3 / 0.9). Refused, naming file, field and expectation: unknown keys, non-numbers,
 * negative weights (the official scorer skips any component whose weight is not > 0, so a negative
 * dino_penalty silently turns the band off), thresholds outside [0, 1] or low >= high.
 * `thresholds: 'calibrated'` keeps our calibrated band instead of the file's DINOv2-scale values.
 */
export function fromOfficialYaml(source: string | object, file = 'personalized_t2i_bagel.yaml', opts: { thresholds?: 'file' | 'calibrated' } = {}): RewardConfig {
  let doc: unknown = source;
  if (typeof source === 'string') {
    try {
      doc = parseYaml(source);
    } catch (err) {
      throw new UserError(`${file}: not valid YAML (${(err as Error).message.split('\n')[0]})`);
    }
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UserError(`${file}: expected a YAML mapping with a reward_weights block`);
  const block = (doc as Record<string, unknown>).reward_weights;
  if (block === null || typeof block !== 'object' || Array.isArray(block)) throw new UserError(`${file}: reward_weights: expected a mapping of weights and thresholds, found ${block === undefined ? 'no such block' : JSON.stringify(block)}`);
  const known: string[] = [...OFFICIAL_WEIGHT_KEYS, ...OFFICIAL_THRESHOLD_KEYS];
  const b = block as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    const at = `${file}: reward_weights.${k}`;
    if (!known.includes(k)) throw new UserError(`${at}: unknown key (expected one of ${known.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new UserError(`${at}: expected a number, found ${JSON.stringify(v)}`);
    if ((OFFICIAL_WEIGHT_KEYS as readonly string[]).includes(k) && v < 0) {
      throw new UserError(`${at}: expected a weight >= 0, found ${v} (the official scorer silently skips a component whose weight is not > 0; the band penalty is already <= 0, so its weight is positive; write 0 to turn a component off)`);
    }
    if ((OFFICIAL_THRESHOLD_KEYS as string[]).includes(k) && (v < 0 || v > 1)) throw new UserError(`${at}: expected a cosine threshold in [0, 1], found ${v}`);
  }
  const weights = Object.fromEntries(OFFICIAL_WEIGHT_KEYS.map((k) => [k, (b[k] as number | undefined) ?? 0]));
  const band = opts.thresholds === 'calibrated' ? {} : {
    dino_threshold_low: (b.dino_threshold_low as number | undefined) ?? SCORER_DEFAULT_BAND.dino_threshold_low,
    dino_threshold_high: (b.dino_threshold_high as number | undefined) ?? SCORER_DEFAULT_BAND.dino_threshold_high,
  };
  // every other component of ours is 0: the official total has only these four
  const zeros = Object.fromEntries(COMPONENT_NAMES.map((k) => [k, 0]));
  return parseRewardConfig({ weights: { ...zeros, ...weights }, ...band }, `${file}: reward_weights`);
}
