/**
 * The K reference images of a character: the same rule Unified-SFT uses for its few-shot image set
 * (src/train/shots.ts: the first K training images in id order), so "similar to the references"
 * always means the images the model was customized on.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PIXELS, writePng32 } from '../../judges/images';
import { imageToModelSize } from '../../tokenizers/image-io';

export { referenceImages } from '../../train/shots';

export const DEFAULT_SHOTS = 10;

/** 32x32 RGB pixels of images, as the model and the judges read them. */
export async function readImages32(refs: readonly { path: string }[]): Promise<Uint8Array[]> {
  return Promise.all(refs.map((r) => imageToModelSize(r.path)));
}

/** Grey value of the blank image that replaces a VQA item's image in `vqa_acc_blind`. */
export const BLANK_GREY = 128;

/**
 * A blank (uniform grey) 32x32 PNG, written once per process under the OS temp folder; the policy's
 * image reader takes files. Written to a temporary name and renamed, so a reader never sees half a file.
 */
export async function blankImagePath(): Promise<string> {
  const file = path.join(os.tmpdir(), `cmrp-blank-${BLANK_GREY}-32.png`);
  if (!fs.existsSync(file)) {
    const tmp = `${file}.${process.pid}.tmp`;
    await writePng32(new Uint8Array(PIXELS).fill(BLANK_GREY), tmp, 1);
    fs.renameSync(tmp, file);
  }
  return file;
}
