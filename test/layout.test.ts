/**
 * src/ runs one way: its top-level folders, read bottom to top, are the research loop, and a file
 * imports only its own folder and the folders below it (type-only imports included: they are
 * dependencies a reader follows too). LAYERS is that order, declared here once and printed when
 * the test runs; a new top-level folder fails until it is placed in it.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { projectRoot } from '../src/util/paths';

/** src/'s top-level folders, bottom first. Files directly in src/ (index.ts) sit above them all. */
const LAYERS = [
  'util', // seeded RNG, atomic writes, paths, errors, stats, progress bars
  'browser', // the headless-browser driver (figure export, the browser test)
  'backend', // compute backend selection, kernels
  'data', // RoleScape-20 format, the synthetic world, the method's splits (GRPO prompts, held-out world characters, few-shot references)
  'tokenizers', // text BPE, image codebook, the one vocabulary, the one image reader
  'model', // the unified transformer, generation, checkpoints
  'judges', // stand-ins for BLIP-VQA / CLIP / DINO / LPIPS, the text judges
  'metrics', // pure scorers of drawings and replies, shared by the rewards and the evaluation suite
  'rewards', // Character-GRPO's reward components
  'grpo', // Character-GRPO's objective on a shard of rows and its group drawing: what the worker threads run, so below parallel
  'parallel', // worker threads for the training steps and GRPO rollouts
  'train', // pretraining, Unified-SFT, Character-GRPO
  'eval', // policies, the evaluation suite, experiment grids
  'export', // export to the official UniCharacter pipeline
  'viz', // figures, tables, galleries for notebooks
  'notebooks', // the notebooks' setup cell and headless execution
  'cli', // the `cmrp` commands
] as const;

/**
 * Imports allowed to point up, each with its reason. The test fails when one is no longer needed,
 * so the list only shrinks.
 */
const EXCEPTIONS: readonly { from: string; to: string; why: string }[] = [];

