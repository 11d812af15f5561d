/**
 * The image-grounded part of a split folder: annotation.json (the dialogues), <P>_with_image.json
 * (the same dialogues plus thinking, T2I prompt, VQA pairs and image MCQ per image turn) and
 * <P>_t2i_instruction.json. annotation.json is the source of truth for the dialogue text;
 * with_image must agree with it turn by turn (a disagreement is a warning, not a guess).
 */
import * as path from 'node:path';
import { formatPath, type IssueCollector } from './issues';
import type { ImageIndex } from './images';
import { origIndex, parseWith } from './parse';
import { readJson } from './read';
import { AnnotationFileSchema, T2iInstructionFileSchema, WithImageFileSchema, type McqItemJson } from './schemas';
import type { Mcq, Scene, Split, T2iInstruction, Turn, VqaPair } from './types';

export interface DialoguesPart {
  /** description/opening per file that had them, for the cross-file consistency check. */
  headers: { file: string; description: string; opening: string }[];
  scenes: Scene[];
  vqa: VqaPair[];
  imageMcq: Mcq[];
  t2i: T2iInstruction[];
}

export function toMcq(m: McqItemJson, source: Mcq['source'], split: Split | null, sceneIndex: number | null, imageId: string | null): Mcq {
  return {
    id: m.id,
    question: m.question,
    options: { ...m.options },
    answerKey: m.answer_key,
    difficulty: m.difficulty,
    rationale: m.rationale,
    evidence: m.evidence ?? null,
    source,
    split,
    sceneIndex,
    imageId,
  };
}

export function loadDialogues(dir: string, prefix: string, split: Split, images: ImageIndex, issues: IssueCollector): DialoguesPart {
  const out: DialoguesPart = { headers: [], scenes: [], vqa: [], imageMcq: [], t2i: [] };
  const annFile = path.join(dir, 'annotation.json');
  const wiFile = path.join(dir, `${prefix}_with_image.json`);
  const t2iFile = path.join(dir, `${prefix}_t2i_instruction.json`);

  const annRaw = readJson(annFile, issues, { required: true });
  const ann = annRaw && parseWith(AnnotationFileSchema, annRaw.raw, annFile, issues);
  const wiRaw = readJson(wiFile, issues, { required: true });
  const wi = wiRaw && parseWith(WithImageFileSchema, wiRaw.raw, wiFile, issues);
  if (ann) out.headers.push({ file: annFile, ...ann.data });
  if (wi) out.headers.push({ file: wiFile, ...wi.data });

  // with_image scenes by original index, to pair them with annotation scenes
  const wiScenes = new Map((wi?.data.scenes ?? []).map((s, i) => [origIndex(wi!, 'scenes', i), s]));
  if (ann && wi && rawLen(annRaw.raw, 'scenes') !== rawLen(wiRaw.raw, 'scenes')) {
    issues.warn(wiFile, 'scenes', 'inconsistent', `has ${rawLen(wiRaw.raw, 'scenes')} scenes, annotation.json has ${rawLen(annRaw.raw, 'scenes')}`);
  }

  // dialogue text from annotation.json when it parsed, else from with_image
  const file = ann ? annFile : wiFile;
  const base = ann ? ann.data.scenes.map((s, i) => ({ idx: origIndex(ann, 'scenes', i), turns: s })) : [...wiScenes].map(([idx, turns]) => ({ idx, turns }));
  for (const { idx, turns } of base) {
    const rich = wiScenes.get(idx);
    const scene: Scene = { split, index: idx, turns: [] };
    turns.forEach((t, j) => {
      const w = rich?.[j];
      if (rich && file === annFile && (!w || w.role !== t.role || w.text !== t.text || w.image !== t.image)) {
        issues.warn(wiFile, formatPath(['scenes', idx, j]), 'inconsistent', 'turn differs from annotation.json (role, text or image); annotation.json wins');
      }
      const turn: Turn = {
        role: t.role,
        text: t.text,
        imageId: t.image ?? null,
        imagePath: t.image === undefined ? null : images.require(t.image, file, formatPath(['scenes', idx, j, 'image'])),
        thinking: w?.thinking_process ?? null,
        generationInstruction: w?.generation_instruction ?? null,
      };
      scene.turns.push(turn);
    });
    out.scenes.push(scene);
  }

  // with_image's own image references, VQA pairs and image MCQ
  for (const [idx, turns] of wiScenes) {
    turns.forEach((t, j) => {
      if (t.image !== undefined && file !== wiFile) images.require(t.image, wiFile, formatPath(['scenes', idx, j, 'image']));
      if ((t.qa_pairs?.length || t.mcq_items?.length) && t.image === undefined) {
        issues.warn(wiFile, formatPath(['scenes', idx, j]), 'qa-without-image', 'turn has qa_pairs/mcq_items but no image; they are skipped');
        return;
      }
      const imageId = t.image ?? '';
      (t.qa_pairs ?? []).forEach((q, k) =>
        out.vqa.push({ id: `${idx}_${k}`, split, sceneIndex: idx, imageId, imagePath: images.path(imageId), question: q.question, answer: q.answer, type: q.type, source: 'with_image' }),
      );
      for (const m of t.mcq_items ?? []) out.imageMcq.push(toMcq(m, 'image', split, idx, imageId));
    });
  }

  const t2iRaw = readJson(t2iFile, issues, { required: true });
  const t2i = t2iRaw && parseWith(T2iInstructionFileSchema, t2iRaw.raw, t2iFile, issues);
  if (t2i) {
    out.headers.push({ file: t2iFile, ...t2i.data });
    t2i.data.t2i_instructions.forEach((x, i) => {
      const at = formatPath(['t2i_instructions', origIndex(t2i, 't2i_instructions', i), 'image_id']);
      out.t2i.push({ imageId: x.image_id, instruction: x.t2i_instruction, imagePath: images.require(x.image_id, t2iFile, at) });
    });
  }
  return out;
}

/** Length of a top-level list in raw JSON (before salvage dropped anything). */
function rawLen(raw: unknown, key: string): number {
  const v = (raw as Record<string, unknown>)[key];
  return Array.isArray(v) ? v.length : 0;
}
