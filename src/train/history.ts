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

/** The rows of `<dir>/<file>` (empty when there is none). */
export function readHistoryFile<R>(dir: string, file: string): R[] {
  const f = path.join(dir, file);
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as R);
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
