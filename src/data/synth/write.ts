/**
 * Layout writer: a character bundle -> the RoleScape-20 files (train/<P>/, test/<P>/,
 * grpo/<P>/) with the real files' names, keys, key order and value types, plus the image
 * jobs (one SVG per PNG). Folder name = file prefix = character id, which has no spaces.
 */
import * as path from 'node:path';
import { SIZES, Bundle, ImageScene } from './bundle';
import { fullProfile, simplifiedProfile } from './profile';
import { generationInstruction, imageMcqs, imageQaPairs, t2iInstruction, thinkingProcess } from './imageqa';
import { IMAGE_PATH_PREFIX, REFERENCE_PATH_PREFIX, t2iPrompt, t2iThinkingPrompt, vlmPrompt, vlmThinkingAnswer, vlmThinkingPrompt } from './templates';
import type { Exchange } from './dialogue';
import { rngFor } from './seed';

export interface TextFile {
  /** Relative to the dataset root, '/'-separated. */
  readonly path: string;
  readonly content: string;
}

export interface ImageJob {
  readonly split: 'train' | 'test';
  readonly character: string;
  readonly imageId: string;
  readonly scene: ImageScene;
  /** 128x128 PNG path (the numbered PNG of the real layout). */
  readonly masterPath: string;
  /** 32x32 PNG path: `model32/<split>/<P>/<n>.png` (outside the character folders, which keep the real layout). */
  readonly modelPath: string;
}

/** Root folder of the 32x32 copies: `model32/` + the master's path. */
export const MODEL_DIR = 'model32';

export function modelPathOf(masterPath: string): string {
  return `${MODEL_DIR}/${masterPath}`;
}

const sizesFor = (b: Bundle) => SIZES[b.split];
/** The release writes weights and confidences as floats (1.0); JSON.stringify would write 1. */
const floats = (text: string): string => text.replace(/("(?:weight|confidence)":\s?)(-?\d+)(?=[,}\s])/g, '$1$2.0');
const json = (v: unknown): string => floats(JSON.stringify(v, null, 2)) + '\n';
const jsonl = (rows: unknown[]): string => rows.map((r) => floats(JSON.stringify(r))).join('\n') + (rows.length ? '\n' : '');

function dialogueScenes(xs: readonly Exchange[]): unknown[] {
  return xs.map((e) => [
    { role: 'user', text: e.user },
    { role: 'machine', text: e.machine },
  ]);
}

function imagePath(split: 'train' | 'test', id: string, imageId: string): string {
  return `${IMAGE_PATH_PREFIX}${split}/${id}/${imageId}.png`;
}

/** Files shared by train/ and test/: annotation, with_image, t2i instruction, processed/t2i. */
function imageSplitFiles(b: Bundle, split: 'train' | 'test', scenes: readonly ImageScene[], rich: boolean): TextFile[] {
  const P = b.spec.id;
  const dir = `${split}/${P}`;
  const head = { description: b.description, opening: b.opening };
  const rng = rngFor(b.seed, b.split, P, `with-image-${split}`);
  const annotation = scenes.map((s) => [
    { role: 'user', text: s.exchange.user },
    { role: 'machine', text: s.exchange.machine, image: s.imageId },
  ]);
  const withImage = scenes.map((s) => [
    { role: 'user', text: s.exchange.user },
    {
      role: 'machine',
      text: s.exchange.machine,
      image: s.imageId,
      thinking_process: thinkingProcess(b.spec, s.label),
      generation_instruction: generationInstruction(b.spec, s.label),
      ...(rich
        ? {
            qa_pairs: imageQaPairs(b.spec, s.label, s.exchange.machine, sizesFor(b).qaObjective, sizesFor(b).qaSubjective),
            mcq_items: imageMcqs(b.spec, s.label, rng, sizesFor(b).imageMcq),
          }
        : {}),
    },
  ]);
  const rec = (s: ImageScene, text: string, sceneId: string | number) => ({ text, image: imagePath(split, P, s.imageId), character: P, scene_id: sceneId });
  return [
    { path: `${dir}/annotation.json`, content: json({ ...head, scenes: annotation }) },
    { path: `${dir}/${P}_with_image.json`, content: json({ ...head, scenes: withImage }) },
    { path: `${dir}/${P}_t2i_instruction.json`, content: json({ ...head, t2i_instructions: scenes.map((s) => ({ image_id: s.imageId, t2i_instruction: t2iInstruction(b.spec, s.label) })) }) },
    { path: `${dir}/${P}_full_profile.txt`, content: fullProfile(b.spec) },
    { path: `${dir}/processed/t2i/${P}_pure_t2i.jsonl`, content: jsonl(scenes.map((s) => rec(s, t2iInstruction(b.spec, s.label), s.imageId))) },
    { path: `${dir}/processed/t2i/${P}_t2i.jsonl`, content: jsonl(scenes.map((s, i) => rec(s, t2iPrompt(b.description, s.exchange.user, s.exchange.machine), i))) },
    { path: `${dir}/processed/t2i/${P}_t2i_generation_instruction_only.jsonl`, content: jsonl(scenes.map((s, i) => rec(s, generationInstruction(b.spec, s.label), i))) },
    {
      path: `${dir}/processed/t2i/${P}_t2i_with_thinking.jsonl`,
      content: jsonl(scenes.map((s, i) => rec(s, t2iThinkingPrompt(b.description, s.exchange.user, s.exchange.machine, thinkingProcess(b.spec, s.label), generationInstruction(b.spec, s.label)), i))),
    },
  ];
}

