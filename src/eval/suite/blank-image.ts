/**
 * The blank image of `vqa_acc_blind`: what the policy answers without looking.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PIXELS, writePng32 } from '../../judges/core/images';

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
