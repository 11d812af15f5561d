/**
 * Where the identity band's thresholds come from: the distribution of s (max dino cosine to a
 * character's band references) for (a) copies of the references, (b) the character's other
 * TRAINING images (same character, new scene), (c) other characters' training images, each as the
 * PNG and as its tokenizer reconstruction (what a policy drawing codebook patches can produce).
 * Only training images are read: the test images the evaluation suite scores on never set a
 * threshold (a test checks that no test image is opened). The numbers in config.ts were measured
 * on the 20 synthetic evaluation characters before this rule, with their test images in (b) and (c).
 */
import type { Character } from '../data/rolescape/types';
import type { Judges } from '../judges';
import type { ImageTokenizer } from '../tokenizers/image';
import { dot } from '../judges/image/clip';
import { referenceImages, DEFAULT_SHOTS } from '../data/shots';
import { readImages32 } from '../tokenizers/image-io';
import { bandReferences, maxPerRow } from './identity-band';

export const BAND_SETS = ['copies', 'copies_reconstructed', 'same_character', 'same_character_reconstructed', 'other_characters', 'other_characters_reconstructed'] as const;
export type BandSet = (typeof BAND_SETS)[number];

export interface BandQuantiles {
  n: number;
  min: number;
  p1: number;
  p5: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** n, min, max and p1-p99 (nearest rank) of s; NaN for an empty set. */
export function bandQuantiles(xs: readonly number[]): BandQuantiles {
  if (!xs.length) return { n: 0, min: NaN, p1: NaN, p5: NaN, p50: NaN, p95: NaN, p99: NaN, max: NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.round(p * (s.length - 1))];
  return { n: s.length, min: s[0], p1: q(0.01), p5: q(0.05), p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s[s.length - 1] };
}

/** Quantiles of s per set (`identityBandValues`). */
export async function calibrateIdentityBand(judges: Judges, characters: readonly Character[], image: ImageTokenizer, opts: { shots?: number; withReconstructions?: boolean } = {}): Promise<Record<BandSet, BandQuantiles>> {
  const sets = await identityBandValues(judges, characters, image, opts);
  return Object.fromEntries(BAND_SETS.map((k) => [k, bandQuantiles(sets[k])])) as Record<BandSet, BandQuantiles>;
}

/** s for every (image, character) pair of the sets above; `withReconstructions`: band references = PNGs + reconstructions. */
export async function identityBandValues(judges: Judges, characters: readonly Character[], image: ImageTokenizer, opts: { shots?: number; withReconstructions?: boolean } = {}): Promise<Record<BandSet, number[]>> {
  const shots = opts.shots ?? DEFAULT_SHOTS;
  const embed = (px: readonly Uint8Array[]) => (px.length ? judges.identity.embedImages([...px], 'dino') : []); // a character with only K training images has no others
  const chars = [];
  for (const c of characters) {
    const refIds = new Set(referenceImages(c, shots).map((r) => r.id));
    const refs = await readImages32(referenceImages(c, shots));
    const others = await readImages32(c.images.train.filter((r) => !refIds.has(r.id))); // training images only, never c.images.test
    const rec = (xs: Uint8Array[]) => xs.map((x) => image.reconstruct(x));
    chars.push({
      id: c.id,
      band: embed(opts.withReconstructions ? bandReferences(refs, image) : refs),
      copies: embed(refs), copiesRec: embed(rec(refs)), same: embed(others), sameRec: embed(rec(others)),
    });
  }
  const s = (images: Float32Array[], band: Float32Array[]) => Array.from(maxPerRow(images.map((e) => band.map((r) => dot(e, r)))));
  const sets = Object.fromEntries(BAND_SETS.map((k) => [k, [] as number[]])) as Record<BandSet, number[]>;
  for (const c of chars) {
    sets.copies.push(...s(c.copies, c.band));
    sets.copies_reconstructed.push(...s(c.copiesRec, c.band));
    sets.same_character.push(...s(c.same, c.band));
    sets.same_character_reconstructed.push(...s(c.sameRec, c.band));
    for (const o of chars) {
      if (o.id === c.id) continue;
      sets.other_characters.push(...s([...o.copies, ...o.same], c.band));
      sets.other_characters_reconstructed.push(...s([...o.copiesRec, ...o.sameRec], c.band));
    }
  }
  return sets;
}
