/**
 * BLIP-VQA's stand-in: an attribute classifier (the shared mixer encoder + one softmax head per
 * labelled attribute) that answers the world's VQA questions through `question.ts`.
 *
 * Departures from UniCharacter's scorer (flow_grpo/vqa_scorer.py): BLIP generates a free answer
 * that must equal the expected one; here a question is parsed to (attribute, value(s), negation)
 * and answered from the attribute probabilities: yes/no by P(attribute = value) > 0.5 (flipped
 * for "not"), multiple choice by the argmax over the choices. The score is the same weighted
 * share of questions answered as expected; questions the parser cannot map (outside the world's
 * closed label space) are left out of the weights and counted, instead of counting as wrong.
 *
 * Eye colour is masked out of the loss on sleepy images (closed eyes, nothing to see).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import * as ops from '../../model/ops';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { ATTRIBUTES, Attribute, HEADS, Head, LabelSpace, headLayout, kindOfBody, observable, Labels } from '../core/attributes';
import { EncoderConfigSchema, ImageEncoder, Params } from '../core/encoder';
import { ImageInput, toBatch, gatherBatch, mapPool, renderImage32 } from '../core/images';
import type { Identity } from '../../data/synth';
import { ParsedQuestion, VqaQuestionInput, parseQuestion, phraseOf } from './question';
import { JudgeFile, assignParams, readJudge, saveJudge } from '../core/checkpoint';
import { Batcher, FitConfig, FitConfigSchema, FitResult, fit } from '../core/fit';
import type { ImageSet } from '../core/data';
import { parseConfig } from '../../util/config-file';

export const VqaConfigSchema = z
  .object({
    encoder: EncoderConfigSchema.default({}), // image encoder shape
    head_hidden: z.number().int().nonnegative().default(256), // hidden width of the shared head MLP (0: linear heads on the pooled features)
    loss_weights: z.record(z.enum(HEADS), z.number().nonnegative()).default({ hairStyle: 2, body: 2 }), // per-head loss weight (others 1): hair style and species are a few pixels each
  })
  .strict();
export type VqaConfig = z.infer<typeof VqaConfigSchema>;

export const VQA_TRAIN_DEFAULTS: FitConfig = FitConfigSchema.parse({ steps: 1000, batch_size: 64, lr: 3e-3, warmup: 40 });

/** Per image: a probability vector per attribute (kind derived from body). */
export type AttributeProbs = Record<Attribute, Float32Array>;

export interface Answer {
  answer: string;
  confidence: number;
}

export interface QuestionResult {
  question: string;
  expected: string;
  predicted: string | null;
  weight: number;
  correct: boolean | null;
}

export interface VqaScore {
  /** Weighted share of applicable questions answered as expected; null when none applies. */
  score: number | null;
  answered: number;
  /** Questions left out: unparseable, or without a question or expected answer. */
  skipped: number;
  totalWeight: number;
  details: QuestionResult[];
}

export class VqaJudge {
  readonly config: VqaConfig;
  readonly params: Params;
  readonly encoder: ImageEncoder;
  private readonly layout: ReturnType<typeof headLayout>;

  constructor(readonly space: LabelSpace, config: z.input<typeof VqaConfigSchema> = {}, seed = 0) {
    this.config = VqaConfigSchema.parse(config);
    this.params = new Params(new Rng(seed).fork('vqa-init'));
    this.encoder = new ImageEncoder(this.params, 'enc', this.config.encoder);
    this.layout = headLayout(space);
    const D = this.encoder.pooledDim, H = this.config.head_hidden;
    const into = H > 0 ? H : D;
    if (H > 0) {
      this.params.normal('head.fc.weight', [D, H], 1 / Math.sqrt(D));
      this.params.constant('head.fc.bias', [H], 0);
    }
    this.params.normal('head.out.weight', [into, this.layout.total], 0.5 / Math.sqrt(into));
    this.params.constant('head.out.bias', [this.layout.total], 0);
  }

  /** Concatenated logits of every head: x [B, 32, 32, 3] → [B, sum of classes]. */
  logits(x: tf.Tensor4D): tf.Tensor2D {
    const p = this.params;
    let h: tf.Tensor = this.encoder.forward(x).pooled;
    if (this.config.head_hidden > 0) h = ops.relu(ops.linear(h, p.w('head.fc.weight'), p.b('head.fc.bias')));
    return ops.linear(h, p.w('head.out.weight'), p.b('head.out.bias')) as tf.Tensor2D;
  }

