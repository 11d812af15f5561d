/**
 * The image tokenizer: a 32x32 RGB model-size image <-> a fixed grid of discrete codes.
 *
 * The image is cut into P x P patches (P = 4: an 8 x 8 grid, 64 codes per image, in raster order)
 * and each patch is replaced by the nearest of K learned colour patches (the codebook: k-means
 * over the world corpus's patches, seeded k-means++ init). Decoding pastes the codebook patches
 * back. Squared error is what k-means minimises, so the fit directly maximises PSNR.
 *
 * Departure from UniCharacter/BAGEL: BAGEL generates images with a VAE latent and flow matching
 * and understands them with a ViT; here one codebook both tokenizes images for understanding and
 * is the output space of generation, so the unified model predicts image codes with the same LM
 * head as text (a VQ-style, non-learned-encoder tokenizer, the smallest that works on a CPU).
 *
 * Pixels: a Uint8Array is 0-255; a Float32Array is 0-1 (checked). Layout HWC (row-major, RGB).
 *
 * Why 4x4 patches and K = 512 (measured 2026-11-26, world seed 0 with 240 characters, codebook
 * fitted on 216 of them for 20 iterations; mean per-image PSNR, dB; fit time on 2 shared cores):
 *
 *   patch  codes/image  K     fitted  held-out world  eval chars  fit
 *   8x8    16           256   18.19   17.72           17.68        5 s
 *   8x8    16           512   19.35   18.55           18.40        9 s
 *   8x8    16           1024  20.70   19.45           19.24       18 s
 *   8x8    16           2048  22.33   20.21           19.98       32 s
 *   4x4    64           256   19.77   19.58           19.39        6 s
 *   4x4    64           512   20.86   20.48           20.30       11 s   <- default
 *   4x4    64           1024  22.20   21.47           21.32       19 s
 *   4x4    64           2048  23.81   22.61           22.45       53 s
 *   2x2    256          256   23.57   23.49           23.37       29 s
 *   2x2    256          512   24.93   24.79           24.74       46 s
 *   2x2    256          1024  26.38   26.14           26.02       56 s
 *
 * - 2x2 (256 codes) fills the whole 256-position context of BASE_CONFIG with one image.
 * - 8x8 codes are whole faces: they memorise the fitted characters (fitted-vs-held-out gap up to
 *   2.1 dB) and paste another character's face on an unseen one (seen in reconstructions), which
 *   would defeat identity rewards. 4x4 codes compose (gap 0.4 dB at K=512).
 * - Within 4x4 each doubling of K buys ~1 dB but doubles the image rows of the embedding/LM head
 *   and halves how often the model sees each code (a character has ~10 images = 640 codes).
 *   K=512 keeps the vocabulary at 16 + 1008 + 512 = 1536 (BASE_CONFIG); K=1024 (+1.0 dB) is
 *   `--codebook 1024` with vocab_size 2048. A 1000-character world adds only +0.1-0.3 dB at 512.
 * - Real RoleScape-20 photos (resized to 32x32) come back at 18.4 dB with the synthetic codebook.
 */
import { assignNearest, kmeans } from './kmeans';

export const IMAGE_TOKENIZER_TYPE = 'patch-kmeans';
export const IMAGE_SIZE = 32 as const;
export const CHANNELS = 3 as const;
export const PIXELS = IMAGE_SIZE * IMAGE_SIZE * CHANNELS;

/** What `tokenizers.json` stores for the image tokenizer. */
export interface ImageTokenizerJson {
  type: typeof IMAGE_TOKENIZER_TYPE;
  image_size: typeof IMAGE_SIZE;
  channels: typeof CHANNELS;
  patch: number;
  codebook_size: number;
  /** K x (patch*patch*channels) numbers, 0-255 with 2 decimals, each code's patch in HWC order. */
  codebook: number[];
}

export type ImageLike = Uint8Array | Float32Array;

/** Round to the precision tokenizers.json stores, so a loaded tokenizer equals the fitted one. */
const quantize = (v: number): number => Math.round(Math.min(255, Math.max(0, v)) * 100) / 100;

