/**
 * Images as the judges see them: 32x32 RGB. Accepted inputs are raw pixels (Uint8 0..255 or
 * Float32 0..1, row-major [32, 32, 3]) or tensors ([32, 32, 3] or [B, 32, 32, 3], floats in
 * 0..1); `toBatch` turns any of them into one float tensor [B, 32, 32, 3].
 *
 * `renderImage32` draws a label set with the synthetic world's own SVG drawing and the same
 * rasterise-then-resize path as `cmrp data synth` (so its pixels equal the dataset's `model32`
 * PNGs for the same SVG): judges use it for ground-truth images of prompts and for more views.
 */
import * as tf from '@tensorflow/tfjs-core';
import sharp from 'sharp';
import { characterSvg } from '../../data/synth';
import type { Identity, Placement } from '../../data/synth';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { IMAGE_SIZE, PIXELS } from '../../tokenizers/image';

// the judges see the model's images: its size (32) and values per image (3072), defined once
export { IMAGE_SIZE, PIXELS };

export type ImageInput = Uint8Array | Float32Array | tf.Tensor3D | tf.Tensor4D;

function checkShape(shape: number[], what: string): void {
  const hw = shape.slice(-3);
  if (hw[0] !== IMAGE_SIZE || hw[1] !== IMAGE_SIZE || hw[2] !== 3) throw new UserError(`${what}: expected [${IMAGE_SIZE}, ${IMAGE_SIZE}, 3] RGB pixels, got [${shape.join(', ')}]`);
}

/** Images → float tensor [B, 32, 32, 3] in 0..1 (the caller owns it). */
export function toBatch(images: ImageInput | readonly ImageInput[]): tf.Tensor4D {
  const list: readonly ImageInput[] = Array.isArray(images) ? images : [images as ImageInput];
  if (list.length === 0) throw new UserError('toBatch: no images');
  return tf.tidy(() => {
    const parts = list.map((im, i) => {
      if (im instanceof tf.Tensor) {
        checkShape(im.shape, `image ${i}`);
        return tf.cast(im.rank === 3 ? tf.expandDims(im, 0) : im, 'float32') as tf.Tensor4D;
      }
      if (im.length % PIXELS !== 0) throw new UserError(`image ${i}: ${im.length} values is not a whole number of 32x32x3 images`);
      const n = im.length / PIXELS;
      const f = im instanceof Float32Array ? im : Float32Array.from(im, (v) => v / 255);
      return tf.tensor4d(f, [n, IMAGE_SIZE, IMAGE_SIZE, 3]);
    });
    return (parts.length === 1 ? parts[0] : tf.concat(parts, 0)) as tf.Tensor4D;
  });
}

/** Rows `idx` of a packed Uint8 pixel store (n x 3072) as a float batch [b, 32, 32, 3]. */
export function gatherBatch(store: Uint8Array, idx: ArrayLike<number>): tf.Tensor4D {
  const out = new Float32Array(idx.length * PIXELS);
  for (let k = 0; k < idx.length; k++) {
    const src = idx[k] * PIXELS;
    for (let j = 0; j < PIXELS; j++) out[k * PIXELS + j] = store[src + j] / 255;
  }
  return tf.tensor4d(out, [idx.length, IMAGE_SIZE, IMAGE_SIZE, 3]);
}

/** Labels a drawing needs beyond the identity. */
export interface SceneLabel {
  expression: string;
  scene: string;
  prop: string;
}

/** Rasterise an SVG at 128 px and downscale to 32 px exactly as `renderSvg` does for `model32/`. */
export async function rasterise32(svg: string): Promise<Uint8Array> {
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).raw().toBuffer({ resolveWithObject: true });
  const buf = await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    .resize(IMAGE_SIZE, IMAGE_SIZE, { kernel: 'lanczos3' })
    .raw()
    .toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Draw `identity` with `label`; `rng` places background details only; the figure centred unless `placement` says otherwise. */
export function renderImage32(identity: Identity, label: SceneLabel, rng: Rng, placement?: Placement): Promise<Uint8Array> {
  return rasterise32(characterSvg(identity, label, rng, placement));
}

/** Run async jobs with at most `limit` in flight, keeping result order. */
export async function mapPool<T, R>(items: readonly T[], limit: number, work: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

/** Write 32x32 pixels as a PNG upscaled `scale` times (nearest), for looking at judge inputs. */
export async function writePng32(pixels: Uint8Array, file: string, scale = 4): Promise<void> {
  await sharp(Buffer.from(pixels), { raw: { width: IMAGE_SIZE, height: IMAGE_SIZE, channels: 3 } })
    .resize(IMAGE_SIZE * scale, IMAGE_SIZE * scale, { kernel: 'nearest' })
    .png()
    .toFile(file);
}
