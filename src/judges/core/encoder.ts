/**
 * The judges' shared image encoder: a small MLP-Mixer over 8x8 patches of a 32x32 RGB image.
 *
 *   x [B, 32, 32, 3] → patches [B, 16, 192] → linear + position → n_layer x (token-mixing MLP,
 *   channel-mixing MLP), pre-norm residual → LayerNorm → tokens [B, 16, C]
 *   pooled [B, C * (1 + n_pool)] = mean over tokens ++ n_pool learned spatial poolings
 *
 * Why a mixer: WASM has no gradient for conv weights (Conv2DBackpropFilter) and runs batched or
 * transposed matMuls on its slow path, so every layer here is a plain 2-D matMul (`ops.linear`)
 * between explicit transposes. The learned spatial poolings keep where things are (the figure is
 * always centred, the eyes and the prop hand at fixed places), which a mean would throw away.
 *
 * `layers` returns the activations after the patch embedding and after each block: LPIPS reads them.
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import * as ops from '../../model/ops';
import { Rng } from '../../util/rng';
import { IMAGE_SIZE } from './images';

export const EncoderConfigSchema = z
  .object({
    patch: z.number().int().positive().default(8), // patch side in pixels: 8 → 16 tokens of 8x8x3 (4 → 64 tokens: finer, 3.5x the cost per step, no better)
    n_embd: z.number().int().positive().default(96), // channels C per token
    n_layer: z.number().int().nonnegative().default(2), // mixer blocks
    token_hidden: z.number().int().positive().default(64), // hidden width of the token-mixing MLP
    mlp_ratio: z.number().int().positive().default(2), // channel-mixing MLP hidden = mlp_ratio * C
    n_pool: z.number().int().nonnegative().default(4), // learned spatial poolings (each a softmax-free weighted sum over tokens)
  })
  .strict()
  .superRefine((c, ctx) => {
    if (IMAGE_SIZE % c.patch !== 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['patch'], message: `patch ${c.patch} does not divide ${IMAGE_SIZE}` });
  });

export type EncoderConfig = z.infer<typeof EncoderConfigSchema>;
export type EncoderConfigInput = z.input<typeof EncoderConfigSchema>;

export interface EncoderOutput {
  /** Final normalized tokens [B, T, C]. */
  tokens: tf.Tensor3D;
  /** [B, C * (1 + n_pool)]. */
  pooled: tf.Tensor2D;
  /** Activations after the patch embedding and after each block, each [B, T, C]. */
  layers: tf.Tensor3D[];
}

/** A named parameter set with seeded initialisation; judges compose encoders and heads into one. */
export class Params {
  readonly vars = new Map<string, tf.Variable>();

  constructor(readonly rng: Rng) {}

  normal(name: string, shape: number[], std: number): tf.Variable {
    return this.add(name, shape, () => this.rng.normal() * std);
  }

  constant(name: string, shape: number[], v: number): tf.Variable {
    return this.add(name, shape, () => v);
  }

  add(name: string, shape: number[], init: () => number): tf.Variable {
    if (this.vars.has(name)) throw new Error(`Params: duplicate parameter ${name}`);
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = init();
    const v = tf.tidy(() => tf.variable(tf.tensor(data, shape), true, `${name}#${nextId++}`)); // tidy frees the initial value
    this.vars.set(name, v);
    return v;
  }

  get(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new Error(`Params: no parameter ${name}`);
    return v;
  }

  /** A matrix parameter. */
  w(name: string): tf.Tensor2D {
    return this.get(name) as unknown as tf.Tensor2D;
  }

  /** A vector parameter (bias, norm gain). */
  b(name: string): tf.Tensor1D {
    return this.get(name) as unknown as tf.Tensor1D;
  }

  list(): tf.Variable[] {
    return [...this.vars.values()];
  }

