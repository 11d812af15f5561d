/**
 * zod schemas for every RoleScape-20 file type, written from the real files in
 * ../shared/rolescape20 (train/<Folder>/, test/<Folder>/, grpo/<Name>/).
 *
 * Policy: strict where a wrong value would break a consumer (wrong types, missing required
 * fields, unknown enum values of closed sets), tolerant of the quirks the real release has:
 *   - MCQ option values that are numbers ({A: 1, B: 2, ...}) -> read as strings;
 *   - knowledge-QA `evidence` that is a string or a list of strings -> always a list;
 *   - a garbled `reason游戏副本_steps` key instead of `reasoning_steps` -> read as reasoning_steps;
 *   - `scene_id` / `id` that are ints in some files and strings in others -> strings.
 * Unknown extra keys are not rejected here (zod strips them); `unknownKeys()` reports them
 * as warnings, so a new key never fails validation but is never silently invisible either.
 */
import { z } from 'zod';

const str = z.string();

/** `description` + `opening` head every JSON file of a character folder. */
const header = { description: str, opening: str };

/** Ids that some files write as ints and others as strings; consumers always get strings. */
export const IdSchema = z.union([z.string(), z.number().int()]).transform((v) => String(v));

// ---------- dialogues: annotation.json, <P>_dialogue_text_extension_{train,test}.json ----------

export const RoleSchema = z.enum(['user', 'machine']);

export const TurnSchema = z.object({
  role: RoleSchema,
  text: str,
  /** Image id = PNG basename without extension ("3" -> 3.png in the same split folder). */
  image: str.optional(),
});

/** A scene is a short exchange (in the release always [user, machine]). */
export const SceneSchema = z.array(TurnSchema).min(1);

export const AnnotationFileSchema = z.object({ ...header, scenes: z.array(SceneSchema) });

/** Same shape as annotation.json; turns may cite image ids that have no PNG (a real quirk). */
export const DialogueExtensionFileSchema = AnnotationFileSchema;

// ---------- <P>_with_image.json ----------

export const QaPairSchema = z.object({
  question: str,
  answer: str,
  type: z.enum(['objective', 'subjective']),
});

/** Option values are strings except for counting questions, where the release wrote ints. */
const OptionValue = z.union([z.string(), z.number()]).transform((v) => String(v));

export const AnswerKeySchema = z.enum(['A', 'B', 'C', 'D']);
export const DifficultySchema = z.enum(['easy', 'medium', 'hard']);

/** Image MCQ inside with_image turns (no `evidence`), and the base of knowledge MCQ. */
export const McqItemSchema = z.object({
  id: str,
  question: str,
  options: z.object({ A: OptionValue, B: OptionValue, C: OptionValue, D: OptionValue }),
  answer_key: AnswerKeySchema,
  difficulty: DifficultySchema,
  rationale: str,
  evidence: str.optional(),
});

export const WithImageTurnSchema = TurnSchema.extend({
  thinking_process: str.optional(),
  generation_instruction: str.optional(),
  /** Train split only: ~20 visual QA pairs per image. */
  qa_pairs: z.array(QaPairSchema).optional(),
  /** Train split only: ~5 image MCQs per image. */
  mcq_items: z.array(McqItemSchema).optional(),
});

export const WithImageFileSchema = z.object({
  ...header,
  scenes: z.array(z.array(WithImageTurnSchema).min(1)),
});

// ---------- <P>_t2i_instruction.json ----------

export const T2iInstructionFileSchema = z.object({
  ...header,
  t2i_instructions: z.array(z.object({ image_id: str, t2i_instruction: str })),
});

// ---------- <P>_knowledge_qa.json ----------

/** Rename a garbled `reason…_steps` key (real: `reason游戏副本_steps`) to `reasoning_steps`. */
function recoverReasoningSteps(v: unknown): unknown {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || 'reasoning_steps' in v) return v;
  const garbled = Object.keys(v).find((k) => /^reason.+_steps$/.test(k));
  return garbled ? { ...v, reasoning_steps: (v as Record<string, unknown>)[garbled] } : v;
}

