/**
 * Rollouts for Character-GRPO: G drawings per prompt from the current policy (one batched,
 * KV-cached decode per prompt), decoded to pixels for the judges, and packed as training sequences
 * `prompt <boi> codes <eoi>` whose image codes are the only targets.
 */
import type { Character, GrpoPrompt } from '../data/rolescape/types';
import type { Transformer } from '../model/transformer';
import type { Tokenizers } from '../tokenizers/bundle';
import { generateImages } from '../model/generate';
import { Rng } from '../util/rng';
import { encodePrompt, EncodedExample, ImageCodeCache } from './encode';
import type { Segment } from './tasks';

export interface Rollouts {
  prompts: GrpoPrompt[]; // one per rollout
  groups: number[]; // group id per rollout (index of its prompt in this step)
  codes: Int32Array[]; // image codes per rollout
  images: Uint8Array[]; // 32x32 RGB per rollout
  sequences: EncodedExample[]; // training sequences, targets on the image codes only
}

/** The prompt a drawing answers: the policy's context for the character, then the prompt as the user's turn. */
export async function grpoPromptIds(tok: Tokenizers, context: readonly Segment[], prompt: GrpoPrompt, cache: ImageCodeCache): Promise<Int32Array> {
  return encodePrompt([...context, { role: 'user', kind: 'text', text: prompt.text, loss: false }], tok, cache);
}

export async function sampleRollouts(
  model: Transformer,
  tok: Tokenizers,
  c: Character,
  context: readonly Segment[],
  prompts: readonly GrpoPrompt[],
  groupSize: number,
  opts: { rng: Rng; temperature: number; topK?: number; cache?: ImageCodeCache },
): Promise<Rollouts> {
  const cache = opts.cache ?? new ImageCodeCache(tok);
  const out: Rollouts = { prompts: [], groups: [], codes: [], images: [], sequences: [] };
  for (const [g, p] of prompts.entries()) {
    const promptIds = await grpoPromptIds(tok, context, p, cache);
    const drawn = generateImages(model, tok, promptIds, groupSize, { rng: opts.rng, temperature: opts.temperature, topK: opts.topK || undefined });
    for (const codes of drawn) {
      const ids = Int32Array.from([...promptIds, tok.vocab.boi, ...Array.from(codes, (k) => k + tok.vocab.imageOffset), tok.vocab.eoi]);
      const target = new Uint8Array(ids.length);
      target.fill(1, promptIds.length + 1, promptIds.length + 1 + codes.length);
      out.prompts.push(p);
      out.groups.push(g);
      out.codes.push(codes);
      out.images.push(tok.image.decode(codes));
      out.sequences.push({ task: 't2i', character: c.id, ids, target });
    }
  }
  return out;
}
