/**
 * grpo/<Name>/: the prompts for GRPO fine-tuning of the image generator, each with weighted
 * VQA questions that the reward model answers on the generated image. <Name>_pure_t2i.jsonl
 * holds the prompts alone, <Name>_pure_t2i_with_vqa.jsonl the same prompts plus questions.
 *
 * The release's questions are noisy (multiple-choice answers missing from `choices`, yes/no
 * questions answered "not specified", …). The official reward only compares the model's answer
 * with `answer`, weighted, so these are warnings, one per file and kind, not errors.
 */
import * as path from 'node:path';
import { formatPath, type IssueCollector } from './issues';
import { parseWith } from './parse';
import { readJsonl } from './read';
import { GrpoPromptRecordSchema, GrpoVqaRecordSchema, type GrpoVqaRecord } from './schemas';
import type { GrpoPrompt } from './types';

/** Counts occurrences of one kind of data-quality problem and reports it once, at the first. */
class Tally {
  private n = 0;
  private first = '';
  private example = '';
  add(field: string, example: string): void {
    if (this.n++ === 0) [this.first, this.example] = [field, example];
  }
  flush(issues: IssueCollector, file: string, code: string, what: string): void {
    if (this.n) issues.warn(file, this.first, code, `${this.n} question(s) ${what}; first here: ${this.example}`);
  }
}

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

function qualityChecks(file: string, id: string, recs: { line: number; rec: GrpoVqaRecord }[], issues: IssueCollector): void {
  const mcMiss = new Tally();
  const mcNoChoices = new Tally();
  const ynOther = new Tally();
  const seen = new Map<string, number>();
  let otherName: { field: string; name: string } | null = null;
  for (const { line, rec } of recs) {
    if (squash(rec.character) !== squash(id)) otherName ??= { field: `line ${line}: character`, name: rec.character };
    if (seen.has(rec.scene_id)) issues.warn(file, `line ${line}: scene_id`, 'duplicate-id', `scene_id "${rec.scene_id}" already used on line ${seen.get(rec.scene_id)}`);
    else seen.set(rec.scene_id, line);
    rec.vqa_questions.forEach((q, k) => {
      const at = `line ${line}: ${formatPath(['vqa_questions', k, 'answer'])}`;
      if (q.type === 'multiple_choice' && !q.choices?.length) mcNoChoices.add(at, JSON.stringify(q.question));
      else if (q.type === 'multiple_choice' && !q.choices!.some((c) => c.toLowerCase() === q.answer.toLowerCase())) {
        mcMiss.add(at, `answer ${JSON.stringify(q.answer)} vs choices ${JSON.stringify(q.choices)}`);
      }
      if (q.type === 'yes_no' && !/^(yes|no)$/i.test(q.answer)) ynOther.add(at, `answer ${JSON.stringify(q.answer)}`);
    });
  }
  mcMiss.flush(issues, file, 'answer-not-in-choices', 'of type multiple_choice have an answer that is not among their choices');
  mcNoChoices.flush(issues, file, 'answer-not-in-choices', 'of type multiple_choice have no choices');
  ynOther.flush(issues, file, 'yes-no-answer', 'of type yes_no have an answer other than yes/no');
  if (otherName) issues.warn(file, otherName.field, 'character-name', `"${otherName.name}" does not match character id "${id}"`);
}

export function loadGrpo(dir: string, prefix: string, id: string, issues: IssueCollector): GrpoPrompt[] {
  const vqaFile = path.join(dir, `${prefix}_pure_t2i_with_vqa.jsonl`);
  const pureFile = path.join(dir, `${prefix}_pure_t2i.jsonl`);

  const recs: { line: number; rec: GrpoVqaRecord }[] = [];
  for (const l of readJsonl(vqaFile, issues, { required: true }) ?? []) {
    const p = parseWith(GrpoVqaRecordSchema, l.raw, vqaFile, issues, `line ${l.line}`);
    if (p) recs.push({ line: l.line, rec: p.data });
  }
  qualityChecks(vqaFile, id, recs, issues);

  // the prompts-only file must list the same prompts, in the same order
  const pure: { line: number; text: string; sceneId: string }[] = [];
  for (const l of readJsonl(pureFile, issues, { required: true }) ?? []) {
    const p = parseWith(GrpoPromptRecordSchema, l.raw, pureFile, issues, `line ${l.line}`);
    if (p) pure.push({ line: l.line, text: p.data.text, sceneId: p.data.scene_id });
  }
  const withVqa = new Map(recs.map((r) => [r.rec.scene_id, r.rec.text]));
  const differ = pure.filter((p) => withVqa.has(p.sceneId) && withVqa.get(p.sceneId) !== p.text);
  if (differ.length) issues.warn(pureFile, `line ${differ[0].line}: text`, 'inconsistent', `${differ.length} prompt(s) differ from ${path.basename(vqaFile)} for the same scene_id`);
  const only = pure.filter((p) => !withVqa.has(p.sceneId));
  if (only.length && recs.length) issues.warn(pureFile, `line ${only[0].line}: scene_id`, 'inconsistent', `${only.length} prompt(s) have no entry in ${path.basename(vqaFile)}`);

  return recs.map(({ rec }) => ({
    sceneId: rec.scene_id,
    text: rec.text,
    character: rec.character,
    referenceImagesPath: rec.reference_images_path,
    questions: rec.vqa_questions.map((q) => ({
      question: q.question,
      type: q.type,
      category: q.category,
      answer: q.answer,
      weight: q.weight,
      isNegative: q.is_negative,
      choices: q.choices ?? null,
    })),
  }));
}
