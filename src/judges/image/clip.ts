/**
 * CLIP-T's stand-in: a contrastive dual encoder trained with symmetric InfoNCE on the world's
 * (image, prompt) pairs: stored images with their t2i instructions, ground-truth renders of the
 * GRPO prompts with the prompt text. `clipScore(image, text)` is the cosine of the two embeddings
 * (CLIP-T as the paper reports it, without the x100).
 *
 *   image: the shared mixer encoder → pooled → linear → embed_dim, L2-normalised
 *   text:  judge-owned word vocabulary → embeddings → a width-`window` word convolution (each
 *          word with its neighbours, so "green eyes" and "green uniform" differ) → ReLU → masked
 *          mean over the words → linear → embed_dim, L2-normalised
 *   logits = exp(logit_scale) * img @ txt^T, logit_scale learned (CLIP's init, clamped at ln 100)
 *
 * Departure from CLIP: 64-d embeddings from scratch on one synthetic world instead of a
 * web-scale pretrained ViT/Transformer pair; names are out of vocabulary (see text.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import * as ops from '../../model/ops';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { EncoderConfigSchema, ImageEncoder, Params } from '../core/encoder';
import { ImageInput, toBatch, gatherBatch } from '../core/images';
import { Tokenizer } from './clip-text';
import { JudgeFile, assignParams, readJudge, saveJudge } from '../core/checkpoint';
import { Batcher, FitConfig, FitConfigSchema, FitResult, fit } from '../core/fit';
import { Summary, summary } from '../../util/stats';
import type { ImageSet } from '../core/data';
import { parseConfig } from '../../util/config-file';

export const ClipConfigSchema = z
  .object({
    encoder: EncoderConfigSchema.default({}), // image tower
    embed_dim: z.number().int().positive().default(64), // shared embedding width
    word_dim: z.number().int().positive().default(64), // word embedding width
    window: z.number().int().positive().default(5), // words seen by each text feature (odd)
    text_hidden: z.number().int().positive().default(192), // text features per position
    max_len: z.number().int().positive().default(48), // words per prompt (longer ones are cut; batches are padded to their longest)
  })
  .strict()
  .refine((c) => c.window % 2 === 1, { message: 'window must be odd', path: ['window'] });
export type ClipConfig = z.infer<typeof ClipConfigSchema>;

export const CLIP_TRAIN_DEFAULTS: FitConfig = FitConfigSchema.parse({ steps: 400, batch_size: 64, lr: 2e-3, warmup: 40 });

const MAX_LOGIT_SCALE = Math.log(100);

const l2normalize = (x: tf.Tensor): tf.Tensor => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), -1, true), 1e-8)));

export class ClipJudge {
  readonly config: ClipConfig;
  readonly params: Params;
  readonly encoder: ImageEncoder;
  readonly tokenizer: Tokenizer;

  constructor(readonly vocab: readonly string[], config: z.input<typeof ClipConfigSchema> = {}, seed = 0) {
    this.config = ClipConfigSchema.parse(config);
    const c = this.config;
    this.tokenizer = new Tokenizer(vocab, c.max_len);
    this.params = new Params(new Rng(seed).fork('clip-init'));
    this.encoder = new ImageEncoder(this.params, 'enc', c.encoder);
    const P = this.params, D = this.encoder.pooledDim, W = c.window * c.word_dim;
    P.normal('img.proj.weight', [D, c.embed_dim], 1 / Math.sqrt(D));
    P.normal('txt.wte', [vocab.length, c.word_dim], 0.5);
    P.normal('txt.conv.weight', [W, c.text_hidden], 1 / Math.sqrt(W));
    P.constant('txt.conv.bias', [c.text_hidden], 0);
    P.normal('txt.proj.weight', [c.text_hidden, c.embed_dim], 1 / Math.sqrt(c.text_hidden));
    P.constant('logit_scale', [1], Math.log(1 / 0.07));
  }

  /** x [B, 32, 32, 3] → unit embeddings [B, embed_dim]. */
  imageEmbed(x: tf.Tensor4D): tf.Tensor2D {
    return l2normalize(ops.linear(this.encoder.forward(x).pooled, this.params.w('img.proj.weight'))) as tf.Tensor2D;
  }

  /** Token ids/mask (row-major [B, L], from `tokenizer.batch`) → unit embeddings [B, embed_dim]. */
  textEmbed(ids: Int32Array, mask: Float32Array, B: number): tf.Tensor2D {
    const c = this.config, L = ids.length / B, half = (c.window - 1) / 2;
    // neighbour ids per offset, built on the host: word t sees words t-half..t+half (PAD outside)
    const shifted: tf.Tensor[] = [];
    for (let o = -half; o <= half; o++) {
      const s = new Int32Array(B * L);
      for (let b = 0; b < B; b++) for (let t = 0; t < L; t++) {
        const u = t + o;
        s[b * L + t] = u >= 0 && u < L ? ids[b * L + u] : 0;
      }
      shifted.push(ops.embedding(tf.tensor2d(s, [B, L], 'int32'), this.params.w('txt.wte'))); // [B, L, word_dim]
    }
    const h = ops.relu(ops.linear(tf.concat(shifted, 2), this.params.w('txt.conv.weight'), this.params.b('txt.conv.bias'))); // [B, L, H]
    const m = tf.tensor3d(mask, [B, L, 1]);
    const pooled = tf.div(tf.sum(tf.mul(h, m), 1), tf.maximum(tf.sum(m, 1), 1)); // [B, H]
    return l2normalize(ops.linear(pooled, this.params.w('txt.proj.weight'))) as tf.Tensor2D;
  }

  /** Symmetric InfoNCE over a batch of matching (image, text) pairs. */
  loss(x: tf.Tensor4D, texts: readonly string[]): tf.Scalar {
    const B = x.shape[0];
    const { ids, mask } = this.tokenizer.batch(texts);
    const img = this.imageEmbed(x);
    const txt = this.textEmbed(ids, mask, B);
    const scale = tf.exp(tf.minimum(this.params.get('logit_scale'), MAX_LOGIT_SCALE));
    const logits = tf.mul(ops.linear(img, txt, undefined, { transposeW: true }), scale) as tf.Tensor2D; // [B, B]: image i vs text j
    const target = tf.range(0, B, 1, 'int32');
    return tf.mul(tf.add(ops.maskedCrossEntropy(logits, target), ops.maskedCrossEntropy(tf.transpose(logits), target)), 0.5) as tf.Scalar;
  }

  /** Unit image embeddings, one row per image. */
  embedImages(images: ImageInput | readonly ImageInput[]): Float32Array[] {
    return rows(tf.tidy(() => this.imageEmbed(toBatch(images))));
  }

  /** Unit text embeddings, one row per text. */
  embedTexts(texts: readonly string[]): Float32Array[] {
    if (texts.length === 0) return [];
    const { ids, mask } = this.tokenizer.batch(texts);
    return rows(tf.tidy(() => this.textEmbed(ids, mask, texts.length)));
  }

  /** CLIP-T: cosine between an image and a prompt. */
  clipScore(image: ImageInput, text: string): number {
    return this.clipScores([image], [text])[0];
  }

  /** Cosine of image i with text i. */
  clipScores(images: readonly ImageInput[], texts: readonly string[]): number[] {
    if (images.length !== texts.length) throw new Error(`clipScores: ${images.length} images but ${texts.length} texts`);
    if (!images.length) return [];
    const a = this.embedImages(images), b = this.embedTexts(texts);
    return a.map((v, i) => dot(v, b[i]));
  }

  async save(dir: string, training: Record<string, unknown> = {}): Promise<void> {
    await saveJudge(dir, 'clip', this.config, { vocab: this.vocab }, this.params, training);
  }

  static load(dir: string): ClipJudge {
    const { file, tensors, where } = readJudge(dir, 'clip');
    const config = parseConfig(ClipConfigSchema, file.config, where, { under: 'config' });
    const vocab = (file as JudgeFile<unknown, { vocab?: string[] }>).extra?.vocab;
    if (!Array.isArray(vocab) || vocab.length < 2) throw new UserError(`${where}: extra.vocab: missing word vocabulary`);
    const j = new ClipJudge(vocab, config);
    assignParams(j.params, tensors, where);
    return j;
  }

  dispose(): void {
    this.params.dispose();
  }
}

