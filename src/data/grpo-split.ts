/**
 * The GRPO prompt file of a character (`*_pure_t2i_with_vqa.jsonl`) is split once, by a seeded
 * draw, into prompts Character-GRPO trains on and prompts the evaluation suite draws (held out
 * from every stage). Both sides call this function, so they can never overlap.
 */
import { Rng } from '../util/rng';

export const GRPO_EVAL_SHARE = 0.25;

export function splitGrpoPrompts<T extends { sceneId: string }>(prompts: readonly T[], opts: { evalShare?: number; seed?: number } = {}): { train: T[]; eval: T[] } {
  const share = opts.evalShare ?? GRPO_EVAL_SHARE;
  const sorted = [...prompts].sort((a, b) => a.sceneId.localeCompare(b.sceneId, 'en', { numeric: true }));
  const n = sorted.length < 2 ? 0 : Math.max(1, Math.round(sorted.length * share));
  const evalIds = new Set(new Rng((opts.seed ?? 0) + 4_099).sample(sorted.map((p) => p.sceneId), n));
  return { train: sorted.filter((p) => !evalIds.has(p.sceneId)), eval: sorted.filter((p) => evalIds.has(p.sceneId)) };
}
