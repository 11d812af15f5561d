/**
 * Examples (segments) -> token ids with a loss mask, and padded batches for the trainer.
 *
 * Sequence grammar (one vocabulary, BAGEL-style interleaving):
 *   <bos> (<sys>|<user>|<char>) segment... ; a turn of the character ends with <eos>
 *   text segment  -> its text tokens
 *   image segment -> <boi> 64 image codes <eoi>
 * The role token opens a run of segments of one role. A character turn is `<char> text [<boi> … <eoi>] <eos>`:
 * after its text the model itself chooses `<eos>` (no picture) or `<boi>` (draw), as in the paper's
 * reply-then-image factorization. Every token of a `loss` segment, its image markers and the closing
 * `<eos>` are targets; prompts, role tokens and the user's turns never are.
 */
import type { Tokenizers } from '../tokenizers/bundle';
import { imageToModelSize } from '../tokenizers/image-io';
import type { Example, Segment, SegmentRole, Task } from './tasks';
import type { ShardData } from '../parallel/shard';

export interface EncodedExample {
  task: Task;
  character: string;
  ids: Int32Array;
  /** 1 where the token is a training target (predicted from the tokens before it). */
  target: Uint8Array;
}

/** Image code ids (with markers) per image path, so each PNG is read and tokenized once. */
export class ImageCodeCache {
  private readonly codes = new Map<string, Int32Array>();
  constructor(private readonly tok: Tokenizers) {}

  async get(file: string): Promise<Int32Array> {
    let ids = this.codes.get(file);
    if (!ids) {
      ids = this.tok.encodeImage(await imageToModelSize(file));
      this.codes.set(file, ids);
    }
    return ids;
  }
}

function roleToken(tok: Tokenizers, role: SegmentRole): number {
  const v = tok.vocab;
  return role === 'sys' ? v.sys : role === 'user' ? v.user : v.char;
}

export async function encodeExample(ex: Example, tok: Tokenizers, images: ImageCodeCache): Promise<EncodedExample> {
  const ids: number[] = [tok.vocab.bos];
  const target: number[] = [0];
  const push = (xs: ArrayLike<number>, t: boolean) => {
    for (let i = 0; i < xs.length; i++) {
      ids.push(xs[i]);
      target.push(t ? 1 : 0);
    }
  };
  let prev: Segment | null = null;
  for (const seg of ex.segments) {
    if (!prev || prev.role !== seg.role) {
      if (prev?.role === 'char') push([tok.vocab.eos], prev.loss);
      push([roleToken(tok, seg.role)], false);
    }
    push(seg.kind === 'text' ? tok.encodeText(seg.text) : await images.get(seg.image), seg.loss);
    prev = seg;
  }
  if (prev?.role === 'char') push([tok.vocab.eos], prev.loss);
  return { task: ex.task, character: ex.character, ids: Int32Array.from(ids), target: Uint8Array.from(target) };
}

/**
 * A generation prompt: the segments (system, user, ...) encoded as in training, then the `<char>`
 * role token, so the model continues with the character's reply (or, for t2i, its drawing).
 */
export async function encodePrompt(segments: readonly Segment[], tok: Tokenizers, images: ImageCodeCache): Promise<Int32Array> {
  if (segments.some((s) => s.role === 'char')) throw new Error('encodePrompt: a prompt holds no character segments (the model writes those)');
  const enc = await encodeExample({ task: 'roleplay', character: '', segments: [...segments] }, tok, images);
  return Int32Array.from([...enc.ids, tok.vocab.char]);
}

export async function encodeExamples(examples: readonly Example[], tok: Tokenizers, images = new ImageCodeCache(tok)): Promise<EncodedExample[]> {
  const out: EncodedExample[] = [];
  for (const ex of examples) out.push(await encodeExample(ex, tok, images));
  return out;
}

/** A padded batch ([B, T], flat row-major; parallel/shard.ts describes the arrays), each row's task named. */
export type Batch = ShardData<Task>;

/**
 * Pack examples into a batch of length T (the longest example, capped at blockSize). An example
 * longer than blockSize keeps its last blockSize + 1 tokens (the answer side), never its first,
 * less the rest of an image cut at the window's start.
 */
export function makeBatch(examples: readonly EncodedExample[], tok: Tokenizers, blockSize: number): Batch {
  const B = examples.length;
  const T = Math.min(blockSize, Math.max(...examples.map((e) => e.ids.length - 1)));
  const ids = new Int32Array(B * T).fill(tok.vocab.pad);
  const targets = new Int32Array(B * T).fill(tok.vocab.pad);
  const mask = new Float32Array(B * T);
  examples.forEach((e, b) => {
    let start = Math.max(0, e.ids.length - 1 - T);
    // never start inside an image: its codes' grid positions count from the image's first code
    while (start > 0 && tok.vocab.isImageToken(e.ids[start]) && tok.vocab.isImageToken(e.ids[start - 1])) start++;
    for (let t = 0; t < T && start + t + 1 < e.ids.length; t++) {
      ids[b * T + t] = e.ids[start + t];
      targets[b * T + t] = e.ids[start + t + 1];
      mask[b * T + t] = e.target[start + t + 1];
    }
  });
  return { B, T, ids, targets, mask, modality: tok.vocab.modalities(ids), tasks: examples.map((e) => e.task) };
}
