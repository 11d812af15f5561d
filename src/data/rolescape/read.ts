/**
 * Read-only file access for the loader: text, JSON and JSON Lines, turning every I/O or
 * syntax failure into an issue (with a line/column) instead of an exception.
 * Nothing here writes: the dataset folder is shared and must stay byte-identical.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { IssueCollector } from './issues';
import { jsonErrorMessage } from '../../util/fs';

export interface ReadOpts {
  /** Missing file -> error (required) or silently null (optional). */
  required: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Largest file the loader reads (text, JSON, PNG): RoleScape-20's largest is 0.4 MB. */
export const MAX_FILE_BYTES = 32 * 1024 * 1024;

const KIND = (st: fs.Stats): string =>
  st.isDirectory() ? 'a directory' : st.isFIFO() ? 'a FIFO (named pipe)' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'not a regular file';

const realRoots = new Map<string, string>();
function realRoot(root: string): string {
  let r = realRoots.get(root);
  if (r === undefined) {
    try {
      r = fs.realpathSync(root);
    } catch {
      r = root;
    }
    realRoots.set(root, r);
  }
  return r;
}

/**
 * A data file's bytes, read safely: regular files only (checked with lstat before opening, so a
 * FIFO never blocks and a device is never read), symbolic links only when they stay inside the
 * dataset folder, at most MAX_FILE_BYTES. Problems become issues; no content is ever quoted.
 * `null` when the file is missing (reported only when required) or refused.
 */
export function readFileSafe(abs: string, issues: IssueCollector, opts: ReadOpts & { what?: string }): Buffer | null {
  const what = opts.what ?? 'file';
  let st: fs.Stats;
  try {
    st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) {
      const target = fs.realpathSync(abs);
      const root = realRoot(issues.root);
      if (target !== root && !target.startsWith(root + path.sep)) {
        issues.error(abs, '', 'symlink-outside', `a symbolic link to a path outside the dataset folder; not followed (copy the ${what} into the folder instead)`);
        return null;
      }
      st = fs.statSync(abs);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (opts.required) issues.error(abs, '', 'missing-file', 'required file is missing');
    } else issues.error(abs, '', 'unreadable', `cannot read ${what} (${code ?? 'error'})`);
    return null;
  }
  if (!st.isFile()) {
    issues.error(abs, '', 'not-a-file', st.isDirectory() ? 'expected a file, found a directory' : `expected a regular ${what}, found ${KIND(st)}; not read`);
    return null;
  }
  if (st.size > MAX_FILE_BYTES) {
    issues.error(abs, '', 'too-large', `${st.size} bytes, more than the ${MAX_FILE_BYTES} bytes a RoleScape ${what} may have; not read`);
    return null;
  }
  try {
    const buf = fs.readFileSync(abs);
    if (buf.length > MAX_FILE_BYTES) {
      issues.error(abs, '', 'too-large', `grew past ${MAX_FILE_BYTES} bytes while being read; not used`);
      return null;
    }
    return buf;
  } catch (err) {
    issues.error(abs, '', 'unreadable', `cannot read ${what} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    return null;
  }
}

export function readText(abs: string, issues: IssueCollector, opts: ReadOpts): string | null {
  const buf = readFileSafe(abs, issues, opts);
  if (buf === null) return null;
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
    const msg = jsonErrorMessage(err).replace(/\s*\(line \d+ column \d+\)$/, '');
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