  /** Sum over heads of the mean cross-entropy: targets [heads][B] class ids, masks [heads][B] 0/1. */
  loss(x: tf.Tensor4D, targets: Int32Array[], masks: Float32Array[]): tf.Scalar {
    const z = this.logits(x);
    const B = x.shape[0];
    const parts = HEADS.map((_, k) => {
      const lk = tf.slice(z, [0, this.layout.offsets[k]], [B, this.layout.sizes[k]]);
      const ce = ops.maskedCrossEntropy(lk, tf.tensor1d(targets[k], 'int32'), tf.tensor1d(masks[k]));
      const w = this.config.loss_weights[HEADS[k]] ?? 1;
      return w === 1 ? ce : tf.mul(ce, w);
    });
    return tf.addN(parts) as tf.Scalar;
  }

  /** Attribute probabilities for each image. */
  probs(images: ImageInput | readonly ImageInput[]): AttributeProbs[] {
    const flat = tf.tidy(() => {
      const z = this.logits(toBatch(images));
      const B = z.shape[0];
      return tf.concat(HEADS.map((_, k) => tf.softmax(tf.slice(z, [0, this.layout.offsets[k]], [B, this.layout.sizes[k]]))), 1);
    });
    const data = flat.dataSync() as Float32Array;
    const [B, W] = flat.shape;
    flat.dispose();
    const out: AttributeProbs[] = [];
    for (let b = 0; b < B; b++) {
      const row = data.subarray(b * W, (b + 1) * W);
      const r = {} as AttributeProbs;
      HEADS.forEach((h, k) => (r[h] = row.slice(this.layout.offsets[k], this.layout.offsets[k] + this.layout.sizes[k])));
      r.kind = kindProbs(this.space.body, r.body);
      out.push(r);
    }
    return out;
  }

  /** Most likely value per attribute. */
  predict(images: ImageInput | readonly ImageInput[]): Labels[] {
    return this.probs(images).map((p) => {
      const l = {} as Labels;
      for (const a of ATTRIBUTES) l[a] = this.values(a)[argmax(p[a])];
      return l;
    });
  }

  /** Class names of an attribute. */
  values(a: Attribute): readonly string[] {
    return a === 'kind' ? KINDS : this.space[a as Head];
  }

  /** Answer one question about one image; null when the question does not apply. */
  answerQuestion(image: ImageInput, question: string | VqaQuestionInput): Answer | null {
    const parsed = parseQuestion(question);
    return parsed ? this.answerParsed(this.probs(image)[0], parsed) : null;
  }

  /** Answer a parsed question from precomputed probabilities (scorers batch the forward pass). */
  answerParsed(p: AttributeProbs, q: ParsedQuestion): Answer | null {
    const vals = this.values(q.attribute);
    const probs = p[q.attribute];
    if (q.form === 'yes_no') {
      const i = vals.indexOf(q.value!);
      if (i < 0) return null;
      const pTrue = q.negated ? 1 - probs[i] : probs[i];
      return pTrue > 0.5 ? { answer: 'yes', confidence: pTrue } : { answer: 'no', confidence: 1 - pTrue };
    }
    if (q.form === 'choice') {
      const idx = q.choices!.map((c) => vals.indexOf(c.value));
      if (idx.some((i) => i < 0)) return null;
      const ps = idx.map((i) => probs[i]);
      const best = argmax(ps);
      const sum = ps.reduce((a, b) => a + b, 0);
      return { answer: q.choices![best].text, confidence: sum > 0 ? ps[best] / sum : 1 / ps.length };
    }
    const best = argmax(probs);
    return { answer: phraseOf(q.attribute, vals[best], q.phrase), confidence: probs[best] };
  }

  /**
   * The weighted VQA score of one image, as flow_grpo's scorer computes it: sum of the weights of
   * the questions answered as expected (case-insensitive) over the sum of weights, here over the
   * applicable questions only (the others are counted in `skipped`).
   */
  scoreVqa(image: ImageInput, questions: readonly VqaQuestionInput[]): VqaScore {
    return this.scoreVqaBatch([image], [questions])[0];
  }

