/**
 * How alike images are to the judges: identity cosines (the DINO / CLIP-I stand-ins) and LPIPS
 * distances. The evaluation suite's identity, diversity and copy metrics and Character-GRPO's
 * identity band and diversity rewards all measure through these.
 */
import type { Judges } from '../judges';
import { dot } from '../judges/image/clip';

/** Cosine similarities of every image to every reference: [images][references]. */
export function similarityMatrix(judges: Judges, images: readonly Uint8Array[], references: readonly Uint8Array[], variant: 'dino' | 'clip_i'): number[][] {
  if (!images.length || !references.length) return images.map(() => []);
  const a = judges.identity.embedImages([...images], variant), b = judges.identity.embedImages([...references], variant);
  return a.map((x) => b.map((y) => dot(x, y)));
}

/** LPIPS distance of each drawing to the nearest training image (as the PNG or its reconstruction), or to the nearest of any other set. */
export function nearestTrainingDistances(judges: Judges, drawings: readonly Uint8Array[], training: readonly Uint8Array[]): number[] {
  if (!training.length) return drawings.map(() => Infinity);
  const a: Uint8Array[] = [], b: Uint8Array[] = [];
  for (const d of drawings) for (const t of training) a.push(d), b.push(t);
  const dist = judges.lpips.distances(a, b);
  return drawings.map((_, i) => Math.min(...dist.slice(i * training.length, (i + 1) * training.length)));
}

/** Pairwise LPIPS distances within one group of drawings. */
export function pairwiseDistances(judges: Judges, drawings: readonly Uint8Array[]): number[] {
  const a: Uint8Array[] = [], b: Uint8Array[] = [];
  for (let i = 0; i < drawings.length; i++) for (let j = i + 1; j < drawings.length; j++) a.push(drawings[i]), b.push(drawings[j]);
  return a.length ? judges.lpips.distances(a, b) : [];
}
