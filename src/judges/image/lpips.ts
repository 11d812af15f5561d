/**
 * LPIPS's stand-in: a perceptual distance in the feature space of the VQA judge's encoder (as
 * LPIPS uses a classification-trained AlexNet/VGG), used by Character-GRPO for group diversity.
 *
 *   d(a, b) = 1/L * sum over layers l of sum over channels c of w_lc * mean over tokens of
 *             (f_l(a) - f_l(b))^2,   f_l = activations after the patch embedding / block l,
 *             each token's channel vector scaled to unit length (LPIPS's normalisation)
 *
 * The per-channel weights w_l = C * softmax(v_l) (non-negative, mean 1, so the scale stays put)
 * are calibrated as LPIPS's "lin" layer is, by two-alternative forced choice, with the number of
 * attributes that differ as the judgement: renders of a world character are changed in k of
 * (hair colour, hair style, eye colour, skin, species, outfit colour and pattern, accessory,
 * expression, scene, prop), and for k < k' the k-changed image should be the closer one
 * (loss log(1 + exp(-gamma (d_k' - d_k)))). With all v = 0 it is LPIPS's uncalibrated baseline;
 * both are reported. The encoder itself stays frozen: the distance is tied to the encoder it was
 * calibrated on (its weights' sha256 is saved and checked on load).
 *
 * Which encoder (`LpipsBackbone`): `vqa`, the set's own VQA judge; or `own`, an encoder saved
 * inside the LPIPS folder. A set trained with `lpips.from` takes another set's LPIPS judge
 * unchanged, its encoder included (`LpipsJudge.copyFrom`), as real LPIPS keeps one fixed network whatever
 * the other judges learn: a set trained on moved figures (config `placement`) has a VQA encoder
 * that maps moved figures together, and a distance on it shrinks with it (README: What
 * `t2i_diversity` >= 0.6 would take); copied, the distance stays the committed judges' own.
 */
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import type { Identity, SynthIndex } from '../../data/synth';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { Params } from '../core/encoder';
import { ImageInput, toBatch, gatherBatch, renderImage32, mapPool, PIXELS } from '../core/images';
import { ImageSet, SampleMeta } from '../core/data';
import { kindOfBody, Labels } from '../core/attributes';
import { VqaJudge } from './vqa';
import { JudgeFile, assignParams, paramsSha256, readJudge, saveJudge } from '../core/checkpoint';
import { FitConfig, FitConfigSchema, FitResult, fit } from '../core/fit';
import { spearman, mean, std } from '../../util/stats';
import { parseConfig } from '../../util/config-file';

export const LpipsConfigSchema = z
  .object({
    gamma: z.number().positive().default(20), // 2AFC logistic sharpness on distance differences
    max_changes: z.number().int().positive().default(6), // variants change 0..max_changes attributes
  })
  .strict();
export type LpipsConfig = z.infer<typeof LpipsConfigSchema>;

/** The encoder the distance is measured in (see the header). */
export const LpipsBackboneSchema = z.enum(['vqa', 'own']);
export type LpipsBackbone = z.infer<typeof LpipsBackboneSchema>;

export const LPIPS_TRAIN_DEFAULTS: FitConfig = FitConfigSchema.parse({ steps: 300, batch_size: 64, lr: 5e-2, warmup: 10, weight_decay: 0 });

/** Where an `own` encoder lives inside the LPIPS folder. */
const BACKBONE_DIR = 'backbone';

export class LpipsJudge {
  readonly config: LpipsConfig;
  readonly params: Params;
  readonly widths: number[];

  /**
   * `kind` says where `backbone` comes from: 'vqa' (the set's VQA judge, owned by the set) or
   * 'own' (this judge's own encoder, saved in its folder and disposed with it).
   */
  constructor(readonly backbone: VqaJudge, config: z.input<typeof LpipsConfigSchema> = {}, readonly kind: LpipsBackbone = 'vqa') {
    this.config = LpipsConfigSchema.parse(config);
    this.params = new Params(new Rng(0));
    const C = backbone.encoder.config.n_embd;
    this.widths = Array.from({ length: backbone.encoder.config.n_layer + 1 }, () => C);
    this.widths.forEach((w, l) => this.params.constant(`lin.${l}`, [w], 0));
  }

  /** Per pair, the per-channel mean squared differences of the normalized features: [B, sum C]. */
  pairFeatures(a: tf.Tensor4D, b: tf.Tensor4D): tf.Tensor2D {
    return tf.tidy(() => {
      const unit = (f: tf.Tensor) => tf.div(f, tf.sqrt(tf.add(tf.sum(tf.square(f), -1, true), 1e-10)));
      const fa = this.backbone.encoder.forward(a).layers, fb = this.backbone.encoder.forward(b).layers;
      return tf.concat(fa.map((f, l) => tf.mean(tf.square(tf.sub(unit(f), unit(fb[l]))), 1)), 1) as tf.Tensor2D; // [B, sum C]
    });
  }

