/**
 * Checks shared by the components: a batch's arrays line up, and which rollouts carry reply text.
 */
import { UserError } from '../util/errors';
import { PIXELS } from '../judges/core/images';
import type { RewardBatch } from './types';

/** Throws unless images, prompts, groups (and texts, when given) have one entry per rollout. */
export function checkBatch(batch: RewardBatch): number {
  const n = batch.images.length;
  const lens: Array<[string, number]> = [['prompts', batch.prompts.length], ['groups', batch.groups.length]];
  if (batch.texts) lens.push(['texts', batch.texts.length]);
  for (const [name, len] of lens) if (len !== n) throw new UserError(`reward batch: ${n} images but ${len} ${name}`);
  batch.images.forEach((im, i) => {
    if (im.length !== PIXELS) throw new UserError(`reward batch: image ${i} has ${im.length} values, expected ${PIXELS} (32x32 RGB)`);
  });
  return n;
}

/** Indices of the rollouts with a non-empty reply text (none for plain text-to-image batches). */
export function withText(batch: RewardBatch): number[] {
  const t = batch.texts;
  return t ? t.map((s, i) => (typeof s === 'string' && s.trim() ? i : -1)).filter((i) => i >= 0) : [];
}

/** Rollout indices per group id, in first-seen order. */
export function groupMembers(groups: readonly number[]): Map<number, number[]> {
  const m = new Map<number, number[]>();
  groups.forEach((g, i) => {
    const list = m.get(g);
    if (list) list.push(i);
    else m.set(g, [i]);
  });
  return m;
}
