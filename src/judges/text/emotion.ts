/**
 * Line emotion: the emotion (the synthetic expression labels) and the place (the scene labels)
 * a line states, each as a distribution over the labels plus 'none'.
 *   "I'm so glad we came to the beach!" -> happy, beach
 *
 * Model: lower-cased word-internal character 3..5-grams, words and word pairs, hashed
 * (features.ts) -> embedding bag (sum: one emotion word weighs the same in a short and a long
 * line) -> ReLU MLP -> two softmax heads (expressions + none, scenes + none).
 *
 * Training data (world characters only): image-linked character lines labeled from index.json,
 * and text-only lines labeled none/none. Lines are cut into clauses; a clause holding one of the
 * line's own label words (the label space's word lists) carries that label, the others are
 * neutral. Each example is one of: a whole image line; a whole text-only line; or a new line
 * recombined from an emotion clause, a place clause (each present or not, from different lines)
 * and neutral clauses, in random order and joints, so emotion and place are learned apart and
 * "emotion but no place" is seen. A share of examples gets random typos (character drops, swaps,
 * doublings, substitutions) so the judge reads a small model's imperfect spelling.
 *
 * Departure from UniCharacter: the paper judges image-text agreement with large VLMs; this tiny
 * judge reads the text side of the cross-modal consistency metric.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { BagMlp, BagShape, initParams } from './bag';
import { FeatureConfig, SparseLine, dropFeatures, featurize, packBatch } from './features';
import { maskedCrossEntropy } from '../../model/ops';
import { AdamW, trainStep } from '../../model/optim';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import type { LabelWords, LabeledLine } from './corpus';
import { trainLoop, type TrainLog } from './style';

export const NONE = 'none';

export const EmotionConfigSchema = z
  .object({
    dim: z.number().int().min(64).default(1 << 15), // hash buckets
    max_features: z.number().int().min(8).default(2048), // distinct features kept per line
    width: z.number().int().min(4).default(32), // embedding-bag width
    hidden: z.number().int().min(4).default(128), // MLP hidden units
    steps: z.number().int().min(1).default(300), // optimizer steps
    batch: z.number().int().min(2).default(128), // examples per step
    lr: z.number().positive().default(3e-3), // peak AdamW learning rate (warmup, cosine decay)
    weight_decay: z.number().min(0).default(0), // decoupled weight decay on matrices
    table_std: z.number().min(0).default(0.01), // init std of the table rows (small: sums of many rows)
    p_whole_image: z.number().min(0).max(1).default(0.25), // P(example = a whole image line)
    p_whole_text: z.number().min(0).max(1).default(0.15), // P(example = a whole text-only line); else recombined
    p_emotion: z.number().min(0).max(1).default(0.65), // recombined: P(has an emotion clause)
    p_place: z.number().min(0).max(1).default(0.65), // recombined: P(has a place clause)
    p_typos: z.number().min(0).max(1).default(0.3), // P(example gets typos)
    typo_rate: z.number().min(0).max(0.5).default(0.04), // typos per character when it does
    feature_dropout: z.number().min(0).max(0.9).default(0.3), // P(drop a feature): spreads the evidence over n-grams
  })
  .strict();
export type EmotionConfig = z.infer<typeof EmotionConfigSchema>;

export interface EmotionLabels {
  /** Expression labels, then 'none'. */
  readonly expressions: readonly string[];
  /** Scene labels, then 'none'. */
  readonly scenes: readonly string[];
}

export interface LineEmotion {
  readonly expression: string;
  readonly expressionProbs: Record<string, number>;
  readonly scene: string;
  readonly sceneProbs: Record<string, number>;
}

export function emotionFeatureConfig(c: EmotionConfig): FeatureConfig {
  return { dim: c.dim, maxFeatures: c.max_features };
}

export function emotionBagShape(c: EmotionConfig, labels: EmotionLabels): BagShape {
  return { dim: c.dim, width: c.width, hidden: c.hidden, out: labels.expressions.length + labels.scenes.length, tableStd: c.table_std };
}