  count(prefix = ''): number {
    let n = 0;
    for (const [k, v] of this.vars) if (k.startsWith(prefix)) n += v.size;
    return n;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

// tf variable names are global per process: a counter keeps two judges' "enc.pos" apart
let nextId = 0;

/** x [B, H, W, 3] → [B, T, p*p*3] with T = (H/p)*(W/p), patches in row-major order. */
export function patchify(x: tf.Tensor4D, p: number): tf.Tensor3D {
  const [B, H, W, Ch] = x.shape;
  const gh = H / p, gw = W / p;
  return tf.reshape(tf.transpose(tf.reshape(x, [B, gh, p, gw, p, Ch]), [0, 1, 3, 2, 4, 5]), [B, gh * gw, p * p * Ch]) as tf.Tensor3D;
}

export class ImageEncoder {
  readonly config: EncoderConfig;
  readonly tokens: number; // T
  readonly patchDim: number; // p*p*3

  constructor(readonly params: Params, readonly prefix: string, config: EncoderConfigInput = {}) {
    this.config = EncoderConfigSchema.parse(config);
    const c = this.config;
    const C = c.n_embd, T = (this.tokens = (IMAGE_SIZE / c.patch) ** 2), P = (this.patchDim = c.patch * c.patch * 3);
    const Hc = c.mlp_ratio * C, Ht = c.token_hidden;
    const res = 1 / Math.sqrt(2 * Math.max(1, c.n_layer)); // residual branches start small
    const n = (name: string, shape: number[], std: number) => params.normal(`${prefix}.${name}`, shape, std);
    const k = (name: string, shape: number[], v: number) => params.constant(`${prefix}.${name}`, shape, v);
    n('patch.weight', [P, C], 1 / Math.sqrt(P));
    k('patch.bias', [C], 0);
    n('pos', [T, C], 0.02);
    for (let l = 0; l < c.n_layer; l++) {
      k(`h.${l}.ln_1.weight`, [C], 1), k(`h.${l}.ln_1.bias`, [C], 0);
      n(`h.${l}.tok.fc.weight`, [T, Ht], 1 / Math.sqrt(T)), k(`h.${l}.tok.fc.bias`, [Ht], 0);
      n(`h.${l}.tok.proj.weight`, [Ht, T], res / Math.sqrt(Ht)), k(`h.${l}.tok.proj.bias`, [T], 0);
      k(`h.${l}.ln_2.weight`, [C], 1), k(`h.${l}.ln_2.bias`, [C], 0);
      n(`h.${l}.ch.fc.weight`, [C, Hc], 1 / Math.sqrt(C)), k(`h.${l}.ch.fc.bias`, [Hc], 0);
      n(`h.${l}.ch.proj.weight`, [Hc, C], res / Math.sqrt(Hc)), k(`h.${l}.ch.proj.bias`, [C], 0);
    }
    k('ln_f.weight', [C], 1), k('ln_f.bias', [C], 0);
    // spatial poolings start as plain means plus a little noise, so they can specialise
    if (c.n_pool > 0) params.add(`${prefix}.pool`, [T, c.n_pool], () => 1 / T + params.rng.normal() * (0.5 / T));
  }

  /** Width of `pooled`. */
  get pooledDim(): number {
    return this.config.n_embd * (1 + this.config.n_pool);
  }

  private w(name: string): tf.Tensor2D {
    return this.params.w(`${this.prefix}.${name}`);
  }

  private b(name: string): tf.Tensor1D {
    return this.params.b(`${this.prefix}.${name}`);
  }

  /** x [B, 32, 32, 3] floats in 0..1. Call inside tf.tidy (or dispose the outputs). */
  forward(x: tf.Tensor4D): EncoderOutput {
    const c = this.config;
    const B = x.shape[0], T = this.tokens, C = c.n_embd;
    const patches = patchify(tf.sub(tf.mul(x, 2), 1) as tf.Tensor4D, c.patch); // [B, T, P] in -1..1
    let h = tf.add(ops.linear(patches, this.w('patch.weight'), this.b('patch.bias')), this.w('pos')) as tf.Tensor3D; // [B, T, C]
    const layers: tf.Tensor3D[] = [h];
    for (let l = 0; l < c.n_layer; l++) {
      const w = (s: string) => this.w(`h.${l}.${s}`), b = (s: string) => this.b(`h.${l}.${s}`);
      // token mixing: each channel's T values through an MLP over positions
      const u = tf.reshape(tf.transpose(ops.layerNorm(h, b('ln_1.weight'), b('ln_1.bias')), [0, 2, 1]), [B * C, T]); // [B*C, T]
      const um = ops.linear(ops.relu(ops.linear(u, w('tok.fc.weight'), b('tok.fc.bias'))), w('tok.proj.weight'), b('tok.proj.bias')); // [B*C, T]
      h = tf.add(h, tf.transpose(tf.reshape(um, [B, C, T]), [0, 2, 1])) as tf.Tensor3D;
      // channel mixing: each token's C values through an MLP
      const v = ops.layerNorm(h, b('ln_2.weight'), b('ln_2.bias'));
      h = tf.add(h, ops.linear(ops.relu(ops.linear(v, w('ch.fc.weight'), b('ch.fc.bias'))), w('ch.proj.weight'), b('ch.proj.bias'))) as tf.Tensor3D;
      layers.push(h);
    }
    const tokens = ops.layerNorm(h, this.b('ln_f.weight'), this.b('ln_f.bias')) as tf.Tensor3D;
    const parts: tf.Tensor2D[] = [tf.mean(tokens, 1) as tf.Tensor2D];
    if (c.n_pool > 0) {
      const byChannel = tf.reshape(tf.transpose(tokens, [0, 2, 1]), [B * C, T]); // [B*C, T]
      parts.push(tf.reshape(ops.linear(byChannel, this.w('pool')), [B, C * c.n_pool]) as tf.Tensor2D); // [B, C*K]
    }
    return { tokens, pooled: parts.length === 1 ? parts[0] : (tf.concat(parts, 1) as tf.Tensor2D), layers };
  }
}
