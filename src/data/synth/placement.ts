/**
 * Where the figure stands in a picture. The world's renders always centre it at one size, facing
 * one way: for one prompt only background details vary (stars, windows, trees), which is why the
 * renderer's own `t2i_diversity` is ~0.04. A placement moves, scales or mirrors the figure and its
 * prop as one group; `diversity-scale` (eval/diversity-scale.ts) measures what that does to the
 * LPIPS stand-in and the identity judge, the judges' config `placement` trains them on moved
 * figures, and `cmrp data synth --placement` builds a dataset whose images move them.
 */
import { z } from 'zod';
import type { Rng } from '../../util/rng';

export interface Placement {
  /** Shift of the figure in master pixels (the canvas is 128 wide). */
  readonly dx: number;
  readonly dy: number;
  /** Size relative to the world's figure, about its feet. */
  readonly scale: number;
  /** Mirrored left-right about the canvas centre. */
  readonly flip: boolean;
}

export const CENTRED: Placement = { dx: 0, dy: 0, scale: 1, flip: false };

/**
 * How far placements may vary: shifts uniform in [-shift, shift] (or, with `shift_step`, uniform
 * over its whole multiples there), scale uniform in [scale_min, scale_max].
 */
export const PlacementJitterSchema = z
  .object({
    shift_x: z.number().min(0).max(64).default(0),
    shift_y: z.number().min(0).max(32).default(0),
    // 0: any shift; 16 (one 4-px image patch of the 128 px master): the figure moves by whole
    // patches, so its image codes stay the same and only their grid columns change
    shift_step: z.number().min(0).max(64).default(0),
    scale_min: z.number().min(0.25).max(1.5).default(1),
    scale_max: z.number().min(0.25).max(1.5).default(1),
    flip: z.boolean().default(false), // mirror with probability 1/2
  })
  .strict()
  .refine((j) => j.scale_min <= j.scale_max, { message: 'scale_min must not exceed scale_max', path: ['scale_min'] });
export type PlacementJitter = z.infer<typeof PlacementJitterSchema>;

/** No movement: every figure where the world draws it. */
export const CENTRED_JITTER: PlacementJitter = PlacementJitterSchema.parse({});

/** The figure moved up to 6 px (of 32) sideways and 2 px up or down, scaled 0.7-1, mirrored half the time: the judges' `placed` preset and diversity-scale's combined row. */
export const MOVED_FIGURE: PlacementJitter = PlacementJitterSchema.parse({ flip: true, shift_x: 24, shift_y: 8, scale_min: 0.7 });

/** A jitter that never moves the figure. */
export function keepsCentred(j: PlacementJitter): boolean {
  return samePlacement(j, CENTRED_JITTER);
}

/** Two jitters that move figures alike (an index.json without `placement` is centred). */
export function samePlacement(a: PlacementJitter | undefined, b: PlacementJitter | undefined): boolean {
  const A = a ?? CENTRED_JITTER, B = b ?? CENTRED_JITTER;
  return A.shift_x === B.shift_x && A.shift_y === B.shift_y && (A.shift_step ?? 0) === (B.shift_step ?? 0) && A.scale_min === B.scale_min && A.scale_max === B.scale_max && A.flip === B.flip;
}

/** One placement; a jitter of all zeros gives CENTRED without drawing from `rng`. */
export function samplePlacement(rng: Rng, jitter: PlacementJitter): Placement {
  const { shift_x, shift_y, shift_step, scale_min, scale_max, flip } = jitter;
  if (keepsCentred(jitter)) return CENTRED;
  const uniform = (lo: number, hi: number) => lo + (hi - lo) * rng.next();
  // a stepped shift: one of the whole multiples of the step in [-shift, shift], each equally likely
  const shift = (max: number) => {
    if (shift_step === 0) return uniform(-max, max);
    const n = Math.floor(max / shift_step);
    return shift_step * (Math.min(2 * n, Math.floor(rng.next() * (2 * n + 1))) - n);
  };
  return { dx: shift(shift_x), dy: shift(shift_y), scale: uniform(scale_min, scale_max), flip: flip && rng.next() < 0.5 };
}

/** The SVG transform of a placement (about the feet, x = 64, y = 128), or null when centred. */
export function placementTransform(p: Placement): string | null {
  if (p.dx === 0 && p.dy === 0 && p.scale === 1 && !p.flip) return null;
  const r = (v: number) => +v.toFixed(3);
  return `translate(${r(64 + p.dx)} ${r(128 + p.dy)}) scale(${r(p.flip ? -p.scale : p.scale)} ${r(p.scale)}) translate(-64 -128)`;
}

/** The figure shifted sideways only, up to 4 px of 32: the mildest move whose renders reach diversity 0.6 (README). */
export const SHIFTED_FIGURE: PlacementJitter = PlacementJitterSchema.parse({ shift_x: 16 });

/**
 * The figure shifted sideways by 0, 1 or 2 whole image patches (4 px of 32 each) either way, nothing
 * else: the same codes at five column offsets, so one prompt has five drawings that the tokenizer
 * writes with the centred figure's codes (a continuous shift re-cuts the figure into new patches).
 */
export const ALIGNED_FIGURE: PlacementJitter = PlacementJitterSchema.parse({ shift_x: 32, shift_step: 16 });

/**
 * The evaluation characters' images (`cmrp data synth --split eval`, data/synth): the placement of
 * the world the committed base was pretrained on (pretrain preset `base`), so SFT and the
 * evaluation show the model figures placed as in pretraining.
 */
export const CHARACTER_PLACEMENT: PlacementJitter = ALIGNED_FIGURE;

/** Named jitters for `--placement` and configs (a world built with one is named after it). */
export const PLACEMENT_PRESETS: Record<string, PlacementJitter> = { centred: CENTRED_JITTER, moved: MOVED_FIGURE, shifted: SHIFTED_FIGURE, aligned: ALIGNED_FIGURE };

/** The preset a jitter equals, if any. */
export function placementName(j: PlacementJitter): string | null {
  return Object.entries(PLACEMENT_PRESETS).find(([, p]) => samePlacement(p, j))?.[0] ?? null;
}