  /** `scoreVqa` over many images in one forward pass. */
  scoreVqaBatch(images: readonly ImageInput[], questions: ReadonlyArray<readonly VqaQuestionInput[]>): VqaScore[] {
    if (images.length !== questions.length) throw new Error(`scoreVqaBatch: ${images.length} images but ${questions.length} question lists`);
    const probs = images.length ? this.probs(images) : [];
    return probs.map((p, i) => scoreWith(questions[i], (q) => this.answerParsed(p, q)));
  }

  async save(dir: string, training: Record<string, unknown> = {}): Promise<void> {
    await saveJudge(dir, 'vqa', this.config, { labelSpace: this.space }, this.params, training);
  }

  static load(dir: string): VqaJudge {
    const { file, tensors, where } = readJudge(dir, 'vqa');
    const config = parseConfig(VqaConfigSchema, file.config, where, { under: 'config' });
    const space = (file as JudgeFile<unknown, { labelSpace?: LabelSpace }>).extra?.labelSpace;
    if (!space || HEADS.some((h) => !Array.isArray(space[h]))) throw new UserError(`${where}: extra.labelSpace: missing or incomplete`);
    const j = new VqaJudge(space, config);
    assignParams(j.params, tensors, where);
    return j;
  }

  dispose(): void {
    this.params.dispose();
  }
}

const KINDS = ['human', 'anime', 'animal'] as const;

function kindProbs(bodies: readonly string[], p: Float32Array): Float32Array {
  const out = new Float32Array(KINDS.length);
  bodies.forEach((b, i) => (out[KINDS.indexOf(kindOfBody(b))] += p[i]));
  return out;
}

export function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

/** The official scorer's weighted share, with an answer function (null = not applicable). */
export function scoreWith(questions: readonly VqaQuestionInput[], answer: (q: ParsedQuestion) => Answer | null): VqaScore {
  const details: QuestionResult[] = [];
  let got = 0, total = 0, skipped = 0, answered = 0;
  for (const q of questions) {
    const expected = q.answer === undefined || q.answer === null ? '' : String(q.answer);
    const weight = q.weight ?? 1;
    const parsed = q.question && expected ? parseQuestion(q) : null;
    const a = parsed ? answer(parsed) : null;
    if (!a) {
      skipped++;
      details.push({ question: q.question, expected, predicted: null, weight, correct: null });
      continue;
    }
    const correct = a.answer.trim().toLowerCase() === expected.trim().toLowerCase();
    answered++;
    total += weight;
    if (correct) got += weight;
    details.push({ question: q.question, expected, predicted: a.answer, weight, correct });
  }
  return { score: total > 0 ? got / total : null, answered, skipped, totalWeight: total, details };
}

/** Class targets and loss masks of a batch, per head. */
function targetsOf(set: ImageSet, space: LabelSpace, idx: number[]): { targets: Int32Array[]; masks: Float32Array[] } {
  const lookup = HEADS.map((h) => new Map(space[h].map((v, i) => [v, i])));
  const targets = HEADS.map(() => new Int32Array(idx.length));
  const masks = HEADS.map(() => new Float32Array(idx.length));
  idx.forEach((i, b) => {
    const l = set.meta[i].labels;
    HEADS.forEach((h, k) => {
      const c = lookup[k].get(l[h]);
      if (c === undefined) throw new Error(`vqa: ${set.meta[i].key}: ${h} "${l[h]}" is not in the label space`);
      targets[k][b] = c;
      masks[k][b] = observable(h, l) ? 1 : 0;
    });
  });
  return { targets, masks };
}

/** Train a VQA judge on a set of labelled images. */
export function trainVqa(set: ImageSet, space: LabelSpace, opts: { config?: z.input<typeof VqaConfigSchema>; fit?: Partial<FitConfig>; seed: number; log?: (l: string) => void }): { judge: VqaJudge; result: FitResult; fit: FitConfig } {
  const fc = FitConfigSchema.parse({ ...VQA_TRAIN_DEFAULTS, ...opts.fit });
  const judge = new VqaJudge(space, opts.config, opts.seed);
  const batcher = new Batcher(set.size, new Rng(opts.seed).fork('vqa-batches'));
  const result = fit('vqa', fc, judge.params.list(), () => {
    const idx = batcher.next(fc.batch_size);
    const { targets, masks } = targetsOf(set, space, idx);
    return judge.loss(gatherBatch(set.pixels, idx), targets, masks);
  }, { log: opts.log });
  return { judge, result, fit: fc };
}

