/** The base-model diagnostics against hand computations on a tiny model. */
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../src/backend/select';
import { imageLossByPosition, isFigureColumn } from '../src/eval/base-diagnostics';
import { Transformer } from '../src/model/transformer';
import type { Tokenizers } from '../src/tokenizers/bundle';
import type { EncodedExample } from '../src/train/encode';

before(async () => {
  await initBackend();
});

// A stand-in tokenizer bundle: ids 0-3 text (0 pad), 4-7 image codes, 4 codes per image (a 2x2 grid).
const tok = {
  image: { tokensPerImage: 4 },
  vocab: { pad: 0, isImageToken: (id: number) => id >= 4, modalities: (ids: ArrayLike<number>) => Int32Array.from(Array.from(ids, (id) => (id >= 4 ? 1 : 0))) },
} as unknown as Tokenizers;

test('imageLossByPosition: the loss of each image code by its grid position, figure vs edges', () => {
  const m = new Transformer({ vocab_size: 8, n_layer: 1, n_head: 1, n_embd: 8, block_size: 16, image_positions: 'grid', image_tokens: 4 }, 3);
  // one example: text 1 2, image 4 5 6 7, text 3; the image codes are targets
  const ids = Int32Array.from([1, 2, 4, 5, 6, 7, 3]);
  const ex: EncodedExample = { task: 't2i', character: 'x', ids, target: Uint8Array.from([0, 0, 1, 1, 1, 1, 0]) };
  const r = imageLossByPosition(m, tok, [ex, ex]);
  // by hand: -log softmax(logits[t])[ids[t+1]] at the positions predicting each code
  const logits = tf.tidy(() => tf.logSoftmax(m.forward(tf.tensor2d([Array.from(ids.slice(0, 6))], [1, 6], 'int32'), tf.tensor2d([[0, 0, 1, 1, 1, 1]], [1, 6], 'int32'))).arraySync() as number[][][]);
  const want = [1, 2, 3, 4].map((t) => -logits[0][t][ids[t + 1]]);
  r.perPosition.forEach((x, k) => assert.ok(Math.abs(x - want[k]) < 1e-4, `position ${k}: ${x} vs ${want[k]}`));
  assert.equal(r.images, 2);
  assert.ok(Math.abs(r.mean - want.reduce((a, b) => a + b) / 4) < 1e-4);
  // 2x2 grid: column 1 is the figure's (the middle half), column 0 the edge
  assert.ok(Math.abs(r.figure - (want[1] + want[3]) / 2) < 1e-4);
  assert.ok(Math.abs(r.edges - (want[0] + want[2]) / 2) < 1e-4);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].filter((c) => isFigureColumn(c, 8)), [2, 3, 4, 5]);
  m.dispose();
});
