/**
 * The tiny unified model's configuration: one zod schema, every field defaulted and commented,
 * unknown keys rejected. Save the resolved config (`resolveModelConfig(...)`) with every
 * checkpoint and log.
 *
 * Departures from BAGEL/UniCharacter: images are discrete codes in the same vocabulary as text
 * (no ViT/VAE, no flow matching), so one LM head predicts both; Mixture-of-Transformers routes by
 * a per-token modality id (0 text, 1 image) instead of understanding vs generation experts.
 */
import { z } from 'zod';

// the vocabulary decides which tokens are image codes, hence their modality ids
export { MODALITY_TEXT, MODALITY_IMAGE } from '../tokenizers/vocab';

export const ModelConfigSchema = z
  .object({
    vocab_size: z.number().int().positive().max(65_536).default(1536), // text tokens + image codes (e.g. 1024 + 512), one shared vocabulary
    n_layer: z.number().int().positive().max(64).default(4), // transformer blocks
    n_head: z.number().int().positive().max(64).default(4), // attention heads; n_embd must divide evenly
    n_embd: z.number().int().positive().max(4096).default(128), // residual stream width C
    block_size: z.number().int().positive().max(8192).default(256), // longest sequence (learned position table size)
    image_positions: z.enum(['absolute', 'grid']).default('absolute'), // 'grid': the k-th code of an image gets grid position k whatever precedes the image (a drawing does not depend on the prompt's length); 'absolute': its sequence position, like text
    image_tokens: z.number().int().positive().max(4096).default(64), // codes per image: the grid positions' table size (tokenizer's tokensPerImage)
    dropout: z.number().finite().min(0).max(1).default(0), // dropout on attention/MLP outputs and embeddings while training
    experts: z.enum(['mot', 'dense']).default('mot'), // 'mot': BAGEL-style Mixture-of-Transformers, separate FFN weights per modality; 'dense': one shared FFN
    mot_attention: z.boolean().default(true), // with experts='mot', also separate q/k/v and output projections per modality (BAGEL does); attention itself stays shared
    mlp_ratio: z.number().int().positive().max(16).default(4), // FFN hidden width = mlp_ratio * n_embd (ReLU)
    norm: z.enum(['layernorm', 'rmsnorm']).default('layernorm'), // normalization before attention, FFN and the LM head
    norm_affine: z.boolean().default(true), // learnable gain on each norm (torch_tiny.py's reference has none)
    bias: z.boolean().default(false), // biases in linear layers (nanoGPT default false: a bit faster, as good)
    tie_embeddings: z.boolean().default(true), // LM head reuses the token embedding table wte
    init_std: z.number().finite().positive().max(1).default(0.02), // std of the normal init; residual projections get init_std / sqrt(2 n_layer)
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.n_embd % c.n_head !== 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['n_head'], message: `n_head ${c.n_head} does not divide n_embd ${c.n_embd}` });
  });

export type ModelConfig = z.infer<typeof ModelConfigSchema>;
export type ModelConfigInput = z.input<typeof ModelConfigSchema>;

/** Validate and fill defaults; throws a ZodError naming the bad key. */
export function resolveModelConfig(input: ModelConfigInput = {}): ModelConfig {
  return ModelConfigSchema.parse(input);
}

/** The shape of /work/shared/bench/torch_tiny.py: dense, no affine norms, no biases, tied head. */
export const REFERENCE_CONFIG: ModelConfigInput = {
  vocab_size: 512,
  n_embd: 128,
  block_size: 64,
  n_layer: 2,
  n_head: 4,
  experts: 'dense',
  norm_affine: false,
  bias: false,
  tie_embeddings: true,
};

/**
 * The "base" config for laptop-CPU experiments: 4 layers of width 128 over 256 positions, a
 * vocabulary of 16 specials + 1008 text tokens + 1024 image codes, MoT on (text and image FFN and
 * attention projections), image codes at grid positions.
 */
export const BASE_CONFIG: ModelConfigInput = {
  vocab_size: 2048,
  n_layer: 4,
  n_head: 4,
  n_embd: 128,
  block_size: 256,
  experts: 'mot',
  mot_attention: true,
  image_positions: 'grid',
};
