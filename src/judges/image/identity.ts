/**
 * The identity judge: DINO's and CLIP-I's part in the paper's rewards and metrics (is the drawn
 * character the customized one?). One mixer encoder, two heads, trained together on P x K batches
 * (P world characters, K views of each: stored images, ground-truth renders of their GRPO prompts
 * and extra renders in random scenes, so expression, scene and prop vary within a character):
 *
 *   dino    projection MLP → unit embedding, trained image-to-image only: supervised-contrastive
 *           InfoNCE (SupCon) where the other views of the same character are the positives. Like
 *           DINO it never sees a class label, only "these views belong together".
 *   clip_i  linear → unit embedding, trained as a cosine classifier over the training characters
 *           (NormFace: logits = scale * cos(embedding, prototype)): the prototypes play the part
 *           of CLIP's text embeddings of the class names.
 *
 * Both are scored as the cosine between two images' embeddings (the paper's DINO / CLIP-I
 * similarity to the reference images: `similarityToReferences`).
 *
 * Departures: from scratch on one synthetic world, with identity supervision from the world's
 * character ids, instead of self-supervised / web-pretrained ViTs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import * as ops from '../../model/ops';
import { Rng } from '../../util/rng';
import { UserError } from '../../util/errors';
import { EncoderConfigSchema, ImageEncoder, Params } from '../core/encoder';
import { ImageInput, toBatch, gatherBatch } from '../core/images';
import { JudgeFile, assignParams, readJudge, saveJudge } from '../core/checkpoint';
import { FitConfig, FitConfigSchema, FitResult, fit } from '../core/fit';
import { rocAuc } from '../../util/stats';
import { dot } from './clip';
import type { ImageSet } from '../core/data';
import type { Identity } from '../../data/synth';
import { identityDistance } from '../../data/synth';
import { parseConfig } from '../../util/config-file';

export const IDENTITY_VARIANTS = ['dino', 'clip_i'] as const;
export type IdentityVariant = (typeof IDENTITY_VARIANTS)[number];

export const IdentityConfigSchema = z
  .object({
    encoder: EncoderConfigSchema.default({}), // image encoder
    embed_dim: z.number().int().positive().default(64), // width of each unit embedding
    proj_hidden: z.number().int().positive().default(256), // dino projection MLP hidden width
    temperature: z.number().positive().default(0.1), // dino: SupCon temperature
    scale: z.number().positive().default(16), // clip_i: cosine-classifier logit scale
    views: z.number().int().min(2).default(4), // K views per character in a batch
  })
  .strict();
export type IdentityConfig = z.infer<typeof IdentityConfigSchema>;

export const IDENTITY_TRAIN_DEFAULTS: FitConfig = FitConfigSchema.parse({ steps: 400, batch_size: 96, lr: 2e-3, warmup: 40 });

const l2normalize = (x: tf.Tensor, axis = -1): tf.Tensor => tf.div(x, tf.sqrt(tf.add(tf.sum(tf.square(x), axis, true), 1e-8)));

export class IdentityJudge {
  readonly config: IdentityConfig;
  readonly params: Params;
  readonly encoder: ImageEncoder;

  /** `classes`: training characters (clip_i prototypes); 0 for a judge that is only applied. */
  constructor(readonly classes: number, config: z.input<typeof IdentityConfigSchema> = {}, seed = 0) {
    this.config = IdentityConfigSchema.parse(config);
    const c = this.config;
    this.params = new Params(new Rng(seed).fork('identity-init'));
    this.encoder = new ImageEncoder(this.params, 'enc', c.encoder);
    const P = this.params, D = this.encoder.pooledDim;
    P.normal('dino.fc.weight', [D, c.proj_hidden], 1 / Math.sqrt(D));
    P.constant('dino.fc.bias', [c.proj_hidden], 0);
    P.normal('dino.proj.weight', [c.proj_hidden, c.embed_dim], 1 / Math.sqrt(c.proj_hidden));
    P.normal('clip_i.proj.weight', [D, c.embed_dim], 1 / Math.sqrt(D));
  }

  /** x [B, 32, 32, 3] → unit embeddings of both variants. */
  embed(x: tf.Tensor4D): Record<IdentityVariant, tf.Tensor2D> {
    const P = this.params;
    const f = this.encoder.forward(x).pooled;
    const dino = ops.linear(ops.relu(ops.linear(f, P.w('dino.fc.weight'), P.b('dino.fc.bias'))), P.w('dino.proj.weight'));
    return { dino: l2normalize(dino) as tf.Tensor2D, clip_i: l2normalize(ops.linear(f, P.w('clip_i.proj.weight'))) as tf.Tensor2D };
  }

  /**
   * SupCon on dino + cosine-softmax on clip_i. `cls` [B]: class (character) ids; `prototypes`
   * [embed_dim, classes] lives outside the saved judge (it only exists while training).
   */
  loss(x: tf.Tensor4D, cls: Int32Array, prototypes: tf.Variable): tf.Scalar {
    const B = x.shape[0];
    const e = this.embed(x);
    const eye = new Float32Array(B * B), pos = new Float32Array(B * B);
    for (let i = 0; i < B; i++) for (let j = 0; j < B; j++) {
      if (i === j) eye[i * B + j] = 1;
      else if (cls[i] === cls[j]) pos[i * B + j] = 1;
    }
    const sim = tf.div(ops.linear(e.dino, e.dino, undefined, { transposeW: true }), this.config.temperature); // [B, B]
    const logits = tf.sub(sim, tf.mul(tf.tensor2d(eye, [B, B]), 1e9));
    const logp = tf.sub(logits, tf.logSumExp(logits, 1, true));
    const P = tf.tensor2d(pos, [B, B]);
    const supcon = tf.neg(tf.mean(tf.div(tf.sum(tf.mul(logp, P), 1), tf.maximum(tf.sum(P, 1), 1))));
    const protos = l2normalize(prototypes, 0) as tf.Tensor2D; // [D, classes]
    const ce = ops.maskedCrossEntropy(tf.mul(ops.linear(e.clip_i, protos), this.config.scale), tf.tensor1d(cls, 'int32'));
    return tf.add(supcon, ce) as tf.Scalar;
  }

  /** Unit embeddings of one variant, one row per image. */
  embedImages(images: ImageInput | readonly ImageInput[], variant: IdentityVariant): Float32Array[] {
    const t = tf.tidy(() => this.embed(toBatch(images))[variant]);
    const d = t.dataSync() as Float32Array;
    const [n, w] = t.shape;
    t.dispose();
    return Array.from({ length: n }, (_, i) => d.slice(i * w, (i + 1) * w));
  }

  /** Cosine identity similarity of two images. */
  similarity(a: ImageInput, b: ImageInput, variant: IdentityVariant): number {
    const [ea, eb] = this.embedImages([a, b], variant);
    return dot(ea, eb);
  }

  /** Mean cosine of an image to a character's reference images (the paper's DINO / CLIP-I score). */
  similarityToReferences(image: ImageInput, references: readonly ImageInput[], variant: IdentityVariant): number {
    if (!references.length) throw new UserError('similarityToReferences: no reference images');
    const [e, ...refs] = this.embedImages([image, ...references], variant);
    return refs.reduce((s, r) => s + dot(e, r), 0) / refs.length;
  }

  async save(dir: string, training: Record<string, unknown> = {}): Promise<void> {
    await saveJudge(dir, 'identity', this.config, { variants: IDENTITY_VARIANTS }, this.params, training);
  }

  static load(dir: string): IdentityJudge {
    const { file, tensors, where } = readJudge(dir, 'identity');
    const config = parseConfig(IdentityConfigSchema, file.config, where, { under: 'config' });
    const extra = (file as JudgeFile<unknown, { variants?: string[] }>).extra;
    if (!extra || (extra.variants ?? []).join(',') !== IDENTITY_VARIANTS.join(',')) throw new UserError(`${where}: extra.variants: expected ${IDENTITY_VARIANTS.join(', ')}`);
    const j = new IdentityJudge(0, config);
    assignParams(j.params, tensors, where);
    return j;
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Characters with at least `views` images, and a P x K batch sampler over them. */
function pkSampler(set: ImageSet, views: number, rng: Rng): { classes: number; next: (P: number) => { idx: number[]; cls: Int32Array } } {
  const groups = [...set.byCharacter().values()].filter((g) => g.length >= views);
  if (groups.length < 2) throw new UserError(`identity: need at least 2 characters with ${views} images each, found ${groups.length}`);
  let order: number[] = [], pos = 0;
  return {
    classes: groups.length,
    next(P: number) {
      const idx: number[] = [], cls: number[] = [];
      for (let p = 0; p < Math.min(P, groups.length); p++) {
        if (pos >= order.length) (order = rng.shuffle(groups.map((_, i) => i))), (pos = 0);
        const g = order[pos++];
        for (const i of rng.sample(groups[g], views)) idx.push(i), cls.push(g);
      }
      return { idx, cls: Int32Array.from(cls) };
    },
  };
}

export function trainIdentity(set: ImageSet, opts: { config?: z.input<typeof IdentityConfigSchema>; fit?: Partial<FitConfig>; seed: number; log?: (l: string) => void }): { judge: IdentityJudge; result: FitResult; fit: FitConfig; classes: number } {
  const fc = FitConfigSchema.parse({ ...IDENTITY_TRAIN_DEFAULTS, ...opts.fit });
  const cfg = IdentityConfigSchema.parse(opts.config ?? {});
  const rng = new Rng(opts.seed).fork('identity-batches');
  const sampler = pkSampler(set, cfg.views, rng);
  const judge = new IdentityJudge(sampler.classes, cfg, opts.seed);
  const protoRng = new Rng(opts.seed).fork('identity-prototypes');
  const protoInit = Float32Array.from({ length: cfg.embed_dim * sampler.classes }, () => protoRng.normal());
  const prototypes = tf.tidy(() => tf.variable(tf.tensor2d(protoInit, [cfg.embed_dim, sampler.classes]), true));
  const P = Math.max(2, Math.floor(fc.batch_size / cfg.views));
  try {
    const result = fit('identity', fc, [...judge.params.list(), prototypes], () => {
      const { idx, cls } = sampler.next(P);
      return judge.loss(gatherBatch(set.pixels, idx), cls, prototypes);
    }, { log: opts.log });
    return { judge, result, fit: fc, classes: sampler.classes };
  } finally {
    prototypes.dispose();
  }
}

export interface IdentityEval {
  /** Verification ROC AUC over all image pairs: same character vs different. */
  auc: number;
  /** Same, against only the negatives whose identities differ in at most 2 attributes. */
  aucHard: number | null;
  positives: number;
  negatives: number;
  hardNegatives: number;
  meanPositive: number;
  meanNegative: number;
}

/** Pairwise verification on a set of images of several characters. */
export function evaluateIdentity(judge: IdentityJudge, set: ImageSet, identities: ReadonlyMap<string, Identity>): Record<IdentityVariant, IdentityEval> {
  const out = {} as Record<IdentityVariant, IdentityEval>;
  const embs: Record<IdentityVariant, Float32Array[]> = { dino: [], clip_i: [] };
  for (let s = 0; s < set.size; s += 256) {
    const idx = Array.from({ length: Math.min(256, set.size - s) }, (_, k) => s + k);
    const t = tf.tidy(() => {
      const e = judge.embed(gatherBatch(set.pixels, idx));
      return [e.dino, e.clip_i];
    });
    IDENTITY_VARIANTS.forEach((v, k) => {
      const d = t[k].dataSync() as Float32Array;
      const w = t[k].shape[1];
      for (let i = 0; i < idx.length; i++) embs[v].push(d.slice(i * w, (i + 1) * w));
    });
    tf.dispose(t);
  }
  const chars = set.meta.map((m) => m.character);
  for (const v of IDENTITY_VARIANTS) {
    const scores: number[] = [], pos: boolean[] = [], hardScores: number[] = [], hardPos: boolean[] = [];
    let sp = 0, sn = 0, np = 0, nn = 0;
    for (let i = 0; i < set.size; i++) for (let j = i + 1; j < set.size; j++) {
      const s = dot(embs[v][i], embs[v][j]);
      const same = chars[i] === chars[j];
      scores.push(s), pos.push(same);
      if (same) (sp += s), np++;
      else (sn += s), nn++;
      const a = identities.get(chars[i]), b = identities.get(chars[j]);
      if (same || (a && b && identityDistance(a, b) <= 2)) hardScores.push(s), hardPos.push(same);
    }
    const hardNeg = hardPos.filter((p) => !p).length;
    out[v] = { auc: rocAuc(scores, pos), aucHard: hardNeg ? rocAuc(hardScores, hardPos) : null, positives: np, negatives: nn, hardNegatives: hardNeg, meanPositive: sp / np, meanNegative: sn / nn };
  }
  return out;
}