function trainOnlyFiles(b: Bundle): TextFile[] {
  const P = b.spec.id;
  const dir = `train/${P}`;
  const head = { description: b.description, opening: b.opening };
  const conv = (human: string, gpt: string) => [
    { from: 'human', value: human },
    { from: 'gpt', value: gpt },
  ];
  const vlm = (xs: readonly Exchange[]) => xs.map((e, i) => ({ id: i, conversations: conv(vlmPrompt(b.description, b.opening, e.user, P), e.machine) }));
  const vqa = b.train.flatMap((s) =>
    imageQaPairs(b.spec, s.label, s.exchange.machine, sizesFor(b).qaObjective, sizesFor(b).qaSubjective).map((q, k) => ({
      id: `${s.imageId}_${k}`,
      image: imagePath('train', P, s.imageId),
      conversations: conv(`<image>${q.question}`, q.answer),
      qa_type: q.type,
    })),
  );
  return [
    { path: `${dir}/${P}_personality_simplified_profile.txt`, content: simplifiedProfile(b.spec) },
    { path: `${dir}/${P}_dialogue_text_extension_train.json`, content: json({ ...head, scenes: dialogueScenes(b.extensionTrain) }) },
    { path: `${dir}/${P}_dialogue_text_extension_test.json`, content: json({ ...head, scenes: dialogueScenes(b.extensionTest) }) },
    { path: `${dir}/${P}_knowledge_qa.json`, content: json({ ...head, qa_items: b.qa }) },
    { path: `${dir}/${P}_knowledge_qa_test.json`, content: json({ ...head, mcq_items: b.mcq }) },
    { path: `${dir}/${P}_memorization_test.json`, content: json({ ...head, test_questions: b.memorization }) },
    { path: `${dir}/${P}_personality_test.json`, content: json({ ...head, test_questions: b.personality }) },
    { path: `${dir}/processed/vlm/${P}_vlm.jsonl`, content: jsonl(vlm(b.train.map((s) => s.exchange))) },
    { path: `${dir}/processed/vlm/${P}_vlm_extension.jsonl`, content: jsonl(vlm(b.extensionTrain)) },
    {
      path: `${dir}/processed/vlm/${P}_vlm_thinking.jsonl`,
      content: jsonl(b.train.map((s, i) => ({ id: i, conversations: conv(vlmThinkingPrompt(b.description, s.exchange.user, s.exchange.machine), vlmThinkingAnswer(thinkingProcess(b.spec, s.label), generationInstruction(b.spec, s.label))) }))),
    },
    { path: `${dir}/processed/vlm/${P}_knowledge_qa.jsonl`, content: jsonl(b.qa.map((q, i) => ({ id: i, conversations: conv(q.question, q.answer) }))) },
    { path: `${dir}/processed/vlm/${P}_vqa.jsonl`, content: jsonl(vqa) },
  ];
}

function grpoFiles(b: Bundle): TextFile[] {
  const P = b.spec.id;
  const dir = `grpo/${P}`;
  const base = (i: number, text: string) => ({ text, character: P, scene_id: String(i), reference_images_path: `${REFERENCE_PATH_PREFIX}${P}` });
  return [
    { path: `${dir}/${P}_full_profile.txt`, content: fullProfile(b.spec) },
    { path: `${dir}/${P}_pure_t2i.jsonl`, content: jsonl(b.grpo.map((g, i) => base(i, g.text))) },
    { path: `${dir}/${P}_pure_t2i_with_vqa.jsonl`, content: jsonl(b.grpo.map((g, i) => ({ ...base(i, g.text), vqa_questions: g.vqa }))) },
  ];
}

/** All text files of one character, in a fixed order. */
export function characterFiles(b: Bundle): TextFile[] {
  return [...imageSplitFiles(b, 'train', b.train, true), ...trainOnlyFiles(b), ...imageSplitFiles(b, 'test', b.test, false), ...grpoFiles(b)];
}

export function imageJobs(b: Bundle): ImageJob[] {
  const P = b.spec.id;
  const job = (split: 'train' | 'test') => (s: ImageScene): ImageJob => ({
    split,
    character: P,
    imageId: s.imageId,
    scene: s,
    masterPath: path.posix.join(split, P, `${s.imageId}.png`),
    modelPath: modelPathOf(path.posix.join(split, P, `${s.imageId}.png`)),
  });
  return [...b.train.map(job('train')), ...b.test.map(job('test'))];
}
