/**
 * What the suite evaluates for one character, all held out from Unified-SFT's training examples
 * (`characterExamples` reads the train split only): the TEST dialogues, the knowledge MCQ, the
 * memorization and personality questions, VQA on the TEST images, and the GRPO prompts of the
 * eval side of `splitGrpoPrompts` (Character-GRPO trains on the other side). One function picks
 * them, so the gathers and the held-out test see the same items.
 */
import type { Character, GrpoPrompt, Mcq, Scene, Turn } from '../../data/rolescape/types';
import { splitGrpoPrompts } from '../../data/grpo-split';
import { imageQaPairs } from '../../data/synth/imageqa';
import { characterExamples } from '../../train/tasks';
import type { EvalConfig } from './config';
import type { SynthTruth } from '../../data/synth/truth';
import { normalizeAnswer, stripQuotes } from '../../metrics/text';

/** One reply to write: the user turns before a test scene's first character turn. */
export interface Exchange {
  kind: 'image' | 'text';
  sceneIndex: number;
  user: string[];
  /** The character's own reply in the data (never shown to the policy). */
  reference: Turn;
}

export interface VqaItem {
  id: string;
  imageId: string;
  imagePath: string;
  question: string;
  answer: string;
  /** 'data': the dataset's test-split pairs; 'labels': built from a synthetic image's ground truth. */
  source: 'data' | 'labels';
  /**
   * The question's answer varies across the character's images (training pairs and held-out items):
   * scene, expression, action, held item... A constant one (hair, outfit, eyes, kind) can be answered
   * from memory without looking, so `vqa_acc_image_dependent` scores the dependent ones alone.
   */
  imageDependent: boolean;
}

export interface EvalItems {
  /** Test dialogues for style (image-grounded first, then text-only). */
  dialogues: Exchange[];
  personality: string[];
  memorization: string[];
  /** Knowledge MCQ whose question is not, verbatim, a question SFT trains on. */
  mcq: Mcq[];
  /**
   * Knowledge MCQ whose question IS a training knowledge-QA question (trained with its answer):
   * 134 of the 200 synthetic MCQ, 24 of the 140 real ones. Scored apart (knowledge_mcq_acc_all).
   */
  mcqSeen: Mcq[];
  vqa: VqaItem[];
  t2i: GrpoPrompt[];
  /** Test image-dialogues whose reply carries an image, for multimodal role-play. */
  mmrp: Exchange[];
}

/**
 * Every RoleScape-20 and synthetic test scene is one exchange (user, then the character), so one
 * reply per scene, to the turns before its first character turn.
 */
export function exchanges(scenes: readonly Scene[], kind: Exchange['kind']): Exchange[] {
  const out: Exchange[] = [];
  for (const s of scenes) {
    const i = s.turns.findIndex((t) => t.role === 'machine');
    const user = s.turns.slice(0, Math.max(0, i)).filter((t) => t.role === 'user' && t.text.trim()).map((t) => t.text);
    if (i > 0 && user.length) out.push({ kind, sceneIndex: s.index, user, reference: s.turns[i] });
  }
  return out;
}

/**
 * Held-out VQA: the dataset's test-split pairs when it has them. Neither RoleScape-20 nor the
 * synthetic generator ships any (their VQA covers training images only), so for a synthetic
 * character the pairs are built from each test image's labels with the generator's own objective
 * templates: the same questions and answer sentences SFT trains on for the training images.
 */
export function heldOutVqa(c: Character, truth: SynthTruth | null): VqaItem[] {
  const data = c.vqa.filter((v) => v.split === 'test' && v.imagePath);
  if (data.length) return markImageDependence(c, data.map((v) => ({ id: v.id, imageId: v.imageId, imagePath: v.imagePath!, question: v.question, answer: v.answer, source: 'data' as const })));
  if (!truth?.spec) return [];
  const out: Omit<VqaItem, 'imageDependent'>[] = [];
  for (const img of truth.entry.images.test) {
    const ref = c.images.test.find((i) => i.id === img.imageId);
    if (!ref) continue;
    imageQaPairs(truth.spec, img, '', 99, 0).forEach((qa, k) =>
      out.push({ id: `${img.imageId}_${k}`, imageId: img.imageId, imagePath: ref.path, question: qa.question, answer: qa.answer, source: 'labels' }),
    );
  }
  return markImageDependence(c, out);
}

/**
 * Image-dependent: the question (normalized) has more than one distinct answer among the
 * character's training VQA pairs and the held-out items together; else constant (one answer
 * whatever the image, which a model can give from memory).
 */
export function markImageDependence(c: Pick<Character, 'vqa'>, items: readonly Omit<VqaItem, 'imageDependent'>[]): VqaItem[] {
  const answers = new Map<string, Set<string>>();
  const add = (q: string, a: string) => {
    const k = normalizeAnswer(q);
    if (!answers.has(k)) answers.set(k, new Set());
    answers.get(k)!.add(normalizeAnswer(a));
  };
  for (const v of c.vqa) if (v.split === 'train') add(v.question, v.answer);
  for (const it of items) add(it.question, it.answer);
  return items.map((it) => ({ ...it, imageDependent: answers.get(normalizeAnswer(it.question))!.size > 1 }));
}

/** The eval side of the GRPO split (split by prompt text, so a text repeated under two ids stays on one side). */
export function heldOutGrpo(c: Character): GrpoPrompt[] {
  return splitGrpoPrompts(c.grpo).eval;
}

/** Every text of the character's Unified-SFT training examples (prompts and targets). */
export function trainingTexts(c: Character): Set<string> {
  const texts = new Set<string>();
  for (const ex of Object.values(characterExamples(c)).flat()) for (const s of ex.segments) if (s.kind === 'text') texts.add(s.text.trim());
  return texts;
}

export function evaluationItems(c: Character, config: EvalConfig, truth: SynthTruth | null): EvalItems {
  const imageDialogues = exchanges(c.dialogues.test, 'image');
  const seen = trainingTexts(c);
  return {
    dialogues: [...imageDialogues, ...exchanges(c.textDialogues.test, 'text')].slice(0, config.max_dialogues),
    personality: c.personalityQuestions.map(stripQuotes).slice(0, config.max_personality),
    memorization: c.memorizationQuestions.slice(0, config.max_memorization),
    mcq: c.knowledgeMcq.filter((m) => !seen.has(m.question.trim())).slice(0, config.max_mcq),
    mcqSeen: c.knowledgeMcq.filter((m) => seen.has(m.question.trim())).slice(0, config.max_mcq),
    vqa: heldOutVqa(c, truth).slice(0, config.max_vqa),
    t2i: heldOutGrpo(c).slice(0, config.max_t2i_prompts),
    mmrp: imageDialogues.filter((e) => e.reference.imagePath !== null).slice(0, config.max_mmrp),
  };
}