export class ImageTokenizer {
  readonly patch: number;
  /** Codes per side. */
  readonly grid: number;
  readonly tokensPerImage: number;
  readonly codebookSize: number;
  /** Values per patch (patch * patch * 3). */
  readonly patchDim: number;
  /** [K, patchDim], 0-255. */
  readonly codebook: Float32Array;
  private readonly codebookUnit: Float32Array;

  constructor(patch: number, codebook: ArrayLike<number>) {
    if (!Number.isInteger(patch) || patch < 1 || IMAGE_SIZE % patch !== 0) throw new RangeError(`patch: expected a divisor of ${IMAGE_SIZE}, got ${patch}`);
    this.patch = patch;
    this.grid = IMAGE_SIZE / patch;
    this.tokensPerImage = this.grid * this.grid;
    this.patchDim = patch * patch * CHANNELS;
    if (codebook.length === 0 || codebook.length % this.patchDim !== 0) {
      throw new RangeError(`codebook: expected K x ${this.patchDim} numbers for ${patch}x${patch} RGB patches, found ${codebook.length}`);
    }
    this.codebookSize = codebook.length / this.patchDim;
    this.codebook = Float32Array.from(codebook, quantize);
    this.codebookUnit = this.codebook.map((v) => v / 255);
  }

  /** Codes of one image, raster order over the grid: Int32Array(tokensPerImage). */
  encode(image: ImageLike): Int32Array {
    return this.encodeBatch([image])[0];
  }

  /** Codes of many images (one tfjs nearest-neighbour pass over all their patches). */
  encodeBatch(images: readonly ImageLike[]): Int32Array[] {
    const t = this.tokensPerImage;
    const patches = new Float32Array(images.length * t * this.patchDim);
    images.forEach((im, i) => writePatches(toUnit(im, i), this.patch, patches, i * t));
    const { codes } = assignNearest(patches, this.patchDim, this.codebookUnit);
    return images.map((_, i) => codes.slice(i * t, (i + 1) * t));
  }

  /** RGB bytes (32x32x3, HWC) of codes. */
  decode(codes: ArrayLike<number>): Uint8Array {
    if (codes.length !== this.tokensPerImage) throw new RangeError(`decode: expected ${this.tokensPerImage} codes (a ${this.grid}x${this.grid} grid), got ${codes.length}`);
    const out = new Uint8Array(PIXELS);
    const P = this.patch;
    for (let g = 0; g < codes.length; g++) {
      const c = codes[g];
      if (!Number.isInteger(c) || c < 0 || c >= this.codebookSize) throw new RangeError(`decode: code ${c} at position ${g} is outside the codebook (0 to ${this.codebookSize - 1})`);
      const gy = Math.floor(g / this.grid);
      const gx = g % this.grid;
      let q = c * this.patchDim;
      for (let y = 0; y < P; y++) {
        let o = ((gy * P + y) * IMAGE_SIZE + gx * P) * CHANNELS;
        for (let x = 0; x < P * CHANNELS; x++) out[o++] = Math.round(this.codebook[q++]);
      }
    }
    return out;
  }

  decodeBatch(codes: readonly ArrayLike<number>[]): Uint8Array[] {
    return codes.map((c) => this.decode(c));
  }

  /** encode then decode. */
  reconstruct(image: ImageLike): Uint8Array {
    return this.decode(this.encode(image));
  }

  toJSON(): ImageTokenizerJson {
    return { type: IMAGE_TOKENIZER_TYPE, image_size: IMAGE_SIZE, channels: CHANNELS, patch: this.patch, codebook_size: this.codebookSize, codebook: Array.from(this.codebook, quantize) };
  }

  static fromJSON(j: ImageTokenizerJson): ImageTokenizer {
    return new ImageTokenizer(j.patch, j.codebook);
  }
}

/** Write the P x P patches of a unit-range image (raster order) into `out` from patch row `row`. */
function writePatches(im: Float32Array, patch: number, out: Float32Array, row: number): void {
  const grid = IMAGE_SIZE / patch;
  const dim = patch * patch * CHANNELS;
  let o = row * dim;
  for (let gy = 0; gy < grid; gy++) {
    for (let gx = 0; gx < grid; gx++) {
      for (let y = 0; y < patch; y++) {
        const s = ((gy * patch + y) * IMAGE_SIZE + gx * patch) * CHANNELS;
        out.set(im.subarray(s, s + patch * CHANNELS), o);
        o += patch * CHANNELS;
      }
    }
  }
}

