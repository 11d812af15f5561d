/**
 * Finds keys in raw JSON that a schema does not know. zod strips such keys silently; we want
 * them visible as warnings (a typo'd key usually means a value went missing), without making
 * them errors (the release has harmless extras, e.g. an MCQ item with a `description`).
 */
import { z } from 'zod';

export interface UnknownKey {
  path: (string | number)[];
  key: string;
  /** A known key that is absent and looks like this one (a garbled spelling), if any. */
  lookalike: string | null;
}

/** Peel wrappers (optional, default, preprocess/transform, …) down to the structural schema. */
function unwrap(s: z.ZodTypeAny): z.ZodTypeAny {
  for (;;) {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) s = s.unwrap();
    else if (s instanceof z.ZodDefault) s = s.removeDefault();
    else if (s instanceof z.ZodEffects) s = s.innerType();
    else return s;
  }
}

/** Same first 6 and last 6 characters: "reason游戏副本_steps" vs "reasoning_steps". */
function looksLike(a: string, b: string): boolean {
  return a.length > 6 && b.length > 6 && a.slice(0, 6) === b.slice(0, 6) && a.slice(-6) === b.slice(-6);
}

export function unknownKeys(schema: z.ZodTypeAny, value: unknown, at: (string | number)[] = []): UnknownKey[] {
  const s = unwrap(schema);
  const out: UnknownKey[] = [];
  if (s instanceof z.ZodObject && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const shape = s.shape as Record<string, z.ZodTypeAny>;
    const obj = value as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (key in shape) out.push(...unknownKeys(shape[key], obj[key], [...at, key]));
      else {
        const lookalike = Object.keys(shape).find((k) => !(k in obj) && looksLike(k, key)) ?? null;
        out.push({ path: at, key, lookalike });
      }
    }
  } else if (s instanceof z.ZodArray && Array.isArray(value)) {
    value.forEach((v, i) => out.push(...unknownKeys(s.element, v, [...at, i])));
  } else if (s instanceof z.ZodUnion) {
    // follow the first alternative the value satisfies (objects in unions are rare here)
    const match = (s.options as z.ZodTypeAny[]).find((o) => o.safeParse(value).success);
    if (match) out.push(...unknownKeys(match, value, at));
  }
  return out;
}