function softmaxRow(x: Float32Array, from: number, n: number): number[] {
  let m = -Infinity;
  for (let i = 0; i < n; i++) m = Math.max(m, x[from + i]);
  const e = Array.from({ length: n }, (_, i) => Math.exp(x[from + i] - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

function argmax(p: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
  return best;
}

export class EmotionJudge {
  readonly features: FeatureConfig;

  constructor(readonly config: EmotionConfig, readonly labels: EmotionLabels, readonly model: BagMlp) {
    this.features = emotionFeatureConfig(config);
  }

  /** Emotion and place of one line. */
  judgeLine(text: string): LineEmotion {
    return this.judgeLines([text])[0];
  }

  judgeLines(texts: readonly string[], chunk = 256): LineEmotion[] {
    const nE = this.labels.expressions.length, nS = this.labels.scenes.length;
    const out: LineEmotion[] = [];
    for (let i = 0; i < texts.length; i += chunk) {
      const packed = packBatch(texts.slice(i, i + chunk).map((t) => featurize(t, this.features)));
      const y = tf.tidy(() => this.model.forward(packed)); // [b, nE + nS]
      const data = y.dataSync() as Float32Array;
      y.dispose();
      for (let b = 0; b < packed.batch; b++) {
        const pe = softmaxRow(data, b * (nE + nS), nE), ps = softmaxRow(data, b * (nE + nS) + nE, nS);
        out.push({
          expression: this.labels.expressions[argmax(pe)],
          expressionProbs: Object.fromEntries(this.labels.expressions.map((l, k) => [l, pe[k]])),
          scene: this.labels.scenes[argmax(ps)],
          sceneProbs: Object.fromEntries(this.labels.scenes.map((l, k) => [l, ps[k]])),
        });
      }
    }
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

// ---------------- training data ----------------

interface Clause {
  readonly text: string;
  readonly expression: string; // NONE when the clause names no emotion
  readonly scene: string; // NONE when it names no place
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function wordsRe(words: readonly string[]): RegExp {
  return new RegExp(`(^|[^\\p{L}-])(${words.map(escape).join('|')})(?![\\p{L}-])`, 'iu');
}

/** Cut a line at sentence ends, commas, semicolons and " and "/" also ". */
export function splitClauses(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|[,;]\s*|\s+(?:and|also)\s+/i)
    .map((s) => s.trim())
    .filter((s) => /\p{L}/u.test(s));
}

/** Clauses of an image line, each tagged with the line's labels it names (by the label space's words). */
export function tagClauses(line: LabeledLine, words: LabelWords): Clause[] {
  const ew = words.expressions.find((e) => e.name === line.expression);
  const sw = words.scenes.find((s) => s.name === line.scene);
  if (!ew || !sw) throw new UserError(`emotion judge: label "${!ew ? line.expression : line.scene}" is not in the corpus label space`);
  const eRe = wordsRe(ew.words), sRe = wordsRe(sw.words);
  return splitClauses(line.text).map((c) => ({ text: c, expression: eRe.test(c) ? line.expression : NONE, scene: sRe.test(c) ? line.scene : NONE }));
}

const JOINTS = [', ', '. ', ' and ', '; ', '! ', '... ', ', and ', ' - '];

/** Random typos: drop, double, swap with the next, or replace a letter (rate per character). */
export function addTypos(text: string, rate: number, rng: Rng): string {
  const cs = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cs.length; i++) {
    const c = cs[i];
    if (!/\p{L}/u.test(c) || !rng.chance(rate)) {
      out.push(c);
      continue;
    }
    switch (rng.int(0, 3)) {
      case 0:
        break; // drop
      case 1:
        out.push(c, c);
        break;
      case 2:
        if (i + 1 < cs.length) {
          out.push(cs[i + 1], c);
          i++;
        } else out.push(c);
        break;
      default:
        out.push(String.fromCharCode(97 + rng.int(0, 25)));
    }
  }
  return out.join('');
}

export interface EmotionExample {
  readonly text: string;
  readonly expression: string;
  readonly scene: string;
}

/** Pools of clauses the example sampler draws from. */
export interface EmotionPools {
  readonly imageLines: readonly LabeledLine[];
  readonly textLines: readonly string[];
  readonly emotionClauses: readonly Clause[];
  readonly placeClauses: readonly Clause[];
  readonly neutralClauses: readonly string[];
}

export function buildPools(imageLines: readonly LabeledLine[], textLines: readonly string[], words: LabelWords): EmotionPools {
  const emotionClauses: Clause[] = [], placeClauses: Clause[] = [], neutralClauses: string[] = [];
  for (const l of imageLines) {
    for (const c of tagClauses(l, words)) {
      // a clause naming both stays whole in the emotion pool, with both labels
      if (c.expression !== NONE) emotionClauses.push(c);
      else if (c.scene !== NONE) placeClauses.push(c);
      else neutralClauses.push(c.text);
    }
  }
  for (const t of textLines) neutralClauses.push(...splitClauses(t));
  if (imageLines.length === 0 || emotionClauses.length === 0 || placeClauses.length === 0) {
    throw new UserError('emotion judge: the training corpus has no labeled image lines (expected a synthetic world folder with index.json)');
  }
  return { imageLines, textLines, emotionClauses, placeClauses, neutralClauses };
}

export function sampleExample(pools: EmotionPools, cfg: EmotionConfig, rng: Rng): EmotionExample {
  let ex: EmotionExample;
  const r = rng.next();
  if (r < cfg.p_whole_image) {
    const l = rng.pick(pools.imageLines);
    ex = { text: l.text, expression: l.expression, scene: l.scene };
  } else if (r < cfg.p_whole_image + cfg.p_whole_text && pools.textLines.length > 0) {
    ex = { text: rng.pick(pools.textLines), expression: NONE, scene: NONE };
  } else {
    const parts: string[] = [];
    let expression = NONE, scene = NONE;
    if (rng.chance(cfg.p_emotion)) {
      const c = rng.pick(pools.emotionClauses);
      parts.push(c.text);
      expression = c.expression;
      scene = c.scene;
    }
    if (scene === NONE && rng.chance(cfg.p_place)) {
      const c = rng.pick(pools.placeClauses);
      parts.push(c.text);
      scene = c.scene;
    }
    const nNeutral = parts.length === 0 ? rng.int(1, 3) : rng.int(0, 2);
    for (let i = 0; i < nNeutral; i++) parts.push(rng.pick(pools.neutralClauses));
    const shuffled = rng.shuffle(parts);
    let text = shuffled[0];
    for (const p of shuffled.slice(1)) text += rng.pick(JOINTS) + p;
    text = text.charAt(0).toUpperCase() + text.slice(1) + rng.pick(['.', '!', '...', '', '?']);
    if (rng.chance(0.15)) text = text.toLowerCase();
    ex = { text, expression, scene };
  }
  if (rng.chance(cfg.p_typos)) ex = { ...ex, text: addTypos(ex.text, cfg.typo_rate, rng) };
  return ex;
}

// ---------------- training ----------------

export function emotionLabelsOf(words: LabelWords): EmotionLabels {
  return { expressions: [...words.expressions.map((e) => e.name), NONE], scenes: [...words.scenes.map((s) => s.name), NONE] };
}

/** Loss of one batch: cross-entropy of both heads, summed. */
export function emotionLoss(model: BagMlp, lines: SparseLine[], ye: Int32Array, ys: Int32Array, nE: number, nS: number): tf.Scalar {
  const y = model.forward(packBatch(lines)); // [B, nE + nS]
  const le = tf.slice(y, [0, 0], [-1, nE]); // [B, nE]
  const ls = tf.slice(y, [0, nE], [-1, nS]); // [B, nS]
  return tf.add(maskedCrossEntropy(le, tf.tensor1d(ye, 'int32')), maskedCrossEntropy(ls, tf.tensor1d(ys, 'int32'))) as tf.Scalar;
}

/** Train the emotion/place network on examples drawn from `pools` (world training characters only). */
export function trainEmotionJudge(
  pools: EmotionPools,
  labels: EmotionLabels,
  cfg: EmotionConfig,
  rng: Rng,
  log?: (line: string) => void,
): { judge: EmotionJudge; log: TrainLog } {
  const t0 = Date.now();
  const fcfg = emotionFeatureConfig(cfg);
  const shape = emotionBagShape(cfg, labels);
  const model = new BagMlp(shape, initParams(shape, rng.fork('emotion-init')), true);
  const opt = new AdamW({ lr: cfg.lr, weightDecay: cfg.weight_decay, clipNorm: 5 });
  const drng = rng.fork('emotion-batches');
  const nE = labels.expressions.length, nS = labels.scenes.length;
  const eIdx = new Map(labels.expressions.map((l, i) => [l, i]));
  const sIdx = new Map(labels.scenes.map((l, i) => [l, i]));
  const losses = trainLoop('emotion', cfg.steps, cfg.lr, opt, () => {
    const exs = Array.from({ length: cfg.batch }, () => sampleExample(pools, cfg, drng));
    const lines = exs.map((e) => dropFeatures(featurize(e.text, fcfg), cfg.feature_dropout, () => drng.next()));
    const ye = Int32Array.from(exs, (e) => eIdx.get(e.expression)!);
    const ys = Int32Array.from(exs, (e) => sIdx.get(e.scene)!);
    return trainStep(model.variables, opt, () => emotionLoss(model, lines, ye, ys, nE, nS));
  }, log);
  opt.dispose();
  const judge = new EmotionJudge(cfg, labels, new BagMlp(shape, model.values()));
  model.dispose();
  return { judge, log: { steps: cfg.steps, seconds: (Date.now() - t0) / 1000, losses } };
}