const srcDir = path.join(projectRoot(), 'src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** `a/b.ts`, `a/b/index.ts` or null (a package, a non-TypeScript file) for an import of `spec` from `file`. */
function resolveImport(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  const base = path.resolve(path.dirname(file), spec);
  for (const p of [`${base}.ts`, path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')]) {
    if (p.endsWith('.ts') && fs.existsSync(p)) return path.relative(srcDir, p).split(path.sep).join('/');
  }
  return null;
}

interface Edge {
  from: string; // path under src/
  to: string;
  spec: string;
}

/** Every relative import of src/: import/export ... from, import(), require(). */
function importEdges(): Edge[] {
  return sourceFiles(srcDir).flatMap((file) => {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const from = path.relative(srcDir, file).split(path.sep).join('/');
    return info.importedFiles.flatMap(({ fileName: spec }) => {
      const to = resolveImport(file, spec);
      if (spec.startsWith('.') && to === null && !/\.(json|js)$/.test(spec)) assert.fail(`${from}: cannot resolve import '${spec}'`);
      return to ? [{ from, to, spec }] : [];
    });
  });
}

const folderOf = (p: string): string => (p.includes('/') ? p.split('/')[0] : '');
/** Index in LAYERS; files directly under src/ are above every folder. */
const rankOf = (folder: string): number => (folder === '' ? LAYERS.length : (LAYERS as readonly string[]).indexOf(folder));
const isException = (e: Edge): boolean => EXCEPTIONS.some((x) => x.from === e.from && x.to === e.to);

test('every top-level folder of src/ has its place in the order', (t) => {
  t.diagnostic(`order enforced, bottom first: ${LAYERS.join(' -> ')} -> src/index.ts`);
  const folders = fs.readdirSync(srcDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(folders.filter((f) => rankOf(f) < 0), [], 'folders missing from LAYERS');
  assert.deepEqual(LAYERS.filter((l) => !folders.includes(l)), [], 'LAYERS names folders that do not exist');
});

test('no import points up the order', (t) => {
  const edges = importEdges();
  assert.ok(edges.length > 500, `only ${edges.length} imports found: the parser misses some`);
  const up = edges.filter((e) => rankOf(folderOf(e.to)) > rankOf(folderOf(e.from)));
  const unexplained = up.filter((e) => !isException(e)).map((e) => `src/${e.from} imports '${e.spec}' (${folderOf(e.to)} is above ${folderOf(e.from)})`);
  assert.deepEqual(unexplained, [], `imports up the order (${LAYERS.join(' -> ')}); move the shared piece down instead`);
  const stale = EXCEPTIONS.filter((x) => !up.some((e) => e.from === x.from && e.to === x.to)).map((x) => `${x.from} -> ${x.to}`);
  assert.deepEqual(stale, [], 'exceptions no longer needed: remove them from EXCEPTIONS');
  for (const x of EXCEPTIONS) t.diagnostic(`allowed up: ${x.from} -> ${x.to} (${x.why})`);
});

test('no cycle between top-level folders (exceptions aside)', () => {
  const next = new Map<string, Set<string>>();
  for (const e of importEdges()) {
    const [a, b] = [folderOf(e.from), folderOf(e.to)];
    if (a === b || isException(e)) continue;
    if (!next.has(a)) next.set(a, new Set());
    next.get(a)!.add(b);
  }
  // depth-first search; a back edge closes a cycle, reported as its path
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const visit = (n: string, trail: string[]): void => {
    state.set(n, 'open');
    for (const m of next.get(n) ?? []) {
      if (state.get(m) === 'open') cycles.push([...trail.slice(trail.indexOf(m)), n, m].join(' -> '));
      else if (!state.has(m)) visit(m, [...trail, n]);
    }
    state.set(n, 'done');
  };
  for (const n of next.keys()) if (!state.has(n)) visit(n, []);
  assert.deepEqual(cycles, []);
});

/**
 * Inside judges/ the same rule, one level down: each subfolder and the subfolders it may import
 * (core <- image <- real; text/ stands apart on core/). Files directly in judges/ (index.ts,
 * heldout.ts) sit above them all. A new subfolder fails until it is placed here.
 */
const JUDGES_IMPORTS: Readonly<Record<string, readonly string[]>> = {
  core: [], // attributes, the image reader and renders, the encoder, checkpoints, fit, world data
  image: ['core'], // the four synthetic image judges, their set (loadJudges), training and report
  real: ['core', 'image'], // the identity judge retrained on real images
  text: ['core'], // style attribution, line emotion
  '': ['core', 'image', 'real', 'text'], // index.ts, heldout.ts
};

/** `image` for `judges/image/vqa.ts`, '' for `judges/index.ts`, null outside judges/. */
const judgesPartOf = (p: string): string | null => {
  const parts = p.split('/');
  return parts[0] !== 'judges' ? null : parts.length > 2 ? parts[1] : '';
};

test('inside judges/, imports run core <- image <- real (text/ on core/)', (t) => {
  t.diagnostic(`judges/ subfolders and what each may import: ${Object.entries(JUDGES_IMPORTS).map(([k, v]) => `${k || '(top)'} <- [${v.join(', ')}]`).join('; ')}`);
  const parts = fs.readdirSync(path.join(srcDir, 'judges'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();
  assert.deepEqual(parts.filter((p) => !(p in JUDGES_IMPORTS)), [], 'judges/ subfolders missing from JUDGES_IMPORTS');
  const wrong = importEdges().flatMap((e) => {
    const [a, b] = [judgesPartOf(e.from), judgesPartOf(e.to)];
    return a === null || b === null || a === b || JUDGES_IMPORTS[a].includes(b) ? [] : [`src/${e.from} imports '${e.spec}' (judges/${a || ''} may import only ${JUDGES_IMPORTS[a].join(', ') || 'itself'})`];
  });
  assert.deepEqual(wrong, []);
});

test('the import parser sees every form of import it is given', () => {
  const text = "import a from './a';\nimport type { B } from '../b';\nexport * from './c';\nconst d = require('./d');\nconst e = import('./e');\nimport x from 'sharp';\n";
  assert.deepEqual(ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName), ['./a', '../b', './c', './d', './e', 'sharp']);
});
