/**
 * Reading images at model size with sharp: THE image reader of cmrp-lab. The model (its tokenizer
 * encodes SFT references and prompts' images), the judges (their training images, the identity
 * band's references, the evaluation references) and the notebooks all read pixels through
 * `imageToModelSize`, so the model and the judges always see the same 32x32 picture.
 *
 * Any image (a real RoleScape-20 photo, a 128 px master, a 32x32 copy) is flattened onto white,
 * converted to sRGB, and brought to 32x32 the way the synthetic world makes its copies (lanczos3).
 * A picture that is not square is cropped to its centre square (`fit: cover`), never stretched:
 * a stretch changes the character's proportions (a face 30% narrower is another face to an
 * identity judge), while the centre crop keeps them, as the preprocessing of the official
 * scorers does (UniCharacter's CLIP/clip/clip.py: Resize of the short side, then CenterCrop; the
 * DINOv2 image processor of flow_grpo/flow_grpo/dino_scorer.py likewise). What it costs: up to
 * 44% of a 9:16 photo's height (train/Mam/4-6.png are 144x256) is cut off.
 * Square images (all synthetic ones, 164 of the 191 real ones) come out byte-identical either way.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import sharp from 'sharp';
import { UserError } from '../util/errors';
import { CHANNELS, IMAGE_SIZE, PIXELS } from './image';
import type { SynthIndex } from '../data/synth/ensure';

async function rgb(input: sharp.Sharp, what: string, size: number = IMAGE_SIZE): Promise<Uint8Array> {
  let out;
  try {
    out = await input.flatten({ background: '#ffffff' }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw new UserError(`${what}: cannot decode the image (${(err as Error).message.split('\n')[0]})`);
  }
  const { data, info } = out;
  if (info.width !== size || info.height !== size || info.channels !== CHANNELS) {
    throw new UserError(`${what}: expected a ${size}x${size} RGB image, found ${info.width}x${info.height} with ${info.channels} channels (use imageToModelSize for other sizes)`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, size * size * CHANNELS).slice();
}

/** A 32x32 PNG (a synthetic `model32/` copy) as RGB bytes, HWC. Other sizes are an error. */
export async function loadModel32(file: string): Promise<Uint8Array> {
  return rgb(sharp(file), file);
}

/** Any image file or encoded buffer as `size` x `size` RGB bytes (HWC): its centre square, lanczos3. */
export async function imageToSquare(fileOrBuffer: string | Buffer, size: number): Promise<Uint8Array> {
  const what = typeof fileOrBuffer === 'string' ? fileOrBuffer : 'image buffer';
  return rgb(sharp(fileOrBuffer).resize(size, size, { kernel: 'lanczos3', fit: 'cover', position: 'centre' }), what, size);
}

/** Any image file or encoded buffer, as the model and the judges see it: 32x32 RGB bytes (HWC). */
export function imageToModelSize(fileOrBuffer: string | Buffer): Promise<Uint8Array> {
  return imageToSquare(fileOrBuffer, IMAGE_SIZE);
}

/** Many images (e.g. a character's references) as the model and the judges see them. */
export function readImages32(refs: readonly { path: string }[]): Promise<Uint8Array[]> {
  return Promise.all(refs.map((r) => imageToModelSize(r.path)));
}

/** Raw RGB bytes (32x32x3) as a PNG buffer, e.g. to look at a reconstruction. */
export async function modelImageToPng(image: Uint8Array, scale = 1): Promise<Buffer> {
  if (image.length !== PIXELS) throw new RangeError(`modelImageToPng: expected ${PIXELS} bytes, got ${image.length}`);
  const s = sharp(Buffer.from(image), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: CHANNELS } });
  return (scale === 1 ? s : s.resize(IMAGE_SIZE * scale, IMAGE_SIZE * scale, { kernel: 'nearest' })).png().toBuffer();
}

export interface SynthImage {
  readonly character: string;
  readonly split: 'train' | 'test';
  readonly imageId: string;
  readonly pixels: Uint8Array;
}

/**
 * Every model-size image of a synthetic world (train and test), in index order, optionally only
 * of some characters. Reads `index.json`'s `model32` paths.
 */
export async function loadSynthImages(dir: string, index: SynthIndex, opts: { characters?: ReadonlySet<string> } = {}): Promise<SynthImage[]> {
  const jobs: { character: string; split: 'train' | 'test'; imageId: string; file: string }[] = [];
  for (const c of index.characters) {
    if (opts.characters && !opts.characters.has(c.id)) continue;
    for (const split of ['train', 'test'] as const) {
      for (const im of c.images[split]) jobs.push({ character: c.id, split, imageId: im.imageId, file: path.join(dir, im.model32) });
    }
  }
  const missing = jobs.find((j) => !fs.existsSync(j.file));
  if (missing) throw new UserError(`${missing.file}: model-size image listed in ${path.join(dir, 'index.json')} is missing; rebuild the world with \`cmrp data synth\``);
  const out: SynthImage[] = [];
  // a few decodes in flight at once: sharp works on its own threads
  for (let i = 0; i < jobs.length; i += 32) {
    const batch = jobs.slice(i, i + 32);
    const pixels = await Promise.all(batch.map((j) => loadModel32(j.file)));
    batch.forEach((j, k) => out.push({ character: j.character, split: j.split, imageId: j.imageId, pixels: pixels[k] }));
  }
  return out;
}
