/**
 * Training histories on disk (`history.jsonl`, `grpo_history.jsonl`): a row is appended every step,
 * but weights are saved only at checkpoints. So on resume the history is cut back to the saved
 * step (the rows after it belong to steps that will be trained again), and a fresh run in a folder
 * that holds only a stale history (no checkpoint: the last run stopped before its first save)
 * starts a new file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from '../util/fs';
import { UserError } from '../util/errors';

/** Rows as JSON lines (the file's content). */
export function historyJsonl(rows: readonly object[]): string {
  return rows.map((r) => JSON.stringify(r) + '\n').join('');
}

/** Append one row to `<dir>/<file>` (nothing without a folder). */
export function appendHistoryRow(dir: string | null, file: string, row: object): void {
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.appendFileSync(path.join(dir, file), JSON.stringify(row) + '\n');
}

/**
 * The rows of `<dir>/<file>` (empty when there is none). A torn last line (a kill mid-append) is
 * dropped, said on stderr, and the file rewritten without it; a broken line before the last is a
 * UserError naming the file and line.
 */
export function readHistoryFile<R>(dir: string, file: string): R[] {
  const f = path.join(dir, file);
  if (!fs.existsSync(f)) return [];
  const lines = fs.readFileSync(f, 'utf8').split('\n');
  const rows: R[] = [];
  let torn = false;
  lines.forEach((l, i) => {
    if (!l.trim()) return;
    try {
      rows.push(JSON.parse(l) as R);
    } catch {
      const last = lines.slice(i + 1).every((x) => !x.trim());
      if (!last) throw new UserError(`${f}: line ${i + 1}: not a JSON row (the history is damaged; move the folder aside or pass --force to start over)`);
      torn = true;
    }
  });
  if (torn) {
    process.stderr.write(`${f}: dropped a torn last line (the previous run was stopped while writing it); ${rows.length} row(s) kept\n`);
    writeFileAtomic(f, historyJsonl(rows as object[]));
  }
  return rows;
}

/** Keep the rows up to `step` and rewrite the file to exactly those. */
export function truncateHistory<R extends { step: number }>(dir: string | null, file: string, rows: readonly R[], step: number): R[] {
  const kept = rows.filter((r) => r.step <= step);
  if (dir && kept.length !== rows.length) writeFileAtomic(path.join(dir, file), historyJsonl(kept));
  return kept;
}

/** A fresh run: remove a history left without any checkpoint. */
export function discardStaleHistory(dir: string | null, file: string): void {
  if (dir && fs.existsSync(path.join(dir, file))) fs.rmSync(path.join(dir, file));
}
