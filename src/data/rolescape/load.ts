/**
 * Loads RoleScape-20 characters into typed `Character`s. Bad data never throws: every problem
 * (missing/truncated/mistyped files, absent or corrupt images, …) becomes a `DataIssue` and
 * loading goes on, so one pass reports everything. Only caller mistakes throw a `UserError`
 * (the root is not a directory, an unknown character id).
 *
 * Strictly read-only: files are read with readFileSync/readdirSync, images are decoded from
 * buffers; nothing is cached or written next to the data.
 */
import * as path from 'node:path';
import { ImageIndex, loadImages } from './images';
import { reportUnexpectedFiles } from './inventory';
import { IssueCollector, type DataIssue } from './issues';
import { discoverLayout, findLayout, type CharacterLayout } from './layout';
import { loadDialogues, type DialoguesPart } from './load-dialogues';
import { loadGrpo } from './load-grpo';
import { loadProcessed } from './load-processed';
import { loadText } from './load-text';
import { readText } from './read';
import type { Character, ImageRef } from './types';

export interface LoadOptions {
  /** Only these characters (id, train folder or grpo folder name); default: all. */
  characters?: string[];
  /** Called after each character, e.g. to drive a progress bar. */
  onProgress?: (done: number, total: number, id: string) => void;
}

export interface LoadResult {
  characters: Character[];
  issues: DataIssue[];
}

const NO_DIALOGUES: DialoguesPart = { headers: [], scenes: [], vqa: [], imageMcq: [], t2i: [] };

function readProfile(file: string, issues: IssueCollector, required: boolean): string | null {
  const text = readText(file, issues, { required });
  if (text !== null && text.trim() === '') {
    issues.error(file, '', 'empty-file', 'expected the profile text, found an empty file');
    return null;
  }
  return text;
}

/** All copies of the full profile (train, test, grpo) should be the same text. */
function checkProfileCopies(train: string | null, copies: { file: string; text: string | null }[], issues: IssueCollector): void {
  for (const c of copies) {
    if (train !== null && c.text !== null && c.text.trim() !== train.trim()) {
      issues.warn(c.file, '', 'inconsistent', 'differs from the train folder\'s full profile');
    }
  }
}

/** Every JSON file repeats description/opening; they should agree with annotation.json. */
function checkHeaders(headers: DialoguesPart['headers'], issues: IssueCollector): { description: string; opening: string } {
  const ref = headers[0] ?? { description: '', opening: '' };
  for (const h of headers.slice(1)) {
    for (const key of ['description', 'opening'] as const) {
      if (h[key] !== ref[key]) issues.warn(h.file, key, 'inconsistent', `differs from ${key} in ${issues.rel(ref.file)}`);
    }
  }
  return { description: ref.description, opening: ref.opening };
}

