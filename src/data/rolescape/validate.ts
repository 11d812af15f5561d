/**
 * `validateRoleScape`: load everything, count what each character has, and keep the issues;
 * `formatValidationReport`: render that as a table plus an issue list (errors in full, then
 * warnings grouped by kind, since the release has some benign, repetitive ones).
 */
import { formatIssue, type DataIssue } from './issues';
import { loadRoleScape, type LoadOptions } from './load';
import type { Character } from './types';

export interface ValidationRow {
  character: string;
  trainFolder: string;
  imagesTrain: number;
  imagesTest: number;
  /** Annotated image-grounded dialogue scenes. */
  dialoguesTrain: number;
  dialoguesTest: number;
  /** Text-only extension dialogue scenes. */
  textDialoguesTrain: number;
  textDialoguesTest: number;
  knowledgeQa: number;
  knowledgeMcq: number;
  imageMcq: number;
  vqaPairs: number;
  /** Memorization + personality test questions. */
  testQuestions: number;
  t2iTrain: number;
  t2iTest: number;
  grpoPrompts: number;
  grpoQuestions: number;
  errors: number;
  warnings: number;
}

export interface ValidationResult {
  root: string;
  rows: ValidationRow[];
  issues: DataIssue[];
  errorCount: number;
  warningCount: number;
  /** The loaded characters (not part of the CLI's --json output). */
  characters: Character[];
}

export function countCharacter(c: Character, issues: DataIssue[]): ValidationRow {
  const mine = issues.filter((i) => i.character === c.id);
  return {
    character: c.id,
    trainFolder: c.folders.train,
    imagesTrain: c.images.train.length,
    imagesTest: c.images.test.length,
    dialoguesTrain: c.dialogues.train.length,
    dialoguesTest: c.dialogues.test.length,
    textDialoguesTrain: c.textDialogues.train.length,
    textDialoguesTest: c.textDialogues.test.length,
    knowledgeQa: c.knowledgeQa.length,
    knowledgeMcq: c.knowledgeMcq.length,
    imageMcq: c.imageMcq.length,
    vqaPairs: c.vqa.length,
    testQuestions: c.memorizationQuestions.length + c.personalityQuestions.length,
    t2iTrain: c.t2iInstructions.train.length,
    t2iTest: c.t2iInstructions.test.length,
    grpoPrompts: c.grpo.length,
    grpoQuestions: c.grpo.reduce((n, p) => n + p.questions.length, 0),
    errors: mine.filter((i) => i.severity === 'error').length,
    warnings: mine.filter((i) => i.severity === 'warning').length,
  };
}

export async function validateRoleScape(root: string, opts: LoadOptions = {}): Promise<ValidationResult> {
  const { characters, issues } = await loadRoleScape(root, opts);
  return {
    root: characters[0]?.root ?? root,
    rows: characters.map((c) => countCharacter(c, issues)),
    issues,
    errorCount: issues.filter((i) => i.severity === 'error').length,
    warningCount: issues.filter((i) => i.severity === 'warning').length,
    characters,
  };
}

const COLUMNS: [string, (r: ValidationRow) => string][] = [
  ['character', (r) => r.character],
  ['img tr/te', (r) => `${r.imagesTrain}/${r.imagesTest}`],
  ['dlg tr/te', (r) => `${r.dialoguesTrain}/${r.dialoguesTest}`],
  ['text dlg tr/te', (r) => `${r.textDialoguesTrain}/${r.textDialoguesTest}`],
  ['know QA', (r) => String(r.knowledgeQa)],
  ['MCQ kn/img', (r) => `${r.knowledgeMcq}/${r.imageMcq}`],
  ['VQA', (r) => String(r.vqaPairs)],
  ['mem+pers Q', (r) => String(r.testQuestions)],
  ['t2i tr/te', (r) => `${r.t2iTrain}/${r.t2iTest}`],
  ['GRPO prompts', (r) => String(r.grpoPrompts)],
  ['GRPO Q', (r) => String(r.grpoQuestions)],
  ['err', (r) => String(r.errors)],
  ['warn', (r) => String(r.warnings)],
];

function sumRows(rows: ValidationRow[]): ValidationRow {
  const total = { character: 'TOTAL', trainFolder: '' } as ValidationRow;
  for (const r of rows) {
    for (const [k, v] of Object.entries(r)) {
      if (typeof v === 'number') (total as unknown as Record<string, number>)[k] = ((total as unknown as Record<string, number>)[k] ?? 0) + v;
    }
  }
  return total;
}

export function formatTable(rows: ValidationRow[]): string {
  const body = [...rows, ...(rows.length > 1 ? [sumRows(rows)] : [])].map((r) => COLUMNS.map(([, f]) => f(r)));
  const head = COLUMNS.map(([h]) => h);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [line(head), rule, ...body.slice(0, rows.length).map(line)];
  if (rows.length > 1) lines.push(rule, line(body[rows.length]));
  return lines.join('\n');
}

export interface ReportOptions {
  /** List every warning instead of up to `examples` per kind. */
  allWarnings?: boolean;
  examples?: number;
}

export function formatValidationReport(result: ValidationResult, opts: ReportOptions = {}): string {
  const out: string[] = [`RoleScape-20 at ${result.root}: ${result.rows.length} character(s)`, '', formatTable(result.rows), ''];
  const errors = result.issues.filter((i) => i.severity === 'error');
  const warnings = result.issues.filter((i) => i.severity === 'warning');
  if (errors.length) {
    out.push(`Errors (${errors.length}):`, ...errors.map((i) => `  ${formatIssue(i)}`), '');
  }
  if (warnings.length) {
    out.push(`Warnings (${warnings.length}, do not fail validation):`);
    const byCode = new Map<string, DataIssue[]>();
    for (const w of warnings) byCode.set(w.code, [...(byCode.get(w.code) ?? []), w]);
    const max = opts.allWarnings ? Infinity : opts.examples ?? 3;
    for (const [code, list] of [...byCode].sort((a, b) => b[1].length - a[1].length)) {
      out.push(`  ${code}: ${list.length}`);
      out.push(...list.slice(0, max).map((i) => `    ${formatIssue(i)}`));
      if (list.length > max) out.push(`    … and ${list.length - max} more`);
    }
    out.push('');
  }
  out.push(
    errors.length
      ? `FAILED: ${errors.length} error(s), ${warnings.length} warning(s)`
      : `OK: no errors, ${warnings.length} warning(s)`,
  );
  return out.join('\n');
}
