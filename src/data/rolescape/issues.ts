/**
 * Data problems as values, not exceptions: the loader records every problem it meets
 * (with the file, the JSON path and what was expected vs found) and keeps going, so one
 * run lists all of them.
 */
import * as path from 'node:path';
import type { ZodError, ZodIssue } from 'zod';

export type Severity = 'error' | 'warning';

export interface DataIssue {
  severity: Severity;
  /** Path relative to the dataset root, POSIX separators ("train/Friends-Chandler/annotation.json"). */
  file: string;
  /** Where in the file: a JSON path ("scenes[3][1].image"), "line 7: vqa_questions[2].weight",
   * "line 12, column 5", or "(file)" when the problem is the file as a whole. */
  field: string;
  /** What was expected and what was found. */
  message: string;
  /** Stable kind of problem (e.g. "invalid-json", "missing-image"), for summaries and tests. */
  code: string;
  /** Character id the file belongs to, when known. */
  character?: string;
}

export const WHOLE_FILE = '(file)';

/** Renders ["scenes", 3, 1, "image"] as `scenes[3][1].image`. */
export function formatPath(parts: readonly (string | number)[]): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}

/** One line per issue: `<file>: <field>: <message>`. */
export function formatIssue(i: DataIssue): string {
  return `${i.file}: ${i.field}: ${i.message}`;
}

/** A short, one-line rendering of a found value for messages. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v);
  return `${typeof v} ${s.length > 40 ? s.slice(0, 37) + '...' : s}`;
}

function valueAt(root: unknown, parts: readonly (string | number)[]): unknown {
  let v = root;
  for (const p of parts) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}

/** "expected X, found Y" for one zod issue, using the raw value for the "found" part. */
export function zodIssueMessage(issue: ZodIssue, raw: unknown): string {
  const found = describeValue(valueAt(raw, issue.path));
  switch (issue.code) {
    case 'invalid_type':
      return issue.received === 'undefined'
        ? `missing required field (expected ${issue.expected})`
        : `expected ${issue.expected}, found ${found}`;
    case 'invalid_enum_value':
      return `expected one of ${issue.options.map((o) => JSON.stringify(o)).join(', ')}, found ${found}`;
    case 'invalid_union': {
      // zod reports one error list per alternative; name the alternatives' expected types
      const expected = issue.unionErrors
        .flatMap((e) => e.issues)
        .filter((u) => u.code === 'invalid_type' && u.path.length === issue.path.length)
        .map((u) => (u.code === 'invalid_type' ? u.expected : ''));
      const names = [...new Set(expected)];
      return names.length ? `expected ${names.join(' or ')}, found ${found}` : `matches no allowed form (found ${found})`;
    }
    case 'too_small':
      return `too small: ${issue.message.toLowerCase()} (found ${found})`;
    case 'too_big':
      return `too big: ${issue.message.toLowerCase()} (found ${found})`;
    default:
      return `${issue.message} (found ${found})`;
  }
}

/** Collects issues for one load; `rel` turns absolute paths into root-relative ones. */
export class IssueCollector {
  readonly issues: DataIssue[] = [];
  /** The character the next issues belong to (set by the loader). */
  character: string | undefined;

  constructor(readonly root: string) {}

  rel(abs: string): string {
    return path.relative(this.root, abs).split(path.sep).join('/') || '.';
  }

  add(severity: Severity, absFile: string, field: string, code: string, message: string): void {
    const issue: DataIssue = { severity, file: this.rel(absFile), field: field || WHOLE_FILE, message, code };
    if (this.character !== undefined) issue.character = this.character;
    this.issues.push(issue);
  }

  error(absFile: string, field: string, code: string, message: string): void {
    this.add('error', absFile, field, code, message);
  }

  warn(absFile: string, field: string, code: string, message: string): void {
    this.add('warning', absFile, field, code, message);
  }

  /** One error per zod issue; `prefix` goes before the path (e.g. "line 7"). */
  fromZod(absFile: string, err: ZodError, raw: unknown, prefix = ''): void {
    for (const issue of err.issues) {
      const at = formatPath(issue.path);
      const field = prefix && at ? `${prefix}: ${at}` : prefix || at || '(root)';
      this.error(absFile, field, 'schema', zodIssueMessage(issue, raw));
    }
  }
}
