/**
 * Training views of real RoleScape-20 images for the identity judge. A real character has ~10
 * training images, far too few for P x K batches of distinct pictures, so each view is a seeded
 * random augmentation of one of them:
 *
 *   source   the PNG read once at `source_size` px by the one image reader (`imageToSquare`:
 *            white-flattened, its centre square), kept in memory
 *   crop     a random box covering `scale_min`..1 of the side (aspect jittered by up to
 *            `aspect`), anywhere inside the image (a crop at scale < 1 is also a shift), resampled
 *            to 32x32 bilinearly
 *   flip     left-right with probability `flip`
 *   colour   brightness, contrast and saturation each scaled by a factor in 1 ± its amplitude
 *
 * With probability `plain` the view is the image exactly as the judges see it at evaluation
 * (`imageToModelSize`: the centre square, lanczos to 32 px), so the augmented distribution always
 * contains the real one. Everything is seeded by the caller's Rng: the same seed, the same views.
 */
import { z } from 'zod';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { IMAGE_SIZE, PIXELS, mapPool } from '../core/images';
import { imageToModelSize, imageToSquare } from '../../tokenizers/image-io';

export const AugmentConfigSchema = z
  .object({
    source_size: z.number().int().min(IMAGE_SIZE).max(512).default(64), // px of the in-memory copy views are cut from
    plain: z.number().min(0).max(1).default(0.2), // probability of the un-augmented view (imageToModelSize)
    scale_min: z.number().gt(0).max(1).default(0.65), // smallest crop side, as a share of the image side
    aspect: z.number().min(0).max(0.5).default(0.15), // crop aspect ratio jitter: exp(±aspect)
    flip: z.number().min(0).max(1).default(0.5), // left-right flip probability
    brightness: z.number().min(0).max(1).default(0.15), // brightness factor in 1 ± this
    contrast: z.number().min(0).max(1).default(0.15), // contrast factor (about the image mean) in 1 ± this
    saturation: z.number().min(0).max(1).default(0.15), // saturation factor (about the pixel's grey) in 1 ± this
  })
  .strict();
export type AugmentConfig = z.infer<typeof AugmentConfigSchema>;

/** One real image in memory: its evaluation view (32x32) and a larger source for crops. */
export interface RealImage {
  file: string;
  plain: Uint8Array; // [32, 32, 3], exactly imageToModelSize(file)
  source: Uint8Array; // [S, S, 3]
  size: number; // S
}

export async function readRealImage(file: string, size: number): Promise<RealImage> {
  return { file, plain: await imageToModelSize(file), source: await imageToSquare(file, size), size };
}

/** Read many files, at most 4 at a time, keeping their order. */
export function readRealImages(files: readonly string[], size: number): Promise<RealImage[]> {
  return mapPool(files, 4, (f) => readRealImage(f, size));
}

const clamp255 = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));

/** One augmented 32x32 view of `im` (see the header), written into `out` at `offset`. */
export function augmentView(im: RealImage, c: AugmentConfig, rng: Rng, out: Uint8Array, offset = 0): void {
  if (rng.chance(c.plain)) {
    out.set(im.plain, offset);
    return;
  }
  const S = im.size, N = IMAGE_SIZE;
  const scale = c.scale_min + (1 - c.scale_min) * rng.next();
  const ar = Math.exp((2 * rng.next() - 1) * c.aspect);
  const w = Math.min(S, S * scale * Math.sqrt(ar)), h = Math.min(S, S * scale / Math.sqrt(ar));
  const x0 = (S - w) * rng.next(), y0 = (S - h) * rng.next();
  const flip = rng.chance(c.flip);
  const kb = 1 + (2 * rng.next() - 1) * c.brightness;
  const kc = 1 + (2 * rng.next() - 1) * c.contrast;
  const ks = 1 + (2 * rng.next() - 1) * c.saturation;
  const px = new Float32Array(PIXELS);
  const src = im.source;
  for (let y = 0; y < N; y++) {
    // sample at the centre of each output pixel, bilinear between source pixel centres
    const sy = Math.min(S - 1, Math.max(0, y0 + ((y + 0.5) * h) / N - 0.5));
    const ya = Math.floor(sy), yb = Math.min(S - 1, ya + 1), fy = sy - ya;
    for (let x = 0; x < N; x++) {
      const xo = flip ? N - 1 - x : x;
      const sx = Math.min(S - 1, Math.max(0, x0 + ((x + 0.5) * w) / N - 0.5));
      const xa = Math.floor(sx), xb = Math.min(S - 1, xa + 1), fx = sx - xa;
      for (let ch = 0; ch < 3; ch++) {
        const v00 = src[(ya * S + xa) * 3 + ch], v01 = src[(ya * S + xb) * 3 + ch];
        const v10 = src[(yb * S + xa) * 3 + ch], v11 = src[(yb * S + xb) * 3 + ch];
        px[(y * N + xo) * 3 + ch] = (v00 * (1 - fx) + v01 * fx) * (1 - fy) + (v10 * (1 - fx) + v11 * fx) * fy;
      }
    }
  }
  let meanAll = 0;
  for (let i = 0; i < PIXELS; i++) meanAll += px[i];
  meanAll /= PIXELS;
  for (let p = 0; p < N * N; p++) {
    const r = px[p * 3], g = px[p * 3 + 1], b = px[p * 3 + 2];
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    for (let ch = 0; ch < 3; ch++) {
      const sat = grey + (px[p * 3 + ch] - grey) * ks;
      out[offset + p * 3 + ch] = clamp255((meanAll + (sat - meanAll) * kc) * kb);
    }
  }
}

/**
 * A P x K batch sampler over characters' images: P characters (cycling through a shuffled order),
 * K augmented views each (from distinct images while the character has K of them, then repeats).
 */
export function realBatches(groups: readonly RealImage[][], views: number, aug: AugmentConfig, rng: Rng): (P: number) => { pixels: Uint8Array; cls: Int32Array } {
  if (groups.length < 2) throw new UserError(`identity: need at least 2 characters with training images, found ${groups.length}`);
  let order: number[] = [], pos = 0;
  return (P: number) => {
    const n = Math.min(P, groups.length) * views;
    const pixels = new Uint8Array(n * PIXELS), cls = new Int32Array(n);
    let k = 0;
    for (let p = 0; p < Math.min(P, groups.length); p++) {
      if (pos >= order.length) (order = rng.shuffle(groups.map((_, i) => i))), (pos = 0);
      const g = order[pos++];
      const imgs = groups[g];
      const pick = imgs.length >= views ? rng.sample(imgs, views) : Array.from({ length: views }, (_, i) => imgs[i % imgs.length]);
      for (const im of pick) {
        augmentView(im, aug, rng, pixels, k * PIXELS);
        cls[k++] = g;
      }
    }
    return { pixels, cls };
  };
}