export const KnowledgeQaItemSchema = z.preprocess(
  recoverReasoningSteps,
  z.object({
    id: str,
    question: str,
    answer: str,
    /** One quote, or a list of quotes (25 of the 1400 real items). */
    evidence: z.union([str.transform((s) => [s]), z.array(str)]),
    /** Open vocabulary in the release (fact, list, definition, … ~40 values). */
    type: str,
    difficulty: DifficultySchema,
    reasoning_steps: z.array(str).default([]),
    confidence: z.number().min(0).max(1),
  }),
);

export const KnowledgeQaFileSchema = z.object({ ...header, qa_items: z.array(KnowledgeQaItemSchema) });

// ---------- <P>_knowledge_qa_test.json ----------

export const KnowledgeMcqItemSchema = McqItemSchema.extend({ evidence: str });

export const KnowledgeMcqFileSchema = z.object({ ...header, mcq_items: z.array(KnowledgeMcqItemSchema) });

// ---------- <P>_memorization_test.json, <P>_personality_test.json ----------

export const TestQuestionsFileSchema = z.object({ ...header, test_questions: z.array(str) });

// ---------- processed/t2i/*.jsonl (one record per line) ----------

export const T2iRecordSchema = z.object({
  text: str,
  /** "personalized_data/<split>/<Folder>/<id>.png", relative to the official repo's data dir. */
  image: str,
  character: str,
  scene_id: IdSchema,
});

// ---------- processed/vlm/*.jsonl ----------

export const VlmRecordSchema = z.object({
  id: IdSchema,
  conversations: z.array(z.object({ from: z.enum(['human', 'gpt']), value: str })).min(1),
  image: str.optional(),
  qa_type: z.enum(['objective', 'subjective']).optional(),
});

// ---------- grpo/<Name>/<Name>_pure_t2i.jsonl and _pure_t2i_with_vqa.jsonl ----------

export const GrpoPromptRecordSchema = z.object({
  text: str,
  character: str,
  scene_id: IdSchema,
  /** A path in the official training setup (dataset/personalized_t2i/<Name>); not in this release. */
  reference_images_path: str,
});

export const VqaQuestionSchema = z.object({
  question: str,
  type: z.enum(['yes_no', 'multiple_choice', 'open_ended']),
  category: str,
  answer: str,
  /** Reward weight; the official scorer takes a weighted mean, so it must be finite and >= 0. */
  weight: z.number().finite().nonnegative(),
  is_negative: z.boolean(),
  choices: z.array(str).optional(),
});

export const GrpoVqaRecordSchema = GrpoPromptRecordSchema.extend({ vqa_questions: z.array(VqaQuestionSchema) });

// ---------- inferred types (the parsed, normalized shapes) ----------

export type TurnJson = z.infer<typeof TurnSchema>;
export type AnnotationFile = z.infer<typeof AnnotationFileSchema>;
export type DialogueExtensionFile = z.infer<typeof DialogueExtensionFileSchema>;
export type QaPairJson = z.infer<typeof QaPairSchema>;
export type McqItemJson = z.infer<typeof McqItemSchema>;
export type WithImageTurnJson = z.infer<typeof WithImageTurnSchema>;
export type WithImageFile = z.infer<typeof WithImageFileSchema>;
export type T2iInstructionFile = z.infer<typeof T2iInstructionFileSchema>;
export type KnowledgeQaItemJson = z.infer<typeof KnowledgeQaItemSchema>;
export type KnowledgeQaFile = z.infer<typeof KnowledgeQaFileSchema>;
export type KnowledgeMcqItemJson = z.infer<typeof KnowledgeMcqItemSchema>;
export type KnowledgeMcqFile = z.infer<typeof KnowledgeMcqFileSchema>;
export type TestQuestionsFile = z.infer<typeof TestQuestionsFileSchema>;
export type T2iRecord = z.infer<typeof T2iRecordSchema>;
export type VlmRecord = z.infer<typeof VlmRecordSchema>;
export type GrpoPromptRecord = z.infer<typeof GrpoPromptRecordSchema>;
export type VqaQuestionJson = z.infer<typeof VqaQuestionSchema>;
export type GrpoVqaRecord = z.infer<typeof GrpoVqaRecordSchema>;