  /** Channel weights [sum C]: C * softmax(v) per layer; `uniform` gives the uncalibrated all-ones. */
  weights(uniform = false): tf.Tensor1D {
    return tf.tidy(() => tf.concat(this.widths.map((w, l) => (uniform ? tf.ones([w]) : tf.mul(tf.softmax(this.params.b(`lin.${l}`)), w))), 0) as tf.Tensor1D);
  }

  /** Distances from pair features [B, sum C] → [B]. */
  weighted(D: tf.Tensor2D, w: tf.Tensor1D): tf.Tensor1D {
    return tf.div(tf.sum(tf.mul(D, w), 1), this.widths.length) as tf.Tensor1D;
  }

  /** LPIPS distance of image a[i] to b[i]. */
  distances(a: readonly ImageInput[], b: readonly ImageInput[], opts: { uniform?: boolean } = {}): number[] {
    if (a.length !== b.length) throw new Error(`lpips: ${a.length} vs ${b.length} images`);
    if (!a.length) return [];
    const d = tf.tidy(() => this.weighted(this.pairFeatures(toBatch(a), toBatch(b)), this.weights(opts.uniform)));
    const out = Array.from(d.dataSync());
    d.dispose();
    return out;
  }

  distance(a: ImageInput, b: ImageInput): number {
    return this.distances([a], [b])[0];
  }

  /** Mean pairwise distance within a group of images (GRPO's diversity term). */
  groupDiversity(images: readonly ImageInput[]): number {
    const a: ImageInput[] = [], b: ImageInput[] = [];
    for (let i = 0; i < images.length; i++) for (let j = i + 1; j < images.length; j++) a.push(images[i]), b.push(images[j]);
    return a.length ? mean(this.distances(a, b)) : 0;
  }

  /** Write the calibration, and an `own` encoder into `<dir>/backbone`. */
  async save(dir: string, training: Record<string, unknown> = {}): Promise<void> {
    await saveJudge(dir, 'lpips', this.config, { backbone: this.kind, backboneSha256: paramsSha256(this.backbone.params), widths: this.widths }, this.params, training);
    if (this.kind === 'own') await this.backbone.save(path.join(dir, BACKBONE_DIR));
  }

  /**
   * Load calibrated weights onto the encoder they were calibrated on: the set's VQA judge, or the
   * folder's own. `holdAs: 'own'` makes the judge own (and dispose) its encoder whichever it is.
   */
  static load(dir: string, vqa: VqaJudge, holdAs?: LpipsBackbone): LpipsJudge {
    const { file, tensors, where } = readJudge(dir, 'lpips');
    const config = parseConfig(LpipsConfigSchema, file.config, where, { under: 'config' });
    const extra = (file as JudgeFile<unknown, { backbone?: string; backboneSha256?: string }>).extra;
    const kind = LpipsBackboneSchema.safeParse(extra?.backbone);
    if (!kind.success) throw new UserError(`${where}: extra.backbone: expected "vqa" or "own", found ${JSON.stringify(extra?.backbone)}`);
    const backbone = kind.data === 'vqa' ? vqa : VqaJudge.load(path.join(dir, BACKBONE_DIR));
    try {
      const sha = paramsSha256(backbone.params);
      const which = kind.data === 'vqa' ? 'the VQA judge given' : `${path.join(dir, BACKBONE_DIR)}`;
      if (extra.backboneSha256 !== sha) throw new UserError(`${where}: calibrated on an encoder with weights ${String(extra.backboneSha256).slice(0, 12)}…, but ${which} has ${sha.slice(0, 12)}… (mismatched judge folders)`);
      const j = new LpipsJudge(backbone, config, holdAs ?? kind.data);
      assignParams(j.params, tensors, where);
      return j;
    } catch (err) {
      if (kind.data === 'own') backbone.dispose();
      throw err;
    }
  }

  dispose(): void {
    this.params.dispose();
    if (this.kind === 'own') this.backbone.dispose();
  }

  /** Another judge set's LPIPS judge, unchanged, holding its encoder as its own (config `lpips.from`). */
  static copyFrom(judgesDir: string): LpipsJudge {
    const setVqa = VqaJudge.load(path.join(judgesDir, 'vqa'));
    try {
      const copy = LpipsJudge.load(path.join(judgesDir, 'lpips'), setVqa, 'own');
      if (copy.backbone !== setVqa) setVqa.dispose(); // the source had its own encoder
      return copy;
    } catch (err) {
      setVqa.dispose();
      throw err;
    }
  }

}

