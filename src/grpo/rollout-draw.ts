/**
 * One GRPO group's drawings, as a unit any thread can compute: the encoded prompt, G, and the
 * group's own random seed (forked per group from the step's stream, never per thread), so the same
 * step draws the same rollouts whichever thread, and however many threads, draw its groups.
 */
import type { Transformer } from '../model/transformer';
import { generateImages, generateReplies, type GenTokens } from '../model/generate';
import { Rng } from '../util/rng';

/** A group to draw (plain data: it crosses to worker threads). */
export interface GroupDraw {
  prompt: Int32Array; // ends with <char>
  n: number; // G
  seed: number; // the group's stream: Rng.forkSeed of the step's sampling stream (GRPO), or Rng.seedAhead of one stream drawn in parts (the eval suite)
  temperature: number;
  topK: number; // 0: every allowed token
  /** Role-play: the reply text (at most this many tokens) before the picture; absent: the picture only. */
  maxTextTokens?: number;
}

/** One drawing: the reply's text tokens (role-play), the image codes, and whether the model chose to draw. */
export interface Drawn {
  textIds: number[];
  codes: Int32Array;
  chose: boolean;
}

export function drawGroup(model: Transformer, tok: GenTokens, g: GroupDraw): Drawn[] {
  const opts = { rng: new Rng(g.seed), temperature: g.temperature, topK: g.topK || undefined };
  if (g.maxTextTokens === undefined) return generateImages(model, tok, g.prompt, g.n, opts).map((codes) => ({ textIds: [], codes, chose: true }));
  const replies = generateReplies(model, tok, g.prompt, g.n, { ...opts, maxTextTokens: g.maxTextTokens, allowImage: true });
  return replies.map((r) => {
    const textIds = r.ids.filter((id) => tok.vocab.isTextToken(id));
    // a reply that ended without a picture gets one drawn after its text, in the same context
    const codes = r.imageCodes ?? generateImages(model, tok, Int32Array.from([...g.prompt, ...textIds]), 1, opts)[0];
    return { textIds, codes, chose: r.imageCodes !== null };
  });
}

/** Draws a step's groups, in order (locally, or split across worker threads). */
export type DrawGroups = (groups: GroupDraw[]) => Promise<Drawn[][]>;

export function drawLocally(model: Transformer, tok: GenTokens): DrawGroups {
  return async (groups) => groups.map((g) => drawGroup(model, tok, g));
}
