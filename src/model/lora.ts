/**
 * LoRA adapters (Hu et al. 2021) for the unified model: each adapted linear layer W [in, out] gains
 * a low-rank update (alpha / r) * A B with A [in, r] (small random) and B [r, out] (zeros), so a
 * fresh adapter leaves the model unchanged. Only A and B train; the base stays frozen and shared,
 * and one base serves many characters by swapping adapters (saved on their own, adapter.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { z } from 'zod';
import { Rng } from '../util/rng';
import type { Transformer } from './transformer';

/** Which linear layers of every block (and every MoT expert) get an adapter. */
export const LORA_TARGETS = ['c_attn', 'attn.c_proj', 'c_fc', 'mlp.c_proj'] as const;

export const LoraSchema = z
  .object({
    rank: z.number().int().positive().max(1024).default(8), // r: the update's rank
    alpha: z.number().finite().positive().max(10_000).default(16), // the update is scaled by alpha / r
    targets: z.array(z.enum(LORA_TARGETS)).nonempty().default([...LORA_TARGETS]), // adapted layers (all expert copies)
    init_std: z.number().finite().positive().max(1).default(0.02), // std of A's normal init (B starts at zero)
  })
  .strict();
export type LoraConfig = z.infer<typeof LoraSchema>;

export class LoraAdapters {
  /** `<layer name>.lora_A` [in, r] and `<layer name>.lora_B` [r, out], by base layer name. */
  readonly params = new Map<string, tf.Variable>();
  readonly scale: number;

  constructor(readonly config: LoraConfig, model: Transformer, seed = 0) {
    this.scale = config.alpha / config.rank;
    const rng = new Rng(seed);
    for (const [name, w] of model.params) {
      if (!name.endsWith('.weight') || w.rank !== 2 || !name.startsWith('h.')) continue;
      const layer = name.slice(0, -'.weight'.length);
      if (!config.targets.some((t) => layer.includes(`.${t}`))) continue;
      const [inDim, outDim] = w.shape as [number, number];
      const r = rng.fork(layer);
      const a = new Float32Array(inDim * config.rank).map(() => r.normal() * config.init_std);
      this.params.set(`${layer}.lora_A`, tf.tidy(() => tf.variable(tf.tensor2d(a, [inDim, config.rank]), true)));
      this.params.set(`${layer}.lora_B`, tf.tidy(() => tf.variable(tf.zeros([config.rank, outDim]), true)));
    }
    if (this.params.size === 0) throw new Error(`LoraAdapters: no layer of the model matches targets ${config.targets.join(', ')}`);
  }

  /** (A, B) of a base layer, or null when it has no adapter. */
  of(layer: string): [tf.Variable, tf.Variable] | null {
    const a = this.params.get(`${layer}.lora_A`);
    return a ? [a, this.params.get(`${layer}.lora_B`)!] : null;
  }

  numParams(): number {
    let n = 0;
    for (const v of this.params.values()) n += v.size;
    return n;
  }

  dispose(): void {
    tf.dispose([...this.params.values()]);
    this.params.clear();
  }
}
