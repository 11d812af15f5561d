/**
 * Text matching shared by the scorers: SQuAD-style answer normalization (lower case, no
 * punctuation, no articles, single spaces), exact match, token F1, and whole-word phrase search.
 */

/** Lower case, punctuation and the articles a/an/the removed, whitespace collapsed. */
export function normalizeAnswer(s: string): string {
  return s
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\b(a|an|the)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function exactMatch(predicted: string, expected: string): boolean {
  return normalizeAnswer(predicted) === normalizeAnswer(expected);
}

/** Harmonic mean of token precision and recall after normalization (SQuAD's F1). */
export function tokenF1(predicted: string, expected: string): number {
  const p = normalizeAnswer(predicted).split(' ').filter(Boolean);
  const e = normalizeAnswer(expected).split(' ').filter(Boolean);
  if (p.length === 0 || e.length === 0) return p.length === e.length ? 1 : 0;
  const left = new Map<string, number>();
  for (const t of e) left.set(t, (left.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const n = left.get(t) ?? 0;
    if (n > 0) (common += 1), left.set(t, n - 1);
  }
  if (common === 0) return 0;
  const precision = common / p.length, recall = common / e.length;
  return (2 * precision * recall) / (precision + recall);
}

/** Whether `phrase` occurs in `text` as whole words, after normalizing both (case-insensitive). */
export function containsPhrase(text: string, phrase: string): boolean {
  const p = normalizeAnswer(phrase);
  if (!p) return false;
  return ` ${normalizeAnswer(text)} `.includes(` ${p} `);
}

/** `"What now?"` -> `What now?`: personality questions are stored quoted. */
export function stripQuotes(s: string): string {
  const t = s.trim();
  const m = /^["\u201c](.*)["\u201d]$/s.exec(t);
  return m ? m[1].trim() : t;
}