// ---------------------------------------------------------------------------------------------
// Perturbation pairs: a render and variants of it with k attributes changed
// ---------------------------------------------------------------------------------------------

export interface PerturbPair {
  base: number; // index into the set
  variant: number;
  k: number; // attributes changed
  changed: string[];
}

type Spaces = SynthIndex['labelSpaces'];

/** The values an attribute can take for a kind (sleepy left out: it hides the eyes). */
function pool(attr: string, kind: string, s: Spaces): string[] {
  const k = kind as 'human' | 'anime' | 'animal';
  switch (attr) {
    case 'hairColor': return s.hairColors[k];
    case 'hairStyle': return s.hairStyles[k];
    case 'eyeColor': return s.eyeColors[k];
    case 'skinTone': return s.skinTones[k];
    case 'body': return kind === 'animal' ? s.bodies.filter((b) => kindOfBody(b) === 'animal') : [kind];
    case 'outfitColor': return s.outfitColors;
    case 'outfitPattern': return s.outfitPatterns;
    case 'accessory': return s.accessories;
    case 'expression': return s.expressions.map((e) => e.name).filter((e) => e !== 'sleepy');
    case 'scene': return s.scenes.map((x) => x.name);
    case 'prop': return s.props.map((x) => x.name);
    default: throw new Error(`lpips: unknown attribute ${attr}`);
  }
}

const CHANGEABLE = ['hairColor', 'hairStyle', 'eyeColor', 'skinTone', 'body', 'outfitColor', 'outfitPattern', 'accessory', 'expression', 'scene', 'prop'];

/**
 * For each character (one base each): a render in a random scene and `maxK + 1` variants with
 * 0..maxK attributes changed (0: only the background's random details differ).
 */
export async function perturbationSet(chars: ReadonlyArray<[string, Identity]>, spaces: Spaces, maxK: number, seed: number): Promise<{ set: ImageSet; pairs: PerturbPair[] }> {
  const jobs: Array<{ labels: Labels; seed: string; character: string; key: string }> = [];
  const pairs: PerturbPair[] = [];
  for (const [id, identity] of chars) {
    const rng = new Rng(seed).fork(`lpips:${id}`);
    const kind = identity.kind;
    const base = { ...(identity as unknown as Record<string, string>), kind, expression: rng.pick(pool('expression', kind, spaces)), scene: rng.pick(pool('scene', kind, spaces)), prop: rng.pick(pool('prop', kind, spaces)) } as unknown as Labels;
    const baseIdx = jobs.length;
    jobs.push({ labels: base, seed: `lpips:${id}:base`, character: id, key: `lpips/${id}/base` });
    const attrs = CHANGEABLE.filter((a) => pool(a, kind, spaces).length > 1);
    for (let k = 0; k <= Math.min(maxK, attrs.length); k++) {
      let v: Labels = base, changed: string[] = [];
      for (let tries = 0; tries < 50; tries++) {
        changed = rng.sample(attrs, k);
        v = { ...base };
        for (const a of changed) (v as Record<string, string>)[a] = rng.pick(pool(a, kind, spaces).filter((x) => x !== (base as Record<string, string>)[a]));
        if (v.outfitColor !== v.hairColor) break;
      }
      pairs.push({ base: baseIdx, variant: jobs.length, k, changed });
      jobs.push({ labels: v, seed: `lpips:${id}:${k}`, character: id, key: `lpips/${id}/${k}` });
    }
  }
  const px = await mapPool(jobs, 4, (j) => renderImage32(idOf(j.labels), { expression: j.labels.expression, scene: j.labels.scene, prop: j.labels.prop }, new Rng(seed).fork(j.seed)));
  const set = ImageSet.pack(jobs.map((j, i) => ({ pixels: px[i], meta: { character: j.character, labels: j.labels, text: '', source: 'extra', key: j.key } as SampleMeta })));
  return { set, pairs };
}

function idOf(l: Labels): Identity {
  return { kind: l.kind, body: l.body, hairColor: l.hairColor, hairStyle: l.hairStyle, eyeColor: l.eyeColor, skinTone: l.skinTone, outfitColor: l.outfitColor, outfitPattern: l.outfitPattern, accessory: l.accessory } as Identity;
}

/** Pair features of every (base, variant) pair, computed once (the encoder is frozen). */
function pairMatrix(j: LpipsJudge, set: ImageSet, pairs: readonly PerturbPair[]): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  for (let s = 0; s < pairs.length; s += 128) {
    const ps = pairs.slice(s, s + 128);
    parts.push(tf.tidy(() => j.pairFeatures(gatherBatch(set.pixels, ps.map((p) => p.base)), gatherBatch(set.pixels, ps.map((p) => p.variant)))));
  }
  const D = tf.concat(parts, 0) as tf.Tensor2D;
  tf.dispose(parts);
  return D;
}

