/**
 * JSON lines as the release writes them: one record per line, a newline after each, and reward
 * weights as floats (`1.0`: the release's Python wrote floats, JSON.stringify would write `1`).
 */
const floats = (line: string): string => line.replace(/("weight":)(-?\d+)(?=[,}])/g, '$1$2.0');

export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => floats(JSON.stringify(r))).join('\n') + (rows.length ? '\n' : '');
}

/** The records of a jsonl text (blank lines skipped). */
export function parseJsonl(text: string): unknown[] {
  return text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
}
