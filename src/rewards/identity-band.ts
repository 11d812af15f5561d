/**
 * The identity band (flow_grpo's DINOScorer penalty): with s = the maximum DINO-stand-in cosine of
 * a drawing to the reference images,
 *   penalty = -2 (s - tau_high)  if s > tau_high   (a copy of a reference)
 *             -2 (tau_low - s)   if s < tau_low    (another character)
 *             0                  otherwise
 * Its weight in the total is positive; the penalty itself is <= 0.
 *
 * Departures: the thresholds are calibrated on our identity judge's own cosine scale (config.ts),
 * and the references should include their tokenizer reconstructions (`bandReferences`), since the
 * policy's drawings are made of codebook patches. Without references this throws (the official
 * scorer catches the failure and silently gives no penalty).
 */
import type { ImageTokenizer } from '../tokenizers/image';
import { UserError } from '../util/errors';
import { similarityMatrix } from '../metrics/similarity';
import type { RewardFn } from './types';
import { checkBatch } from './batch';

/** The band penalty of one similarity (pure). */
export function bandPenalty(s: number, low: number, high: number): number {
  if (!(low < high)) throw new UserError(`identity band: expected dino_threshold_low < dino_threshold_high, found ${low} >= ${high}`);
  if (s > high) return -2 * (s - high);
  if (s < low) return -2 * (low - s);
  return 0;
}

/** Row maxima of a similarity matrix [images][references]. */
export function maxPerRow(sims: readonly (readonly number[])[]): Float64Array {
  return Float64Array.from(sims, (row) => Math.max(...row));
}

/** The K reference images followed by their tokenizer reconstructions: the band's references. */
export function bandReferences(references: readonly Uint8Array[], image: ImageTokenizer): Uint8Array[] {
  return [...references, ...references.map((r) => image.reconstruct(r))];
}

/** Raw s per drawing: the maximum dino cosine to any reference. */
export const identitySimilarity: RewardFn = (batch, ctx) => {
  if (checkBatch(batch) === 0) return new Float64Array(0);
  if (!ctx.references.length) throw new UserError(`identity band: no reference images for ${ctx.character.id}`);
  return maxPerRow(similarityMatrix(ctx.judges, batch.images, ctx.references, 'dino'));
};

/** `dino_penalty`: the band penalty of each drawing's s, with the context's thresholds. */
export const identityBandPenalty: RewardFn = (batch, ctx) => identitySimilarity(batch, ctx).map((s) => bandPenalty(s, ctx.dinoThresholdLow, ctx.dinoThresholdHigh));
