/**
 * Applies a schema to a raw JSON value: schema errors and unknown keys become issues, and
 * when the only problems sit inside items of a top-level list (`scenes[3]`, `qa_items[7]`),
 * the file is salvaged by dropping those items, so one bad item does not hide a whole file.
 */
import type { z } from 'zod';
import { formatPath, type IssueCollector } from './issues';
import { unknownKeys } from './unknown-keys';

export interface Parsed<T> {
  data: T;
  /** For salvaged lists: original index of each kept item (absent key = nothing dropped). */
  kept: Record<string, number[]>;
}

/** Original position of the i-th parsed item of `list`. */
export function origIndex(p: Parsed<unknown>, list: string, i: number): number {
  return p.kept[list]?.[i] ?? i;
}

function joinField(prefix: string, at: string): string {
  return prefix && at ? `${prefix}: ${at}` : prefix || at;
}

export function reportUnknownKeys(schema: z.ZodTypeAny, raw: unknown, abs: string, issues: IssueCollector, prefix = ''): void {
  for (const u of unknownKeys(schema, raw)) {
    const where = joinField(prefix, formatPath([...u.path, u.key]));
    const hint = u.lookalike ? `; looks like a garbled "${u.lookalike}" (read as that)` : '; ignored';
    issues.warn(abs, where, 'unknown-key', `unexpected key "${u.key}"${hint}`);
  }
}

/** Items of top-level lists that hold a schema error, or null if some error is elsewhere. */
function badListItems(raw: unknown, paths: (string | number)[][]): Map<string, Set<number>> | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const bad = new Map<string, Set<number>>();
  for (const p of paths) {
    const [key, idx] = p;
    if (typeof key !== 'string' || typeof idx !== 'number' || !Array.isArray((raw as Record<string, unknown>)[key])) return null;
    if (!bad.has(key)) bad.set(key, new Set());
    bad.get(key)!.add(idx);
  }
  return bad;
}

export function parseWith<S extends z.ZodTypeAny>(
  schema: S,
  raw: unknown,
  abs: string,
  issues: IssueCollector,
  prefix = '',
): Parsed<z.output<S>> | null {
  reportUnknownKeys(schema, raw, abs, issues, prefix);
  const first = schema.safeParse(raw);
  if (first.success) return { data: first.data, kept: {} };
  issues.fromZod(abs, first.error, raw, prefix);

  const bad = badListItems(raw, first.error.issues.map((i) => i.path));
  if (!bad) return null;
  const copy: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const kept: Record<string, number[]> = {};
  for (const [key, idxs] of bad) {
    const items = copy[key] as unknown[];
    kept[key] = items.map((_, i) => i).filter((i) => !idxs.has(i));
    copy[key] = kept[key].map((i) => items[i]);
  }
  const second = schema.safeParse(copy);
  return second.success ? { data: second.data, kept } : null;
}
