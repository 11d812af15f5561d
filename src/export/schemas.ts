/**
 * zod schemas of the files the export writes, in the exact shapes the official pipeline reads
 * (checked against the release's processed/ and grpo/ files and UniCharacter's loaders):
 *
 *   processed/t2i/*.jsonl   {text, image, character, scene_id}; scene_id an int, except in
 *                           <P>_pure_t2i.jsonl where it is the image id as a string
 *   processed/vlm/*.jsonl   {id, conversations[, image, qa_type]}; VQA ids are "<scene>_<pair>"
 *   grpo prompt files       {text, character, scene_id, reference_images_path[, vqa_questions]}
 *   <slug>_cmrp.yaml        groups of the official data/configs/<Name>/<name>_full.yaml
 *   personalized_t2i_bagel_<slug>_cmrp.yaml   the keys of flow_grpo/config/personalized_t2i_bagel.yaml
 *
 * The record schemas are the RoleScape loader's (src/data/rolescape/schemas.ts), made strict
 * (no key the official files lack) and exact about the types the loader's schemas normalize.
 */
import { z } from 'zod';
import { GrpoPromptRecordSchema, VqaQuestionSchema } from '../data/rolescape/schemas';

const imagePath = z.string().regex(/^personalized_data\/train\/[^/]+\/[^/]+\.png$/, 'expected "personalized_data/train/<Folder>/<id>.png"');

export const T2iOutSchema = z
  .object({ text: z.string().min(1), image: imagePath, character: z.string().min(1), scene_id: z.number().int().min(0) })
  .strict();
/** <P>_pure_t2i.jsonl: the scene id is the image id, a string. */
export const PureT2iOutSchema = T2iOutSchema.extend({ scene_id: z.string().min(1) }).strict();

const conversations = z.array(z.object({ from: z.enum(['human', 'gpt']), value: z.string() }).strict()).min(2);

export const VlmOutSchema = z.object({ id: z.number().int().min(0), conversations }).strict();
export const VqaOutSchema = z
  .object({
    id: z.string().regex(/^\d+_\d+$/, 'expected "<scene>_<pair>"'),
    image: imagePath,
    conversations: conversations.refine((c) => c[0].value.startsWith('<image>'), 'the question starts with <image>'),
    qa_type: z.enum(['objective', 'subjective']),
  })
  .strict();

export const GrpoPureOutSchema = GrpoPromptRecordSchema.extend({ scene_id: z.string().min(1) }).strict();
export const GrpoVqaOutSchema = GrpoPureOutSchema.extend({ vqa_questions: z.array(VqaQuestionSchema.strict()).min(1) }).strict();

// ---------- the Unified-SFT dataset config (data/configs/<Name>/<name>_full.yaml) ----------

const positiveInts = z.array(z.number().int().positive()).min(1);

const groupBase = {
  dataset_names: z.array(z.string().regex(/^[a-z0-9_]+$/)).min(1),
  is_mandatory: z.boolean(),
  num_used_data: positiveInts,
  weight: z.number().positive(),
};
const lengthsAgree = (g: { dataset_names: string[]; num_used_data: number[] }) => g.dataset_names.length === g.num_used_data.length;
const lengthsMessage = { message: 'dataset_names and num_used_data must have the same length', path: ['num_used_data'] };

export const T2iGroupSchema = z
  .object({ ...groupBase, image_transform_args: z.object({ image_stride: z.number().int(), max_image_size: z.number().int(), min_image_size: z.number().int() }).strict() })
  .strict()
  .refine(lengthsAgree, lengthsMessage);

export const VlmGroupSchema = z
  .object({
    ...groupBase,
    image_transform_args: z.object({ image_stride: z.number().int(), max_image_size: z.number().int(), min_image_size: z.number().int(), max_pixels: z.number().int() }).strict(),
    frame_sampler_args: z.object({ max_num_frames: z.number().int(), min_num_frames: z.number().int() }).strict(),
    shuffle_lines: z.boolean(),
    shuffle_seed: z.number().int(),
  })
  .strict()
  .refine(lengthsAgree, lengthsMessage);

