/**
 * One image reader: on a picture that is not square, the model's side (the tokenizer codes SFT
 * trains on) and the judges' side (evaluation and band references, the real-image judge's views)
 * get the same 32x32 pixels: the centre square, not a stretch (src/tokenizers/image-io.ts).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import sharp from 'sharp';
import { initBackend } from '../src/backend/select';
import { imageToModelSize, loadTokenizers, readImages32 } from '../src/tokenizers';
import { ImageCodeCache } from '../src/train/encode';
import { readRealImage } from '../src/judges/real/views';
import { projectRoot } from '../src/util/paths';
import { tempDir } from './synth-helpers';

const W = 48;
const H = 32;

/** 48x32 RGBA: red left band, blue right band, a green/yellow checkerboard (green > 120 in both) in the centre square, one transparent corner. */
function nonSquarePixels(): Buffer {
  const px = Buffer.alloc(W * H * 4);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      const rgb = x < 8 ? [220, 20, 20] : x >= W - 8 ? [20, 20, 220] : (x >> 2) % 2 === (y >> 2) % 2 ? [20, 160, 20] : [230, 220, 40];
      px.set([...rgb, x >= 8 && x < 16 && y < 8 ? 0 : 255], i);
    }
  }
  return px;
}

test('a non-square picture: the tokenizer path and the judge paths read the same pixels (its centre square)', async () => {
  await initBackend();
  const file = path.join(tempDir('image-reader'), 'wide.png');
  await sharp(nonSquarePixels(), { raw: { width: W, height: H, channels: 4 } }).png().toFile(file);
  const tok = loadTokenizers(path.join(projectRoot(), 'checkpoints', 'base'));

  const [judgeView] = await readImages32([{ path: file }]); // evaluation and band references (eval/suite/run.ts, train/grpo-setup.ts)
  const realJudgeView = (await readRealImage(file, 64)).plain; // the real-image identity judge's un-augmented view
  assert.deepEqual(realJudgeView, judgeView);
  assert.deepEqual(await imageToModelSize(file), judgeView);
  const modelCodes = await new ImageCodeCache(tok).get(file); // what Unified-SFT trains on
  assert.deepEqual(modelCodes, tok.encodeImage(judgeView));

  // the centre square: no red or blue band survives; the transparent corner is white
  const at = (x: number, y: number) => Array.from(judgeView.slice((y * 32 + x) * 3, (y * 32 + x) * 3 + 3));
  for (const x of [0, 31]) for (const y of [10, 20]) assert.ok(at(x, y)[1] > 120, `pixel (${x}, ${y}) ${at(x, y)} is from a red or blue side band`);
  assert.ok(at(1, 1).every((v) => v > 240), `transparent corner not white: ${at(1, 1)}`);

  // the check has power: a stretch of the whole picture gives other pixels and other codes
  const stretched = await sharp(file).flatten({ background: '#ffffff' }).removeAlpha().resize(32, 32, { kernel: 'lanczos3', fit: 'fill' }).raw().toBuffer();
  assert.notDeepEqual(Uint8Array.from(stretched), judgeView);
  assert.notDeepEqual(tok.encodeImage(Uint8Array.from(stretched)), modelCodes);
});
