/**
 * The four task types of Unified-SFT (and of base pretraining), built from a loaded character as
 * tokenizer-independent segments. Like the official mixture: role-play dialogue (reply text first,
 * then the reply's image conditioned on it), knowledge QA, VQA on the character's images, and
 * text-to-image from instructions. Loss falls only on the character's side (`loss: true`).
 */
import type { Character, Scene, Split } from '../data/rolescape/types';

export const TASKS = ['roleplay', 'knowledge', 'vqa', 't2i'] as const;
export type Task = (typeof TASKS)[number];

/** Who a segment belongs to; each maps to a role token in the unified vocabulary. */
export type SegmentRole = 'sys' | 'user' | 'char';

export type Segment =
  | { role: SegmentRole; kind: 'text'; text: string; loss: boolean }
  /** `image` is the absolute path of the PNG (read at model size when batched). */
  | { role: SegmentRole; kind: 'image'; image: string; loss: boolean };

export interface Example {
  task: Task;
  character: string;
  segments: Segment[];
}

export interface TaskOptions {
  /** Put the character card (the annotation's description) in the system prompt. */
  card?: boolean;
  /** Only these training image ids (few-shot: the K reference images); default all. */
  imageIds?: ReadonlySet<string>;
  /** Which split to build from (default 'train'; 'test' gives held-out examples for validation curves). */
  split?: Split;
  /** Drop every image segment (text-only customization: dialogues without their pictures). */
  textOnly?: boolean;
  /** Extra text-to-image prompts per training image id, naming the character only (see data/synth trainingImagePrompts). */
  nameOnlyPrompts?: ReadonlyMap<string, readonly string[]> | null;
}

const sys = (c: Character, card: boolean): Segment => ({
  role: 'sys', kind: 'text', loss: false, text: card && c.description ? `${c.id}. ${c.description}` : c.id,
});
/** The context a customized model is prompted with: the system line with the character's id (no card), as in SFT. */
export function characterContext(c: Character): Segment[] {
  return [sys(c, false)];
}

const text = (role: SegmentRole, t: string, loss: boolean): Segment => ({ role, kind: 'text', text: t, loss });
const image = (role: SegmentRole, file: string, loss: boolean): Segment => ({ role, kind: 'image', image: file, loss });

function allowed(opts: TaskOptions, imageId: string | null): boolean {
  return imageId !== null && (!opts.imageIds || opts.imageIds.has(imageId));
}

/** One example per scene: user and character turns; an image on a character turn follows its text. */
export function roleplayExamples(c: Character, scenes: readonly Scene[], opts: TaskOptions = {}): Example[] {
  return scenes
    .filter((s) => s.turns.some((t) => t.role === 'machine'))
    .map((s) => ({
      task: 'roleplay' as const,
      character: c.id,
      segments: [
        sys(c, opts.card ?? false),
        ...s.turns.flatMap((t): Segment[] =>
          t.role === 'user'
            ? [text('user', t.text, false)]
            : [
                text('char', t.text, true),
                ...(t.imagePath && !opts.textOnly && allowed(opts, t.imageId) ? [image('char', t.imagePath, true)] : []),
              ],
        ),
      ],
    }));
}

export function knowledgeExamples(c: Character, opts: TaskOptions = {}): Example[] {
  return c.knowledgeQa.map((qa) => ({
    task: 'knowledge' as const,
    character: c.id,
    segments: [sys(c, opts.card ?? false), text('user', qa.question, false), text('char', qa.answer, true)],
  }));
}

/** VQA pairs on the training images (never the test split). */
export function vqaExamples(c: Character, opts: TaskOptions = {}): Example[] {
  return c.vqa
    .filter((v) => v.split === (opts.split ?? 'train') && v.imagePath && allowed(opts, v.imageId))
    .map((v) => ({
      task: 'vqa' as const,
      character: c.id,
      segments: [sys(c, opts.card ?? false), image('user', v.imagePath!, false), text('user', v.question, false), text('char', v.answer, true)],
    }));
}

/**
 * Text-to-image on the training images: each image once per instruction it has (the t2i
 * instruction, the generation instruction of the dialogue turn that shows it, and the name-only
 * prompts when given).
 */
export function t2iExamples(c: Character, opts: TaskOptions = {}): Example[] {
  const out: Example[] = [];
  const add = (instruction: string | null, file: string | null, imageId: string | null) => {
    if (!instruction || !file || !allowed(opts, imageId)) return;
    out.push({ task: 't2i', character: c.id, segments: [sys(c, opts.card ?? false), text('user', instruction, false), image('char', file, true)] });
  };
  const split = opts.split ?? 'train';
  for (const t of c.t2iInstructions[split]) add(t.instruction, t.imagePath, t.imageId);
  for (const s of c.dialogues[split]) for (const t of s.turns) add(t.generationInstruction, t.imagePath, t.imageId);
  if (split === 'train' && opts.nameOnlyPrompts) {
    for (const im of c.images.train) for (const p of opts.nameOnlyPrompts.get(im.id) ?? []) add(p, im.path, im.id);
  }
  return out;
}

/**
 * Every example of a character, by task: the train split by default. With `split: 'test'`, the
 * held-out examples (knowledge QA has no test split: its test side is the MCQ); with `textOnly`,
 * no image anywhere (no VQA, no t2i, dialogues without pictures).
 */
export function characterExamples(c: Character, opts: TaskOptions = {}): Record<Task, Example[]> {
  const split = opts.split ?? 'train';
  return {
    roleplay: [...roleplayExamples(c, c.dialogues[split], opts), ...roleplayExamples(c, c.textDialogues[split], opts)],
    knowledge: split === 'train' ? knowledgeExamples(c, opts) : [],
    vqa: opts.textOnly ? [] : vqaExamples(c, opts),
    t2i: opts.textOnly ? [] : t2iExamples(c, opts),
  };
}