export interface AttributeAccuracy {
  /** Accuracy per attribute (eye colour over images where the eyes are open). */
  perAttribute: Record<Attribute, number>;
  /** Mean over attributes. */
  mean: number;
  /** Lowest attribute accuracy. */
  min: number;
  n: number;
  /**
   * The same where a wrong answer whose value draws exactly the same pixels as the truth in that
   * image (a bun under a top hat, ears under a hat) counts as right: what can be seen at all.
   */
  visible?: { perAttribute: Record<Attribute, number>; mean: number; min: number; excused: Partial<Record<Attribute, number>> };
}

interface Miss {
  index: number;
  attribute: Head;
  truth: string;
  predicted: string;
}

/** Held-out accuracy of every attribute on a labelled set; with `visible`, also the visible-only view. */
export async function attributeAccuracy(judge: VqaJudge, set: ImageSet, opts: { visible?: boolean; batch?: number } = {}): Promise<AttributeAccuracy> {
  const batch = opts.batch ?? 256;
  const right = Object.fromEntries(ATTRIBUTES.map((a) => [a, 0])) as Record<Attribute, number>;
  const seen = Object.fromEntries(ATTRIBUTES.map((a) => [a, 0])) as Record<Attribute, number>;
  const misses: Miss[] = [];
  for (let s = 0; s < set.size; s += batch) {
    const idx = Array.from({ length: Math.min(batch, set.size - s) }, (_, k) => s + k);
    const preds = predictIdx(judge, set, idx);
    idx.forEach((i, b) => {
      const l = set.meta[i].labels;
      for (const a of ATTRIBUTES) {
        if (!observable(a, l)) continue;
        seen[a]++;
        if (preds[b][a] === l[a]) right[a]++;
        else if (a !== 'kind') misses.push({ index: i, attribute: a, truth: l[a], predicted: preds[b][a] });
      }
    });
  }
  const acc = (r: Record<Attribute, number>) => {
    const perAttribute = Object.fromEntries(ATTRIBUTES.map((a) => [a, seen[a] ? r[a] / seen[a] : NaN])) as Record<Attribute, number>;
    const accs = ATTRIBUTES.map((a) => perAttribute[a]).filter((x) => !Number.isNaN(x));
    return { perAttribute, mean: accs.reduce((x, y) => x + y, 0) / accs.length, min: Math.min(...accs) };
  };
  const out: AttributeAccuracy = { ...acc(right), n: set.size };
  if (opts.visible) {
    const excused: Partial<Record<Attribute, number>> = {};
    const same = await mapPool(misses, 4, (m) => drawsAlike(set.meta[m.index].labels, m.attribute, m.truth, m.predicted));
    const r2 = { ...right };
    misses.forEach((m, k) => {
      if (!same[k]) return;
      r2[m.attribute]++;
      excused[m.attribute] = (excused[m.attribute] ?? 0) + 1;
    });
    out.visible = { ...acc(r2), excused };
  }
  return out;
}

/** Whether two values of an attribute draw identical 32x32 pixels with these labels (same background). */
export async function drawsAlike(labels: Labels, attribute: Head, a: string, b: string): Promise<boolean> {
  const draw = (v: string) => {
    const l = { ...labels, [attribute]: v } as Labels;
    if (attribute === 'body') l.kind = kindOfBody(v);
    const id = { kind: l.kind, body: l.body, hairColor: l.hairColor, hairStyle: l.hairStyle, eyeColor: l.eyeColor, skinTone: l.skinTone, outfitColor: l.outfitColor, outfitPattern: l.outfitPattern, accessory: l.accessory } as unknown as Identity;
    return renderImage32(id, { expression: l.expression, scene: l.scene, prop: l.prop }, new Rng(0));
  };
  try {
    const [x, y] = await Promise.all([draw(a), draw(b)]);
    return x.every((v, i) => v === y[i]);
  } catch {
    return false; // a value that cannot be drawn for this kind is not an excuse
  }
}

function predictIdx(judge: VqaJudge, set: ImageSet, idx: number[]): Labels[] {
  const x = gatherBatch(set.pixels, idx);
  try {
    return judge.predict(x);
  } finally {
    x.dispose();
  }
}
