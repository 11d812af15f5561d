/**
 * The GRPO prompt file of a character (`*_pure_t2i_with_vqa.jsonl`) is split once, by a seeded
 * draw, into prompts Character-GRPO trains on and prompts the evaluation suite draws (held out
 * from every stage). Both sides call this function, so they can never overlap. The draw is over
 * distinct prompt texts, not scene ids: real files repeat a text under two ids, and both copies
 * must land on the same side.
 */
import { Rng } from '../util/rng';

export const GRPO_EVAL_SHARE = 0.25;

const key = (text: string): string => text.trim().toLowerCase().replace(/\s+/g, ' ');

export function splitGrpoPrompts<T extends { sceneId: string; text: string }>(prompts: readonly T[], opts: { evalShare?: number; seed?: number } = {}): { train: T[]; eval: T[] } {
  const share = opts.evalShare ?? GRPO_EVAL_SHARE;
  const sorted = [...prompts].sort((a, b) => a.sceneId.localeCompare(b.sceneId, 'en', { numeric: true }));
  const texts = [...new Set(sorted.map((p) => key(p.text)))];
  const n = texts.length < 2 ? 0 : Math.max(1, Math.round(texts.length * share));
  const evalTexts = new Set(new Rng((opts.seed ?? 0) + 4_099).sample(texts, n));
  return { train: sorted.filter((p) => !evalTexts.has(key(p.text))), eval: sorted.filter((p) => evalTexts.has(key(p.text))) };
}
