/**
 * Constrained generation for the unified model, with a KV cache:
 *   - a reply: text tokens until `<eos>` or `<boi>`; after `<boi>` (when pictures are allowed),
 *     exactly `tokensPerImage` image codes, then `<eoi>`. This is the paper's factorization:
 *     the reply text first, then the image conditioned on the reply and the character.
 *   - an image: `<boi>` is forced, then the codes (text-to-image, GRPO rollouts).
 * Sampling is restricted to the tokens the grammar allows at each step (image codes inside an
 * image, text and the two stop tokens outside), so a drawing always has the fixed grid length.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../util/rng';
import type { Tokenizers } from '../tokenizers/bundle';
import type { Transformer } from './transformer';
import { sampleLogits } from './transformer';

/** What sampling needs of the tokenizers (a worker thread builds just this, without the BPE and codebook). */
export type GenTokens = Pick<Tokenizers, 'vocab' | 'decodeText'> & { image: Pick<Tokenizers['image'], 'tokensPerImage'> };

export interface SampleOptions {
  rng: Rng;
  temperature?: number; // 0: greedy
  topK?: number;
}

/** Tokens allowed next: a [lo, hi) range plus extra ids. */
interface Allowed {
  lo: number;
  hi: number;
  extra: number[];
}

function constrained(row: Float32Array, allowed: Allowed, opts: SampleOptions): number {
  const ids: number[] = [];
  for (let i = allowed.lo; i < allowed.hi; i++) ids.push(i);
  ids.push(...allowed.extra);
  const logits = ids.map((i) => row[i]);
  return ids[sampleLogits(logits, opts)];
}

/** Feed `ids` [B][t] and return each sequence's last-position logits. */
function step(model: Transformer, tok: GenTokens, cache: ReturnType<Transformer['createCache']>, ids: number[][]): Float32Array[] {
  const B = ids.length, t = ids[0].length, V = model.config.vocab_size;
  const logits = tf.tidy(() => {
    const x = tf.tensor2d(ids, [B, t], 'int32');
    const m = tf.tensor2d(ids.map((r) => Array.from(tok.vocab.modalities(r))), [B, t], 'int32');
    const out = model.decodeStep(x, cache, m); // [B, t, V]
    return tf.reshape(tf.slice(out, [0, t - 1, 0], [B, 1, V]), [B, V]);
  });
  const flat = logits.dataSync() as Float32Array;
  logits.dispose();
  return Array.from({ length: B }, (_, b) => flat.subarray(b * V, (b + 1) * V));
}

export interface GeneratedReply {
  /** New tokens after the prompt. */
  ids: number[];
  text: string;
  /** The drawn image's codes (without markers), or null when the reply has no picture. */
  imageCodes: Int32Array | null;
}

/**
 * Sample B continuations of one prompt (which must end with the `<char>` role token): B rows of the
 * same prompt share one batched decode. `allowImage: false` keeps the reply text-only.
 */
export function generateReplies(
  model: Transformer,
  tok: GenTokens,
  prompt: ArrayLike<number>,
  n: number,
  opts: SampleOptions & { maxTextTokens?: number; allowImage?: boolean; forceImage?: boolean },
): GeneratedReply[] {
  const v = tok.vocab;
  const span = tok.image.tokensPerImage;
  const maxText = opts.forceImage ? 0 : opts.maxTextTokens ?? 64;
  const budget = model.config.block_size - prompt.length;
  if (budget < (opts.forceImage ? span + 2 : 2)) throw new Error(`generate: prompt of ${prompt.length} tokens leaves no room in block_size ${model.config.block_size}`);
  const rows = Array.from({ length: n }, () => ({ ids: [] as number[], phase: (opts.forceImage ? 'image' : 'text') as 'text' | 'image' | 'done', codes: [] as number[] }));
  const cache = model.createCache(n);
  try {
    let feed = Array.from({ length: n }, () => Array.from(prompt));
    if (opts.forceImage) feed = feed.map((f) => [...f, v.boi]);
    if (opts.forceImage) rows.forEach((r) => r.ids.push(v.boi));
    const textAllowed: Allowed = { lo: v.textOffset, hi: v.imageOffset, extra: opts.allowImage === false ? [v.eos] : [v.eos, v.boi] };
    const imageAllowed: Allowed = { lo: v.imageOffset, hi: v.size, extra: [] };
    while (rows.some((r) => r.phase !== 'done') && cache.length + feed[0].length <= model.config.block_size) {
      const last = step(model, tok, cache, feed);
      feed = rows.map((r, b) => {
        if (r.phase === 'done') return [v.pad]; // keeps the batch rectangular; its output is ignored
        const textLen = r.ids.filter((id) => v.isTextToken(id)).length;
        let next: number;
        if (r.phase === 'image') {
          next = constrained(last[b], imageAllowed, opts);
          r.codes.push(next - v.imageOffset);
          if (r.codes.length === span) r.phase = 'done';
        } else {
          next = textLen >= maxText ? v.eos : constrained(last[b], textAllowed, opts);
          if (next === v.eos) r.phase = 'done';
          if (next === v.boi) r.phase = 'image';
        }
        r.ids.push(next);
        if (r.phase === 'done' && r.codes.length === span) r.ids.push(v.eoi);
        return [next];
      });
      // stop early when the cache cannot hold the rest of an image
      if (rows.some((r) => r.phase === 'image') && cache.length + 1 > model.config.block_size) break;
    }
  } finally {
    model.disposeCache(cache);
  }
  return rows.map((r) => ({
    ids: r.ids,
    text: tok.decodeText(r.ids),
    imageCodes: r.codes.length === span ? Int32Array.from(r.codes) : null,
  }));
}

/** Draw n images for a prompt ending in `<char>`: `<boi>` is forced, then the image codes. */
export function generateImages(model: Transformer, tok: GenTokens, prompt: ArrayLike<number>, n: number, opts: SampleOptions): Int32Array[] {
  return generateReplies(model, tok, prompt, n, { ...opts, forceImage: true }).map((r) => {
    if (!r.imageCodes) throw new Error('generateImages: the prompt left no room for a whole image within block_size');
    return r.imageCodes;
  });
}

/**
 * How many draws `generateImages(model, tok, prompt, n, opts)` takes from `opts.rng`: one per sampled
 * code (sampleLogits draws once, unless greedy: none), and every drawing has exactly tokensPerImage
 * codes. Fixed, so several prompts' drawings from one stream can be drawn apart (each from its
 * position in the stream, `Rng.seedAhead`) with the same numbers.
 */
export function imageDraws(tok: GenTokens, n: number, opts: Pick<SampleOptions, 'temperature'>): number {
  return (opts.temperature ?? 1) === 0 ? 0 : n * tok.image.tokensPerImage;
}
