/**
 * Which files a character folder may hold. Anything else is reported as a warning: the loader
 * ignores it, and a misspelled name (e.g. "Chandler_knowlege_qa.json") would otherwise only
 * show up as a confusing "required file is missing".
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IssueCollector } from './issues';

export type FolderKind = 'train' | 'test' | 'grpo';

const TRAIN_FILES = [
  '_full_profile.txt',
  '_personality_simplified_profile.txt',
  '_with_image.json',
  '_t2i_instruction.json',
  '_dialogue_text_extension_train.json',
  '_dialogue_text_extension_test.json',
  '_knowledge_qa.json',
  '_knowledge_qa_test.json',
  '_memorization_test.json',
  '_personality_test.json',
];
const TEST_FILES = ['_full_profile.txt', '_with_image.json', '_t2i_instruction.json'];
const GRPO_FILES = ['_full_profile.txt', '_pure_t2i.jsonl', '_pure_t2i_with_vqa.jsonl'];

/** Files under `dir` (relative, POSIX), skipping hidden ones. */
function walk(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...walk(dir, r));
    else out.push(r);
  }
  return out;
}

export function isExpectedFile(kind: FolderKind, prefix: string, rel: string): boolean {
  if (kind === 'grpo') return GRPO_FILES.some((s) => rel === prefix + s);
  if (/^\d+\.png$/.test(rel) || rel === 'annotation.json') return true;
  if (/^processed\/(t2i|vlm)\/[^/]+\.jsonl$/.test(rel)) return true;
  if (kind === 'train' && /^prompts\/[^/]+\.txt$/.test(rel)) return true;
  return (kind === 'train' ? TRAIN_FILES : TEST_FILES).some((s) => rel === prefix + s);
}

export function reportUnexpectedFiles(dir: string, kind: FolderKind, prefix: string, issues: IssueCollector): void {
  for (const rel of walk(dir)) {
    if (!isExpectedFile(kind, prefix, rel)) issues.warn(path.join(dir, rel), '', 'unexpected-file', `not a RoleScape-20 ${kind} file for "${prefix}"; ignored`);
  }
}