/** Calibrate the channel weights by 2AFC over the perturbation pairs of each base. */
export function trainLpips(backbone: VqaJudge, set: ImageSet, pairs: readonly PerturbPair[], opts: { config?: z.input<typeof LpipsConfigSchema>; fit?: Partial<FitConfig>; seed: number; log?: (l: string) => void }): { judge: LpipsJudge; result: FitResult; fit: FitConfig; triplets: number } {
  const fc = FitConfigSchema.parse({ ...LPIPS_TRAIN_DEFAULTS, ...opts.fit });
  const judge = new LpipsJudge(backbone, opts.config);
  const D = pairMatrix(judge, set, pairs);
  // 2AFC triplets within a base: (near pair, far pair) with fewer changes in the near one
  const near: number[] = [], far: number[] = [];
  pairs.forEach((p, i) => pairs.forEach((q, k) => {
    if (p.base === q.base && p.k < q.k) near.push(i), far.push(k);
  }));
  const rng = new Rng(opts.seed).fork('lpips-batches');
  const nTrip = near.length;
  try {
    const result = fit('lpips', fc, judge.params.list(), () => {
      const pick = Array.from({ length: Math.min(fc.batch_size * 8, nTrip) }, () => rng.int(0, nTrip - 1));
      const w = judge.weights();
      const d = judge.weighted(D, w);
      const dn = tf.gather(d, tf.tensor1d(pick.map((t) => near[t]), 'int32'));
      const df = tf.gather(d, tf.tensor1d(pick.map((t) => far[t]), 'int32'));
      const z = tf.mul(tf.sub(df, dn), judge.config.gamma);
      return tf.mean(tf.log(tf.add(1, tf.exp(tf.neg(z))))) as tf.Scalar; // softplus(-z)
    }, { log: opts.log });
    return { judge, result, fit: fc, triplets: nTrip };
  } finally {
    D.dispose();
  }
}

export interface LpipsRow {
  k: number;
  n: number;
  mean: number;
  std: number;
  /** Uncalibrated (all channel weights 1). */
  uniformMean: number;
  /** Mean squared pixel difference (0..1 scale), for reference. */
  pixelMean: number;
}

export interface LpipsEval {
  table: LpipsRow[];
  spearman: number;
  spearmanUniform: number;
  spearmanPixel: number;
  /** Mean distance strictly increases with k. */
  monotonic: boolean;
  /** 2AFC agreement: share of (k < k') pairs of one base where the k-changed image is closer. */
  twoAfc: number;
  pairs: number;
}

/** Distance against the number of changed attributes on perturbation pairs (held-out characters). */
export function evaluateLpips(judge: LpipsJudge, set: ImageSet, pairs: readonly PerturbPair[]): LpipsEval {
  const D = pairMatrix(judge, set, pairs);
  const [cal, uni] = tf.tidy(() => [judge.weighted(D, judge.weights()), judge.weighted(D, judge.weights(true))]);
  const d = Array.from(cal.dataSync()), du = Array.from(uni.dataSync());
  tf.dispose([D, cal, uni]);
  const px = pairs.map((p) => {
    let s = 0;
    const a = set.image(p.base), b = set.image(p.variant);
    for (let i = 0; i < PIXELS; i++) s += ((a[i] - b[i]) / 255) ** 2;
    return s / PIXELS;
  });
  const ks = pairs.map((p) => p.k);
  const table: LpipsRow[] = [...new Set(ks)].sort((a, b) => a - b).map((k) => {
    const sel = pairs.map((_, i) => i).filter((i) => ks[i] === k);
    const v = sel.map((i) => d[i]);
    return { k, n: sel.length, mean: mean(v), std: std(v), uniformMean: mean(sel.map((i) => du[i])), pixelMean: mean(sel.map((i) => px[i])) };
  });
  let agree = 0, total = 0;
  pairs.forEach((p, i) => pairs.forEach((q, k) => {
    if (p.base === q.base && p.k < q.k) total++, (agree += d[i] < d[k] ? 1 : 0);
  }));
  return {
    table,
    spearman: spearman(ks, d),
    spearmanUniform: spearman(ks, du),
    spearmanPixel: spearman(ks, px),
    monotonic: table.every((r, i) => i === 0 || r.mean > table[i - 1].mean),
    twoAfc: total ? agree / total : NaN,
    pairs: pairs.length,
  };
}