function rows(t: tf.Tensor2D): Float32Array[] {
  const d = t.dataSync() as Float32Array;
  const [n, w] = t.shape;
  t.dispose();
  return Array.from({ length: n }, (_, i) => d.slice(i * w, (i + 1) * w));
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function trainClip(set: ImageSet, vocab: readonly string[], opts: { config?: z.input<typeof ClipConfigSchema>; fit?: Partial<FitConfig>; seed: number; log?: (l: string) => void }): { judge: ClipJudge; result: FitResult; fit: FitConfig } {
  const fc = FitConfigSchema.parse({ ...CLIP_TRAIN_DEFAULTS, ...opts.fit });
  const judge = new ClipJudge(vocab, opts.config, opts.seed);
  const batcher = new Batcher(set.size, new Rng(opts.seed).fork('clip-batches'));
  const result = fit('clip', fc, judge.params.list(), () => {
    const idx = batcher.next(Math.min(fc.batch_size, set.size));
    return judge.loss(gatherBatch(set.pixels, idx), idx.map((i) => set.meta[i].text));
  }, { log: opts.log });
  return { judge, result, fit: fc };
}

export interface ClipEval {
  /** Image → text retrieval among all the set's prompts: share whose own prompt ranks first. */
  top1: number;
  /** Same, among random batches of `batch` pairs (CLIP's in-batch view). */
  top1Batch: number;
  batch: number;
  chance: number;
  n: number;
  matched: Summary;
  /** Another prompt of the same character (same look, other scene/prop/mood). */
  mismatchedSameCharacter: Summary;
  /** A prompt of another character. */
  mismatchedOther: Summary;
  /** Share of images scoring their own prompt above the same-character mismatch (above the other-character one). */
  matchedWinsSameCharacter: number;
  matchedWinsOther: number;
}

/**
 * Retrieval and matched/mismatched score distributions on a set of (image, prompt) pairs.
 * A retrieved prompt counts as the image's own when `equivalent` says so (default: the same text);
 * GRPO prompts name only the scene, prop and mood besides the character, whose name the judge
 * cannot know, so two characters' prompts with the same labels are the same description.
 */
export function evaluateClip(judge: ClipJudge, set: ImageSet, seed: number, opts: { batch?: number; equivalent?: (a: ImageSet['meta'][number], b: ImageSet['meta'][number]) => boolean } = {}): ClipEval {
  const batch = opts.batch ?? 32;
  const n = set.size;
  const texts = set.meta.map((m) => m.text);
  const img: Float32Array[] = [];
  for (let s = 0; s < n; s += 256) {
    const idx = Array.from({ length: Math.min(256, n - s) }, (_, k) => s + k);
    img.push(...rows(tf.tidy(() => judge.imageEmbed(gatherBatch(set.pixels, idx)))));
  }
  const txt: Float32Array[] = [];
  for (let s = 0; s < n; s += 256) txt.push(...judge.embedTexts(texts.slice(s, s + 256)));
  const same = (i: number, j: number) => texts[i] === texts[j] || (opts.equivalent?.(set.meta[i], set.meta[j]) ?? false);
  let top1 = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let j = 1; j < n; j++) if (dot(img[i], txt[j]) > dot(img[i], txt[best])) best = j;
    if (same(i, best)) top1++;
  }
  const rng = new Rng(seed).fork('clip-eval');
  const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  let top1b = 0;
  for (let s = 0; s < n; s += batch) {
    const grp = order.slice(s, s + batch);
    for (const i of grp) {
      let best = grp[0];
      for (const j of grp) if (dot(img[i], txt[j]) > dot(img[i], txt[best])) best = j;
      if (same(i, best)) top1b++;
    }
  }
  const byChar = set.byCharacter();
  const matched: number[] = [], mSame: number[] = [], mOther: number[] = [];
  let winsSame = 0, nSame = 0, winsOther = 0;
  for (let i = 0; i < n; i++) {
    const own = dot(img[i], txt[i]);
    matched.push(own);
    const mates = (byChar.get(set.meta[i].character) ?? []).filter((j) => !same(i, j));
    if (mates.length) {
      const v = dot(img[i], txt[rng.pick(mates)]);
      mSame.push(v);
      nSame++;
      if (own > v) winsSame++;
    }
    let j = rng.int(0, n - 1);
    for (let t = 0; t < 50 && set.meta[j].character === set.meta[i].character; t++) j = rng.int(0, n - 1);
    const v = dot(img[i], txt[j]);
    mOther.push(v);
    if (own > v) winsOther++;
  }
  return {
    top1: top1 / n,
    top1Batch: top1b / n,
    batch,
    chance: 1 / n,
    n,
    matched: summary(matched),
    mismatchedSameCharacter: summary(mSame),
    mismatchedOther: summary(mOther),
    matchedWinsSameCharacter: nSame ? winsSame / nSame : NaN,
    matchedWinsOther: winsOther / n,
  };
}
