/**
 * Read-only file access for the loader: text, JSON and JSON Lines, turning every I/O or
 * syntax failure into an issue (with a line/column) instead of an exception.
 * Nothing here writes: the dataset folder is shared and must stay byte-identical.
 */
import * as fs from 'node:fs';
import type { IssueCollector } from './issues';

export interface ReadOpts {
  /** Missing file -> error (required) or silently null (optional). */
  required: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readText(abs: string, issues: IssueCollector, opts: ReadOpts): string | null {
  let buf: Buffer;
  try {
    if (!fs.statSync(abs).isFile()) {
      issues.error(abs, '', 'not-a-file', 'expected a file, found a directory');
      return null;
    }
    buf = fs.readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (opts.required) issues.error(abs, '', 'missing-file', 'required file is missing');
    } else issues.error(abs, '', 'unreadable', `cannot read file (${code ?? String(err)})`);
    return null;
  }
  let text: string;
  try {
    text = utf8.decode(buf);
  } catch {
    issues.error(abs, '', 'not-utf8', 'expected UTF-8 text, found invalid byte sequences');
    return null;
  }
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function lineCol(text: string, pos: number): { line: number; col: number } {
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  return { line, col: pos - before.lastIndexOf('\n') };
}

/** JSON.parse with a located error: { value } or { field, message }. */
export function parseJsonText(
  text: string,
): { ok: true; value: unknown } | { ok: false; field: string; line: number; col: number; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const msg = (err as Error).message.replace(/\s*\(line \d+ column \d+\)$/, '');
    const m = /at position (\d+)/.exec(msg);
    const pos = m ? Number(m[1]) : text.length;
    const { line, col } = lineCol(text, pos);
    const truncated = text.slice(pos).trim() === '';
    const detail = msg.replace(/ in JSON at position \d+/, '');
    return {
      ok: false,
      field: `line ${line}, column ${col}`,
      line,
      col,
      message: truncated ? `invalid JSON: input ends early (truncated?): ${detail}` : `invalid JSON: ${detail}`,
    };
  }
}

export function readJson(abs: string, issues: IssueCollector, opts: ReadOpts): { raw: unknown } | null {
  const text = readText(abs, issues, opts);
  if (text === null) return null;
  if (text.trim() === '') {
    issues.error(abs, '', 'empty-file', 'expected a JSON document, found an empty file');
    return null;
  }
  const parsed = parseJsonText(text);
  if (!parsed.ok) {
    issues.error(abs, parsed.field, 'invalid-json', parsed.message);
    return null;
  }
  return { raw: parsed.value };
}

export interface JsonlLine {
  line: number;
  raw: unknown;
}

/** One JSON value per line. Broken lines become issues and are skipped; the rest still load. */
export function readJsonl(abs: string, issues: IssueCollector, opts: ReadOpts): JsonlLine[] | null {
  const text = readText(abs, issues, opts);
  if (text === null) return null;
  const lines = text.split('\n');
  // trailing blank lines are harmless (grpo/Bo/Bo_pure_t2i.jsonl ends with one)
  while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
  const out: JsonlLine[] = [];
  lines.forEach((l, i) => {
    const line = i + 1;
    if (l.trim() === '') {
      issues.warn(abs, `line ${line}`, 'blank-line', 'blank line between records (skipped)');
      return;
    }
    const parsed = parseJsonText(l);
    if (parsed.ok) out.push({ line, raw: parsed.value });
    else {
      const msg = parsed.message.replace('input ends early', 'line ends early');
      issues.error(abs, `line ${line}`, 'invalid-json', `${msg} (column ${parsed.col})`);
    }
  });
  if (out.length === 0 && lines.length === 0) issues.error(abs, '', 'empty-file', 'expected JSON lines, found an empty file');
  return out;
}
