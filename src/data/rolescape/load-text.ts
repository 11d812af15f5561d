/**
 * The text-only files of a train folder: extension dialogues, knowledge QA, knowledge MCQ,
 * memorization/personality test questions and prompts/*.txt.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatPath, type IssueCollector } from './issues';
import type { ImageIndex } from './images';
import { toMcq } from './load-dialogues';
import { origIndex, parseWith } from './parse';
import { readJson, readText } from './read';
import {
  DialogueExtensionFileSchema,
  KnowledgeMcqFileSchema,
  KnowledgeQaFileSchema,
  TestQuestionsFileSchema,
} from './schemas';
import type { Character, KnowledgeQa, Mcq, Scene, Split } from './types';

export interface TextPart {
  headers: { file: string; description: string; opening: string }[];
  textDialogues: Character['textDialogues'];
  knowledgeQa: KnowledgeQa[];
  knowledgeMcq: Mcq[];
  memorizationQuestions: string[];
  personalityQuestions: string[];
  prompts: Character['prompts'];
}

/**
 * Extension dialogues cite image ids freely; in the release many cite ids with no PNG
 * (e.g. train/Bo cites 12–31, its PNGs are 0–11). Such turns stay text-only, and each file
 * gets one summarizing warning rather than one per turn.
 */
function loadExtension(file: string, split: Split, images: ImageIndex, issues: IssueCollector, headers: TextPart['headers']): Scene[] {
  const raw = readJson(file, issues, { required: true });
  const parsed = raw && parseWith(DialogueExtensionFileSchema, raw.raw, file, issues);
  if (!parsed) return [];
  headers.push({ file, ...parsed.data });
  const missing = new Map<string, number>();
  let first = '';
  const scenes = parsed.data.scenes.map((turns, i): Scene => {
    const index = origIndex(parsed, 'scenes', i);
    return {
      split,
      index,
      turns: turns.map((t, j) => {
        const imagePath = images.path(t.image);
        if (t.image !== undefined && imagePath === null) {
          missing.set(t.image, (missing.get(t.image) ?? 0) + 1);
          first ||= formatPath(['scenes', index, j, 'image']);
        }
        return { role: t.role, text: t.text, imageId: t.image ?? null, imagePath, thinking: null, generationInstruction: null };
      }),
    };
  });
  if (missing.size) {
    const ids = [...missing.keys()].sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
    const turns = [...missing.values()].reduce((a, b) => a + b, 0);
    issues.warn(file, first, 'missing-image-cited', `${turns} turn(s) cite image ids with no PNG in ${issues.rel(images.dir)}/ (${ids.join(', ')}); read as text-only (first occurrence here)`);
  }
  return scenes;
}

function warnDuplicateIds(file: string, list: string, ids: string[], issues: IssueCollector): void {
  const seen = new Map<string, number>();
  ids.forEach((id, i) => {
    if (seen.has(id)) issues.warn(file, formatPath([list, i, 'id']), 'duplicate-id', `id "${id}" already used by ${list}[${seen.get(id)}]`);
    else seen.set(id, i);
  });
}

function loadQuestions(file: string, issues: IssueCollector, headers: TextPart['headers']): string[] {
  const raw = readJson(file, issues, { required: true });
  const parsed = raw && parseWith(TestQuestionsFileSchema, raw.raw, file, issues);
  if (!parsed) return [];
  headers.push({ file, ...parsed.data });
  return parsed.data.test_questions;
}

export function loadText(dir: string, prefix: string, images: ImageIndex, issues: IssueCollector): TextPart {
  const headers: TextPart['headers'] = [];
  const f = (suffix: string) => path.join(dir, `${prefix}${suffix}`);

  const textDialogues = {
    train: loadExtension(f('_dialogue_text_extension_train.json'), 'train', images, issues, headers),
    test: loadExtension(f('_dialogue_text_extension_test.json'), 'test', images, issues, headers),
  };

  const kqFile = f('_knowledge_qa.json');
  const kqRaw = readJson(kqFile, issues, { required: true });
  const kq = kqRaw && parseWith(KnowledgeQaFileSchema, kqRaw.raw, kqFile, issues);
  const knowledgeQa: KnowledgeQa[] = (kq?.data.qa_items ?? []).map((q) => ({
    id: q.id,
    question: q.question,
    answer: q.answer,
    evidence: q.evidence,
    type: q.type,
    difficulty: q.difficulty,
    reasoningSteps: q.reasoning_steps,
    confidence: q.confidence,
  }));
  if (kq) {
    headers.push({ file: kqFile, ...kq.data });
    warnDuplicateIds(kqFile, 'qa_items', knowledgeQa.map((q) => q.id), issues);
  }

  const mcFile = f('_knowledge_qa_test.json');
  const mcRaw = readJson(mcFile, issues, { required: true });
  const mc = mcRaw && parseWith(KnowledgeMcqFileSchema, mcRaw.raw, mcFile, issues);
  const knowledgeMcq = (mc?.data.mcq_items ?? []).map((m) => toMcq(m, 'knowledge', null, null, null));
  if (mc) {
    headers.push({ file: mcFile, ...mc.data });
    warnDuplicateIds(mcFile, 'mcq_items', knowledgeMcq.map((m) => m.id), issues);
  }

  const memorizationQuestions = loadQuestions(f('_memorization_test.json'), issues, headers);
  const personalityQuestions = loadQuestions(f('_personality_test.json'), issues, headers);

  // prompts/*.txt: the generation prompts; name = file name minus "<P>_" and "_prompt.txt"
  const promptDir = path.join(dir, 'prompts');
  const prompts: TextPart['prompts'] = [];
  if (fs.existsSync(promptDir)) {
    for (const name of fs.readdirSync(promptDir).filter((n) => n.endsWith('.txt')).sort()) {
      const text = readText(path.join(promptDir, name), issues, { required: true });
      if (text !== null) prompts.push({ name: name.replace(`${prefix}_`, '').replace(/(_prompt)?\.txt$/, ''), text });
    }
  }
  return { headers, textDialogues, knowledgeQa, knowledgeMcq, memorizationQuestions, personalityQuestions, prompts };
}
