/**
 * The notebooks read like a method section: narrative in markdown, a few calls per code cell, the
 * plumbing (modes, folders, training loops, results files, freeing tensors) in src/notebooks/.
 * Measured on the committed sources: no code cell over 12 lines, each notebook's median at most 5,
 * and none of the plumbing patterns the notebook context replaces.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../src/util/paths';

const MAX_LINES = 12;
const MAX_MEDIAN = 5;

/** What the context does instead (src/notebooks/): each pattern's name, regex, and how many a notebook may keep. */
const PLUMBING: readonly { name: string; re: RegExp; allowed: number }[] = [
  { name: 'smoke ternaries (use nb.pick / nb.preset)', re: /nb\.smoke\s*\?/g, allowed: 0 },
  { name: 'folders built by hand (use nb.paths)', re: /\$\{nb\.root\}\/|['"`](?:checkpoints|data\/runs|data\/experiments|results)\//g, allowed: 0 },
  { name: 'files parsed by hand (use nb.results, readResults)', re: /JSON\.parse|readFileSync/g, allowed: 0 },
  { name: '.dispose() calls (use nb.track, then one nb.dispose())', re: /\.dispose\(\)/g, allowed: 1 },
];

const dir = path.join(projectRoot(), 'notebooks');
const notebooks = fs.readdirSync(dir).filter((f) => f.endsWith('.ipynb')).sort();

function codeCells(name: string): string[] {
  const nb = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  return nb.cells.filter((c) => c.cell_type === 'code').map((c) => [c.source].flat().join(''));
}

/** Lines of a cell, trailing blank lines not counted. */
const lineCount = (src: string): number => src.replace(/\s+$/, '').split('\n').length;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

test('each notebook has code cells to measure', () => {
  assert.ok(notebooks.length >= 1, `no notebooks under ${dir}`);
  for (const name of notebooks) assert.ok(codeCells(name).length >= 2, `${name}: fewer than two code cells`);
});

for (const name of notebooks) {
  test(`notebook ${name}: code cells of at most ${MAX_LINES} lines, median at most ${MAX_MEDIAN}, no plumbing`, () => {
    const cells = codeCells(name);
    const lines = cells.map(lineCount);
    const counts = PLUMBING.map((p) => ({ ...p, found: cells.reduce((a, src) => a + (src.match(p.re) ?? []).length, 0) }));
    console.log(`${name}: lines per code cell [${lines.join(', ')}], median ${median(lines)}; ${counts.map((c) => `${c.name}: ${c.found}`).join('; ')}`);
    const long = lines.flatMap((n, i) => (n > MAX_LINES ? [`code cell ${i + 1} has ${n} lines`] : []));
    assert.deepEqual(long, [], `${name}: cells over ${MAX_LINES} lines`);
    assert.ok(median(lines) <= MAX_MEDIAN, `${name}: median ${median(lines)} lines per code cell, expected at most ${MAX_MEDIAN}`);
    for (const c of counts) assert.ok(c.found <= c.allowed, `${name}: ${c.found} ${c.name}, expected at most ${c.allowed}`);
  });
}
