/**
 * The Unified-SFT data of one character as the official processed/ files, holding exactly what
 * `cmrp sft` trains on (src/train/sft.ts -> characterExamples with the K reference images of
 * src/data/shots.ts), written in the release's templates (src/data/synth/templates.ts):
 *
 *   workbench task               official file (processed/...)                          group
 *   roleplay, reply text         vlm/<P>_vlm.jsonl (image dialogues), vlm/<P>_vlm_extension.jsonl (text dialogues)   vlm_sft
 *   roleplay, reply image        t2i/<P>_t2i.jsonl: the dialogue -> the reply's image (K images only)               t2i_pretrain
 *   knowledge                    vlm/<P>_knowledge_qa.jsonl                                                           vlm_sft
 *   vqa                          vlm/<P>_vqa.jsonl (K images only)                                                    vlm_sft
 *   t2i                          t2i/<P>_pure_t2i.jsonl (t2i instructions) and                                      t2i_pretrain
 *                                t2i/<P>_t2i_generation_instruction_only.jsonl (the dialogue turn's instruction)
 *
 * The official loaders cannot put a reply's text and its image in one sample (the VLM loader
 * trains text only, the T2I loader images only), so one image-bearing role-play example of ours is
 * two official samples. The release's prompts carry the character card ("Character Description:");
 * ours do not (the workbench's system line holds the id only); the export follows the release.
 * The thinking variants (<P>_t2i_with_thinking, <P>_vlm_thinking) are not exported: the workbench
 * trains no thinking text.
 */
import type { Character, Scene } from '../data/rolescape/types';
import type { SftConfig } from '../train/sft';
import { referenceImages } from '../data/shots';
import type { Task } from '../train/tasks';
import { t2iPrompt, vlmPrompt } from '../data/synth/templates';
import type { ExportLayout, T2iDataset, VlmDataset } from './layout';

export interface T2iRecord { text: string; image: string; character: string; scene_id: number | string }
export interface VlmRecord { id: number | string; image?: string; conversations: { from: 'human' | 'gpt'; value: string }[]; qa_type?: 'objective' | 'subjective' }

/** Each dataset's records and the workbench task it carries. */
export interface SftData {
  t2i: Record<T2iDataset, T2iRecord[]>;
  vlm: Record<VlmDataset, VlmRecord[]>;
  /** The K reference images (absolute PNG paths by id), which the records' images are. */
  references: { id: string; path: string }[];
}

export const TASK_OF: Record<T2iDataset | VlmDataset, Task> = {
  t2i: 'roleplay',
  pure_t2i: 't2i',
  t2i_generation_instruction_only: 't2i',
  vlm: 'roleplay',
  vlm_extension: 'roleplay',
  knowledge_qa: 'knowledge',
  vqa: 'vqa',
};

const conv = (human: string, gpt: string): VlmRecord['conversations'] => [
  { from: 'human', value: human },
  { from: 'gpt', value: gpt },
];

/**
 * A scene as one conversation: the first user turn framed by the release's template, later turns
 * as they are (the release's scenes are all one exchange; longer ones keep every turn).
 */
function dialogueRecord(c: Character, s: Scene, id: number): VlmRecord | null {
  const first = s.turns.findIndex((t) => t.role === 'machine');
  if (first < 0) return null;
  const user = s.turns.slice(0, first).map((t) => t.text).join('\n');
  const out = conv(vlmPrompt(c.description, c.opening, user, c.id), s.turns[first].text);
  for (const t of s.turns.slice(first + 1)) out.push({ from: t.role === 'user' ? 'human' : 'gpt', value: t.text });
  // a conversation must end on the character's side to carry loss
  while (out.length && out[out.length - 1].from === 'human') out.pop();
  return { id, conversations: out };
}

export function sftData(c: Character, config: SftConfig, L: ExportLayout): SftData {
  const refs = referenceImages(c, config.shots);
  const inK = new Set(refs.map((r) => r.id));
  const allowed = (imageId: string | null, imagePath: string | null) => imageId !== null && imagePath !== null && inK.has(imageId);
  const textOnly = config.data === 'text-only';
  const imageOnly = config.data === 'image-only';
  const rec = (text: string, imageId: string, sceneId: number | string): T2iRecord => ({ text, image: L.imageRef(imageId), character: c.id, scene_id: sceneId });

  // role-play: every training dialogue's reply text; the reply's image when it is a reference image
  const vlm = imageOnly ? [] : c.dialogues.train.map((s) => dialogueRecord(c, s, s.index)).filter((r): r is VlmRecord => r !== null);
  const vlmExtension = imageOnly ? [] : c.textDialogues.train.map((s) => dialogueRecord(c, s, s.index)).filter((r): r is VlmRecord => r !== null);
  const dialogueImages: T2iRecord[] = [];
  const generation: T2iRecord[] = [];
  for (const s of c.dialogues.train) {
    s.turns.forEach((t, k) => {
      if (!allowed(t.imageId, t.imagePath)) return;
      const user = s.turns.slice(0, k).filter((u) => u.role === 'user').pop()?.text ?? '';
      if (t.role === 'machine' && !textOnly && !imageOnly) dialogueImages.push(rec(t2iPrompt(c.description, user, t.text), t.imageId!, s.index));
      if (!textOnly && t.generationInstruction) generation.push(rec(t.generationInstruction, t.imageId!, s.index));
    });
  }
  const pure = textOnly ? [] : c.t2iInstructions.train.filter((t) => allowed(t.imageId, t.imagePath)).map((t) => rec(t.instruction, t.imageId, t.imageId));
  const knowledge = imageOnly ? [] : c.knowledgeQa.map((q, i) => ({ id: i, conversations: conv(q.question, q.answer) }));
  const vqa = textOnly || imageOnly ? [] : c.vqa
    .filter((v) => v.split === 'train' && allowed(v.imageId, v.imagePath))
    .map((v) => ({ id: `${v.sceneIndex}_${v.id.split('_').pop()}`, image: L.imageRef(v.imageId), conversations: conv(`<image>${v.question}`, v.answer), qa_type: v.type }));

  return {
    t2i: { t2i: dialogueImages, pure_t2i: pure, t2i_generation_instruction_only: generation },
    vlm: { vlm, vlm_extension: vlmExtension, knowledge_qa: knowledge, vqa },
    references: textOnly ? [] : refs.map((r) => ({ id: r.id, path: r.path })),
  };
}
