/**
 * World characters kept out of a fit, to measure it on characters it never saw: the tokenizers'
 * codebook (PSNR on unseen images), the image judges and the text judges (held-out scores), and
 * pretraining (validation loss). One seeded draw for all of them: the characters are shuffled by
 * the caller's stream and the first ones are held out. Each caller keeps its own stream and size
 * (a share of the world, or a count), so each split stays the one its committed results used.
 */
import { UserError } from '../util/errors';
import type { Rng } from '../util/rng';

/** How many to hold out: a share of the characters (rounded) or a count; clamped to [atLeast, n - trainAtLeast]. */
export type HeldOutSize = ({ fraction: number } | { count: number }) & {
  /** Hold out at least this many (default 0); fewer characters than atLeast + trainAtLeast is an error. */
  atLeast?: number;
  /** Keep at least this many to train on (default 0). */
  trainAtLeast?: number;
};

/**
 * `characters` split by `rng`'s shuffle: the first ones drawn are held out. Both sides come in draw
 * order. `what` names the characters in the error for too few of them.
 */
export function splitHeldOutCharacters<T>(characters: readonly T[], size: HeldOutSize, rng: Rng, what = 'the world'): { train: T[]; heldOut: T[] } {
  const n = characters.length;
  const atLeast = size.atLeast ?? 0, trainAtLeast = size.trainAtLeast ?? 0;
  const wanted = 'count' in size ? size.count : Math.round(n * size.fraction);
  const k = Math.max(0, Math.min(n - trainAtLeast, Math.max(atLeast, wanted)));
  if (k < atLeast) throw new UserError(`${what} has ${n} characters; need at least ${atLeast + trainAtLeast} (${trainAtLeast} to train on, ${atLeast} held out)`);
  const shuffled = rng.shuffle(characters);
  return { heldOut: shuffled.slice(0, k), train: shuffled.slice(k) };
}
