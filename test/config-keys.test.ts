/**
 * Config keys are snake_case everywhere (issue 15): every key of every `z.object({...})` in src/ is
 * read from the source text, and a camelCase one fails, naming its file and line. Renamed keys stay
 * loadable through util/deprecated-keys.ts, whose tables are plain objects, not schemas.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../src/util/paths';

const SRC = path.join(projectRoot(), 'src');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** The top-level keys of each `z.object({ ... })` literal in `text`, with their line numbers. */
function schemaKeys(source: string): { key: string; line: number }[] {
  const text = source.replace(/\/\/[^\n]*/g, ''); // comments may hold unbalanced brackets; lines keep their numbers
  const out: { key: string; line: number }[] = [];
  for (const m of text.matchAll(/z\s*\.object\(\{/g)) {
    let i = m.index! + m[0].length;
    let depth = 1;
    const start = i;
    while (depth > 0 && i < text.length) {
      const ch = text[i++];
      if (ch === '{' || ch === '(' || ch === '[') depth++;
      else if (ch === '}' || ch === ')' || ch === ']') depth--;
      else if (depth === 1 && ch === '\n') {
        const rest = text.slice(i, text.indexOf('\n', i) + 1 || undefined);
        const k = /^\s*([A-Za-z_$][\w$]*)\s*:/.exec(rest);
        if (k) out.push({ key: k[1], line: text.slice(0, i).split('\n').length });
      }
    }
    // a key on the same line as the opening brace (`z.object({ a: ..., b: ... })`)
    const first = text.slice(start, text.indexOf('\n', start));
    for (const k of first.matchAll(/(?:^\s*|[,{]\s*)([A-Za-z_$][\w$]*)\s*:/g)) out.push({ key: k[1], line: text.slice(0, start).split('\n').length });
  }
  return out;
}

test('the key reader sees multi-line and one-line schemas', () => {
  const keys = schemaKeys("const A = z\n  .object({\n    num_generations: z.number(),\n    nested: z.object({ inner_key: z.string(), badKey: z.string() }),\n    camelCase: z.boolean(),\n  });\n").map((k) => k.key);
  assert.deepEqual(keys.sort(), ['badKey', 'camelCase', 'inner_key', 'nested', 'num_generations']);
});

test('every config schema key in src/ is snake_case', () => {
  const bad: string[] = [];
  let seen = 0;
  for (const file of tsFiles(SRC)) {
    for (const { key, line } of schemaKeys(fs.readFileSync(file, 'utf8'))) {
      seen++;
      if (/[a-z][A-Z]/.test(key)) bad.push(`${path.relative(SRC, file)}:${line}: "${key}"`);
    }
  }
  assert.ok(seen > 200, `read ${seen} schema keys: the reader misses schemas`);
  assert.deepEqual(bad, [], `camelCase config keys (use snake_case; keep old names loadable with util/deprecated-keys.ts):\n${bad.join('\n')}`);
});
