/**
 * The K reference images of few-shot customization: the character's first K training images in
 * id order (numeric ids sort as numbers). SFT trains on exactly these; evaluation measures identity
 * against exactly these, and copy rate against them.
 */
import type { Character, ImageRef } from '../data/rolescape/types';

export function referenceImages(c: Character, k: number): ImageRef[] {
  return [...c.images.train].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true })).slice(0, k);
}

export function referenceIds(c: Character, k: number): Set<string> {
  return new Set(referenceImages(c, k).map((r) => r.id));
}