async function loadOne(root: string, c: CharacterLayout, issues: IssueCollector): Promise<Character> {
  issues.character = c.id;
  const testPrefix = c.testPrefix ?? c.id;
  const grpoPrefix = c.grpoPrefix ?? c.id.replace(/ /g, '_');
  reportUnexpectedFiles(c.train, 'train', c.id, issues);
  if (c.test) reportUnexpectedFiles(c.test, 'test', testPrefix, issues);
  if (c.grpo) reportUnexpectedFiles(c.grpo, 'grpo', grpoPrefix, issues);
  if (c.test && testPrefix !== c.id) issues.warn(c.test, '', 'inconsistent', `files are named "${testPrefix}_…", the train folder's "${c.id}_…"`);

  const trainImages = await loadImages(c.train, 'train', issues);
  const testImages: ImageRef[] = c.test ? await loadImages(c.test, 'test', issues) : [];
  const trainIdx = new ImageIndex(c.train, trainImages, issues);
  const testIdx = new ImageIndex(c.test ?? '', testImages, issues);

  const full = readProfile(path.join(c.train, `${c.id}_full_profile.txt`), issues, true);
  const simplified = readProfile(path.join(c.train, `${c.id}_personality_simplified_profile.txt`), issues, true);
  const copies = [
    ...(c.test ? [path.join(c.test, `${testPrefix}_full_profile.txt`)] : []), // optional: test/Genshin-Furina has none
    ...(c.grpo ? [path.join(c.grpo, `${grpoPrefix}_full_profile.txt`)] : []),
  ].map((file) => ({ file, text: readProfile(file, issues, false) }));
  checkProfileCopies(full, copies, issues);

  const trainD = loadDialogues(c.train, c.id, 'train', trainIdx, issues);
  if (!c.test) issues.error(path.join(root, 'test', path.basename(c.train)), '', 'missing-folder', 'the character has no test folder (expected the train folder\'s name)');
  const testD = c.test ? loadDialogues(c.test, testPrefix, 'test', testIdx, issues) : NO_DIALOGUES;
  const text = loadText(c.train, c.id, trainIdx, issues);

  const validPngs = new Set([...trainImages, ...testImages].map((i) => i.path));
  const trainP = loadProcessed(c.train, 'train', c.id, root, validPngs, issues);
  const testP = c.test ? loadProcessed(c.test, 'test', testPrefix, root, validPngs, issues) : { files: [], vqa: null };

  // VQA pairs: with_image qa_pairs are the source; processed/vlm/<P>_vqa.jsonl is derived from them
  let vqa = [...trainD.vqa, ...testD.vqa];
  const vqaFile = path.join(c.train, 'processed', 'vlm', `${c.id}_vqa.jsonl`);
  if (trainP.vqa && vqa.length === 0) vqa = trainP.vqa;
  else if (trainP.vqa && trainP.vqa.length !== vqa.length) {
    issues.warn(vqaFile, '', 'inconsistent', `has ${trainP.vqa.length} VQA records, ${c.id}_with_image.json has ${vqa.length} qa_pairs`);
  }

  let grpo: Character['grpo'] = [];
  if (c.grpo) grpo = loadGrpo(c.grpo, grpoPrefix, c.id, issues);
  else issues.warn(path.join(root, 'grpo', c.id.replace(/ /g, '_')), '', 'missing-folder', 'the character has no grpo folder; no GRPO prompts');

  trainIdx.reportUnreferenced();
  testIdx.reportUnreferenced();
  const { description, opening } = checkHeaders([...trainD.headers, ...testD.headers, ...text.headers], issues);
  issues.character = undefined;

  return {
    id: c.id,
    root,
    folders: { train: issues.rel(c.train), test: c.test && issues.rel(c.test), grpo: c.grpo && issues.rel(c.grpo) },
    profile: { full, simplified },
    description,
    opening,
    images: { train: trainImages, test: testImages },
    dialogues: { train: trainD.scenes, test: testD.scenes },
    textDialogues: text.textDialogues,
    knowledgeQa: text.knowledgeQa,
    knowledgeMcq: text.knowledgeMcq,
    imageMcq: [...trainD.imageMcq, ...testD.imageMcq],
    memorizationQuestions: text.memorizationQuestions,
    personalityQuestions: text.personalityQuestions,
    t2iInstructions: { train: trainD.t2i, test: testD.t2i },
    vqa,
    grpo,
    prompts: text.prompts,
    processed: [...trainP.files, ...testP.files],
  };
}

export async function loadRoleScape(root: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const abs = path.resolve(root);
  const issues = new IssueCollector(abs);
  const layouts = discoverLayout(abs, issues);
  const chosen = opts.characters ? [...new Set(opts.characters.map((n) => findLayout(layouts, n)))] : layouts;
  const characters: Character[] = [];
  for (const c of chosen) {
    characters.push(await loadOne(abs, c, issues));
    opts.onProgress?.(characters.length, chosen.length, c.id);
  }
  return { characters, issues: issues.issues };
}

/** One character (by id, train folder or grpo folder name); throws UserError if unknown. */
export async function loadCharacter(root: string, id: string): Promise<{ character: Character; issues: DataIssue[] }> {
  const { characters, issues } = await loadRoleScape(root, { characters: [id] });
  return { character: characters[0], issues };
}
