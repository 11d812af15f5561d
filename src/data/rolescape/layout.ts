/**
 * Where a character's files are. Folder names and character ids differ in RoleScape-20:
 *   train/Friends-Chandler/Chandler_full_profile.txt, test/Friends-Chandler/…, grpo/Chandler/Chandler_…
 *   train/Adrien Brody/Adrien Brody_…,                                       grpo/Adrien_Brody/Adrien_Brody_…
 * so the character id is the file prefix of the train folder, the test folder has the train
 * folder's name, and the grpo folder is the id with spaces turned into underscores.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { IssueCollector } from './issues';

export interface CharacterLayout {
  /** The file prefix, e.g. "Chandler". */
  id: string;
  /** Absolute folder paths; test/grpo are null when the split has no folder for the character. */
  train: string;
  test: string | null;
  grpo: string | null;
  /** File prefixes inside the test and grpo folders (test usually = id; grpo = id with "_"). */
  testPrefix: string | null;
  grpoPrefix: string | null;
}

/** Suffixes that follow the prefix in split folders, most telling first (test folders lack some). */
const SPLIT_SUFFIXES = [
  '_with_image.json',
  '_full_profile.txt',
  '_t2i_instruction.json',
  '_personality_simplified_profile.txt',
  '_knowledge_qa.json',
  '_memorization_test.json',
];
const GRPO_SUFFIXES = ['_pure_t2i_with_vqa.jsonl', '_pure_t2i.jsonl', '_full_profile.txt'];

/** The prefix most files agree on, or null when no file has a known suffix. */
export function detectPrefix(files: string[], suffixes: string[]): string | null {
  const votes = new Map<string, number>();
  for (const suffix of suffixes) {
    for (const f of files) {
      if (f.endsWith(suffix) && f.length > suffix.length) {
        const p = f.slice(0, -suffix.length);
        votes.set(p, (votes.get(p) ?? 0) + 1);
      }
    }
  }
  let best: string | null = null;
  for (const [p, n] of votes) if (best === null || n > votes.get(best)!) best = p;
  return best;
}

/** Visible sub-folders of `dir` (sorted), or null when `dir` is missing. */
function subdirs(dir: string): string[] | null {
  if (!fs.existsSync(dir)) return null;
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

export function assertDatasetDir(root: string, flag = ''): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(root);
  } catch {
    throw new UserError(flag ? `${flag}: ${root}: no such folder` : `no such directory: ${root}`);
  }
  if (!st.isDirectory()) throw new UserError(flag ? `${flag}: ${root}: not a folder` : `not a directory: ${root}`);
}

export function discoverLayout(root: string, issues: IssueCollector): CharacterLayout[] {
  assertDatasetDir(root);
  const trainNames = subdirs(path.join(root, 'train'));
  if (trainNames === null) {
    issues.error(path.join(root, 'train'), '', 'missing-folder', 'expected a train/ folder with one sub-folder per character (is this a RoleScape-20 folder?)');
    return [];
  }
  const testNames = new Set(subdirs(path.join(root, 'test')) ?? []);
  const grpoNames = subdirs(path.join(root, 'grpo')) ?? [];
  const out: CharacterLayout[] = [];
  const usedGrpo = new Set<string>();

  for (const folder of trainNames) {
    const train = path.join(root, 'train', folder);
    let id = detectPrefix(fs.readdirSync(train), SPLIT_SUFFIXES);
    if (id === null) {
      issues.error(train, '', 'no-character-id', `cannot tell the character id: no "<id>${SPLIT_SUFFIXES[0]}" or "<id>${SPLIT_SUFFIXES[1]}" file; using the folder name`);
      id = folder;
    }
    const dup = out.find((c) => c.id === id);
    if (dup) {
      issues.error(train, '', 'duplicate-character', `character id "${id}" is also used by ${issues.rel(dup.train)}; skipped`);
      continue;
    }
    const test = testNames.has(folder) ? path.join(root, 'test', folder) : null;
    const testPrefix = test ? detectPrefix(fs.readdirSync(test), SPLIT_SUFFIXES) ?? id : null;
    // grpo folder: the id with underscores; else any folder whose name matches loosely
    const want = id.replace(/ /g, '_');
    const grpoName = grpoNames.find((g) => g === want) ?? grpoNames.find((g) => squash(g) === squash(id!)) ?? null;
    const grpo = grpoName ? path.join(root, 'grpo', grpoName) : null;
    if (grpoName) usedGrpo.add(grpoName);
    const grpoPrefix = grpo ? detectPrefix(fs.readdirSync(grpo), GRPO_SUFFIXES) ?? grpoName : null;
    out.push({ id, train, test, grpo, testPrefix, grpoPrefix });
  }

  for (const t of testNames) {
    if (!trainNames.includes(t)) issues.warn(path.join(root, 'test', t), '', 'orphan-folder', 'test folder has no train folder of the same name; ignored');
  }
  for (const g of grpoNames) {
    if (!usedGrpo.has(g)) issues.warn(path.join(root, 'grpo', g), '', 'orphan-folder', 'grpo folder matches no character id (expected <id with spaces as _>); ignored');
  }
  return out;
}

/** Character ids of a dataset folder, sorted. */
export function listCharacters(root: string): string[] {
  return discoverLayout(path.resolve(root), new IssueCollector(path.resolve(root)))
    .map((c) => c.id)
    .sort();
}

/** Find a character by id, train folder name or grpo folder name (case-insensitive). */
export function findLayout(layouts: CharacterLayout[], name: string): CharacterLayout {
  const n = squash(name);
  const hit =
    layouts.find((c) => c.id === name) ??
    layouts.find((c) => [c.id, path.basename(c.train), c.grpo ? path.basename(c.grpo) : ''].some((x) => x && squash(x) === n));
  if (!hit) {
    const ids = layouts.map((c) => c.id).sort();
    throw new UserError(`unknown character "${name}"; available: ${ids.length ? ids.join(', ') : '(none)'}`);
  }
  return hit;
}
