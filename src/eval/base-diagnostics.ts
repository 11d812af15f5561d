/**
 * Why a base model draws what it draws: held-out text-to-image loss per grid position (the figure
 * in the middle columns vs the background at the edges), with and without the character card in
 * front of the image (a drawing should not depend on what precedes it), and the identity ceiling
 * of the image tokenizer (a reference's own reconstruction vs other characters' references).
 * `cmrp quality` prints them; notebook 02 plots them.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Transformer } from '../model/transformer';
import { tokenLogProbs } from '../model/ops';
import type { Tokenizers } from '../tokenizers/bundle';
import type { Character } from '../data/rolescape/types';
import { t2iExamples } from '../train/tasks';
import { encodeExamples, makeBatch, ImageCodeCache, type EncodedExample } from '../train/encode';
import type { IdentityJudge } from '../judges/image/identity';
import { meanSimilarity } from './suite/identity-rank';

/** The middle half of the grid's columns (2-5 of 8), where the synthetic figure stands; the rest is background. */
export function isFigureColumn(column: number, side: number): boolean {
  return column >= side / 4 && column < (3 * side) / 4;
}

export interface PositionLoss {
  /** Mean next-token loss (nats) of the k-th image code, k = 0 .. tokensPerImage-1 (row-major grid). */
  perPosition: number[];
  /** Mean over the figure columns and over the other columns. */
  figure: number;
  edges: number;
  /** Mean over every image code. */
  mean: number;
  images: number;
}

/** Loss of every image code of the examples' images, by its grid position. */
export function imageLossByPosition(model: Transformer, tok: Tokenizers, examples: readonly EncodedExample[], batchSize = 16): PositionLoss {
  const span = tok.image.tokensPerImage;
  const side = Math.round(Math.sqrt(span));
  const sum = new Float64Array(span), count = new Float64Array(span);
  let images = 0;
  for (let i = 0; i < examples.length; i += batchSize) {
    const b = makeBatch(examples.slice(i, i + batchSize), tok, model.config.block_size);
    const lp = tf.tidy(() => {
      const logits = model.forward(tf.tensor2d(b.ids, [b.B, b.T], 'int32'), tf.tensor2d(b.modality, [b.B, b.T], 'int32'));
      return tokenLogProbs(tf.reshape(logits, [b.B * b.T, model.config.vocab_size]) as tf.Tensor2D, tf.tensor1d(b.targets, 'int32'));
    });
    const lps = lp.dataSync();
    lp.dispose();
    for (let r = 0; r < b.B; r++) {
      let k = 0;
      for (let t = 0; t < b.T; t++) {
        const j = r * b.T + t;
        if (!tok.vocab.isImageToken(b.targets[j]) || b.mask[j] === 0) {
          k = 0;
          continue;
        }
        if (k === 0) images++;
        sum[k] -= lps[j];
        count[k] += 1;
        k = (k + 1) % span;
      }
    }
  }
  const perPosition = [...sum].map((s, k) => (count[k] ? s / count[k] : NaN));
  const pick = (inFigure: boolean) => {
    const xs = perPosition.filter((_, k) => isFigureColumn(k % side, side) === inFigure && count[k] > 0);
    return xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length);
  };
  const all = perPosition.filter((x) => Number.isFinite(x));
  return { perPosition, figure: pick(true), edges: pick(false), mean: all.reduce((a, x) => a + x, 0) / Math.max(1, all.length), images };
}

export interface CardLoss {
  withCard: PositionLoss;
  withoutCard: PositionLoss;
}

/** The same drawings (the characters' test-split t2i examples) with the card in the system prompt and without. */
export async function imageLossWithAndWithoutCard(model: Transformer, tok: Tokenizers, characters: readonly Character[], perCharacter = 4): Promise<CardLoss> {
  const cache = new ImageCodeCache(tok);
  const build = (card: boolean) => encodeExamples(characters.flatMap((c) => t2iExamples(c, { card, split: 'test' }).slice(0, perCharacter)), tok, cache);
  return { withCard: imageLossByPosition(model, tok, await build(true)), withoutCard: imageLossByPosition(model, tok, await build(false)) };
}

export interface IdentityCeiling {
  /** Mean identity similarity (dino) of a reference's own reconstruction to its character's references: a perfect copy through the tokenizer. */
  own: number;
  /** The same reconstructions against other characters' references. */
  other: number;
  characters: number;
}

/** What the image tokenizer lets identity reach: references reconstructed from their codes, scored like drawings. */
export function identityCeiling(judge: IdentityJudge, tok: Tokenizers, referencesByCharacter: ReadonlyMap<string, readonly Uint8Array[]>): IdentityCeiling {
  const ids = [...referencesByCharacter.keys()];
  const emb = new Map(ids.map((id) => [id, judge.embedImages([...referencesByCharacter.get(id)!], 'dino')]));
  let own = 0, other = 0, n = 0;
  for (const id of ids) {
    const recs = judge.embedImages(referencesByCharacter.get(id)!.map((p) => tok.image.reconstruct(p)), 'dino');
    for (const e of recs) {
      own += meanSimilarity(e, emb.get(id)!);
      other += ids.filter((o) => o !== id).reduce((s, o) => s + meanSimilarity(e, emb.get(o)!), 0) / Math.max(1, ids.length - 1);
      n++;
    }
  }
  return { own: own / n, other: other / n, characters: ids.length };
}