/** An image as float 0-1, validating size and range. */
export function toUnit(image: ImageLike, index = 0): Float32Array {
  if (image.length !== PIXELS) throw new RangeError(`image ${index}: expected ${IMAGE_SIZE}x${IMAGE_SIZE}x${CHANNELS} = ${PIXELS} values (HWC RGB), got ${image.length}`);
  if (image instanceof Uint8Array) return Float32Array.from(image, (v) => v / 255);
  for (let i = 0; i < image.length; i++) {
    const v = image[i];
    if (!(v >= 0 && v <= 1)) throw new RangeError(`image ${index}: a Float32Array must hold 0-1 values, found ${v} at ${i} (pass 0-255 pixels as a Uint8Array)`);
  }
  return image;
}

/** Peak signal-to-noise ratio in dB of two 0-255 images (Infinity when identical). */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`psnr: images differ in size (${a.length} vs ${b.length})`);
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

export interface ReconstructionStats {
  images: number;
  /** Mean over images of each image's PSNR (dB). */
  psnr: number;
  /** PSNR of the pooled mean squared error (dB). */
  psnrPooled: number;
  /** 10th percentile of the per-image PSNR (the worst-served images). */
  psnrP10: number;
  /** Distinct codes used / codebook size. */
  codeUsage: number;
}

/** Encode-decode `images` and measure how close they come back. */
export function reconstructionStats(tok: ImageTokenizer, images: readonly Uint8Array[]): ReconstructionStats {
  if (images.length === 0) return { images: 0, psnr: NaN, psnrPooled: NaN, psnrP10: NaN, codeUsage: 0 };
  const codes = tok.encodeBatch(images);
  const used = new Uint8Array(tok.codebookSize);
  const per: number[] = [];
  let se = 0;
  images.forEach((im, i) => {
    for (const c of codes[i]) used[c] = 1;
    const rec = tok.decode(codes[i]);
    for (let p = 0; p < im.length; p++) se += (im[p] - rec[p]) ** 2;
    per.push(Math.min(psnr(im, rec), 99));
  });
  per.sort((x, y) => x - y);
  const mse = se / (images.length * PIXELS);
  return {
    images: images.length,
    psnr: per.reduce((s, v) => s + v, 0) / per.length,
    psnrPooled: 10 * Math.log10((255 * 255) / mse),
    psnrP10: per[Math.floor(per.length * 0.1)],
    codeUsage: used.reduce((s, v) => s + v, 0) / tok.codebookSize,
  };
}

export interface FitImageOptions {
  /** Codebook size K. */
  codebookSize: number;
  /** Patch side P (32 / P codes per side). */
  patch?: number;
  seed: number;
  /** Lloyd iterations at most. */
  iters?: number;
  /** Rows for the k-means++ init. */
  initSample?: number;
  onIter?: (iter: number, mse: number) => void;
}

/** Learn a codebook from images (0-255 RGB, 32x32). Deterministic in the images and the seed. */
export function fitImageTokenizer(images: readonly ImageLike[], opts: FitImageOptions): ImageTokenizer {
  const patch = opts.patch ?? 4;
  if (!Number.isInteger(patch) || patch < 1 || IMAGE_SIZE % patch !== 0) throw new RangeError(`patch: expected a divisor of ${IMAGE_SIZE}, got ${patch}`);
  const dim = patch * patch * CHANNELS;
  const t = (IMAGE_SIZE / patch) ** 2;
  const data = new Float32Array(images.length * t * dim);
  images.forEach((im, i) => writePatches(toUnit(im, i), patch, data, i * t));
  const res = kmeans(data, dim, { k: opts.codebookSize, seed: opts.seed, iters: opts.iters, initSample: opts.initSample, onIter: opts.onIter });
  return new ImageTokenizer(patch, res.centroids.map((v) => v * 255));
}
