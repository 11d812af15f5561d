/**
 * The K reference images of a character: the same rule Unified-SFT uses for its few-shot image set
 * (src/train/shots.ts: the first K training images in id order), so "similar to the references"
 * always means the images the model was customized on.
 */
import { readImage32 } from '../../judges/images';

export { referenceImages } from '../../train/shots';

export const DEFAULT_SHOTS = 10;

/** 32x32 RGB pixels of images, as the judges read them. */
export async function readImages32(refs: readonly { path: string }[]): Promise<Uint8Array[]> {
  return Promise.all(refs.map((r) => readImage32(r.path)));
}
