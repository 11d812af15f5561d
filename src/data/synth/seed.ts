/**
 * Named random streams: `rngFor(seed, 'Pip', 'dialogue')` is the same stream whatever else
 * was generated before it, so adding a file type never reshuffles the existing ones.
 */
import { Rng } from '../../util/rng';

/** FNV-1a over the labels, mixed with the seed. */
export function rngFor(seed: number, ...labels: string[]): Rng {
  let h = 2166136261 ^ (seed >>> 0);
  for (const label of labels) {
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619);
    h = Math.imul(h ^ 0x2f, 16777619);
  }
  return new Rng(h >>> 0);
}