/** Group names are keys of the official DATASET_REGISTRY (t2i_pretrain, vlm_sft). */
export const DatasetConfigSchema = z
  .object({ t2i_pretrain: T2iGroupSchema.optional(), vlm_sft: VlmGroupSchema.optional() })
  .strict()
  .refine((c) => c.t2i_pretrain || c.vlm_sft, 'expected at least one group');
export type DatasetConfig = z.infer<typeof DatasetConfigSchema>;

/** The entries appended to the official data/dataset_info.py, one per dataset name. */
export const DatasetInfoSchema = z
  .object({
    t2i_pretrain: z.record(z.object({ data_dir: z.string().regex(/_parquet$/), num_files: z.literal(1), num_total_samples: z.number().int().positive() }).strict()),
    vlm_sft: z.record(z.object({ data_dir: z.literal('data'), jsonl_path: z.string().regex(/\.jsonl$/), num_total_samples: z.number().int().positive() }).strict()),
  })
  .strict();
export type DatasetInfo = z.infer<typeof DatasetInfoSchema>;

// ---------- the Character-GRPO config (flow_grpo/config/personalized_t2i_bagel.yaml) ----------

const num = z.number().finite();
const nonneg = num.min(0);

/** Every key the official loader (flow_grpo/config/load_personalized_t2i_config.py) reads; unknown extra keys pass (an --official-yaml may carry some). */
export const GrpoYamlSchema = z
  .object({
    gpu_number: z.number().int().positive(),
    dataset: z.string().regex(/\.jsonl$/),
    model: z.object({ local_path: z.string(), remote_oss_path: z.string(), huggingface_id: z.string() }).passthrough(),
    sample: z
      .object({
        num_steps: z.number().int().positive(),
        eval_num_steps: z.number().int().positive(),
        guidance_scale: num,
        eval_guidance_scale: num,
        train_batch_size: z.number().int().positive(),
        num_image_per_prompt: z.number().int().min(2),
        test_batch_size: z.number().int().positive(),
        same_latent: z.boolean(),
        global_std: z.boolean(),
        noise_level: num,
        sde_window_size: z.number().int().positive(),
        sde_window_range: z.tuple([z.number().int(), z.number().int().nullable()]),
      })
      .passthrough(),
    train: z
      .object({
        cfg: z.boolean(),
        ema: z.boolean(),
        batch_size: z.number().int().positive().nullable(),
        gradient_accumulation_steps: z.number().int().positive().nullable(),
        num_inner_epochs: z.number().int().positive(),
        clip_range_lt: num.positive(),
        clip_range_gt: num.positive(),
        beta: nonneg,
        learning_rate: num.positive(),
      })
      .passthrough(),
    resolution: z.number().int().positive(),
    mixed_precision: z.string(),
    use_lora: z.boolean(),
    activation_checkpointing: z.boolean(),
    fsdp_optimizer_offload: z.boolean(),
    save_freq: z.number().int().positive(),
    eval_freq: z.number().int().positive(),
    num_epochs: z.number().int().positive(),
    save_dir: z.object({ full: z.string() }).passthrough(),
    run_name: z.object({ full: z.string() }).passthrough(),
    reward_fn: z.object({ personalized_t2i: num }).strict(),
    reward_weights: z
      .object({ vqa: nonneg, clip_t: nonneg, diversity_lpips: nonneg, dino_penalty: nonneg, dino_threshold_high: nonneg.max(1), dino_threshold_low: nonneg.max(1) })
      .strict(),
    prompt_fn: z.literal('personalized_t2i'),
    per_prompt_stat_tracking: z.boolean(),
  })
  .passthrough();
export type GrpoYaml = z.infer<typeof GrpoYamlSchema>;

/**
 * Check a value about to be written; returns it as is (zod's output would reorder keys into the
 * schema's order, and the files keep the release's). The first problem as `<what>: <field>:
 * <message>`, an Error: a bug of ours, not the user's.
 */
export function checkWritten<S extends z.ZodTypeAny>(schema: S, value: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new Error(`export: ${what}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return value as z.infer<S>;
}
