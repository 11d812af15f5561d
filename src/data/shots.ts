/**
 * The K reference images of few-shot customization: the character's first K training images in
 * id order (numeric ids sort as numbers). SFT trains on exactly these; evaluation measures identity
 * against exactly these, the identity band rewards similarity to them, and copy rate is measured
 * against them.
 */
import type { Character, ImageRef } from './rolescape/types';

/** K when nothing says otherwise (the paper customizes from ~10 images). */
export const DEFAULT_SHOTS = 10;

export function referenceImages(c: Character, k: number): ImageRef[] {
  return [...c.images.train].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).slice(0, k);
}

export function referenceIds(c: Character, k: number): Set<string> {
  return new Set(referenceImages(c, k).map((r) => r.id));
}
