/**
 * Every relative link of the hand-written docs resolves, and every repository path the READMEs and
 * src/'s comments name exists: after a file moves, the text that points at it has to move too.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../src/util/paths';

const root = projectRoot();
const DOCS = ['README.md', 'checkpoints/README.md'];
/** A path into the repository as the docs write it (not part of a longer or relative path): a top-level folder, then names. */
const REPO_PATH = /(?<![\w./-])(?:src|test|notebooks|environment|checkpoints|results|docs)\/[A-Za-z0-9_./-]*[A-Za-z0-9_/]/g;
/** Comments in src/ name many paths of datasets (a character's `test/` folder) and of other repositories: only these are ours. */
const SRC_COMMENT_PATH = /^(?:src|docs)\//;
/** Made by commands, not committed: named by the docs, absent from a fresh clone. */
const GENERATED = [/^notebooks\/executed\//, /^results\/[^/]+\/models\//];
/** Paths of other repositories that src/ comments name, with whose they are. */
const ELSEWHERE = [{ file: 'src/backend/gradients.ts', path: 'src/gradients/', whose: 'tfjs-core' }, { file: 'src/backend/kernels.ts', path: 'src/gradients/', whose: 'tfjs-core' }];

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? tsFiles(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** A repository path exists (a module by its name without `.ts`, a compiled test `test/x.test.js` by its source). */
function exists(rel: string): boolean {
  const p = path.join(root, rel);
  return fs.existsSync(p) || fs.existsSync(`${p}.ts`) || (/^test\/.*\.js$/.test(rel) && fs.existsSync(p.replace(/\.js$/, '.ts')));
}

/** A path cut short by a pattern (`src/judges/real*.ts`, `commands/<name>.ts`) names whatever starts so. */
function existsAsPrefix(rel: string): boolean {
  const dir = path.join(root, path.dirname(rel));
  return fs.existsSync(dir) && fs.readdirSync(dir).some((n) => n.startsWith(path.basename(rel)));
}

function missingPaths(text: string, where: string, keep: (p: string) => boolean = () => true): string[] {
  return [...text.matchAll(REPO_PATH)]
    .filter((m) => {
      const p = m[0];
      if (!keep(p) || GENERATED.some((g) => g.test(p))) return false;
      if (/--out[ =]$/.test(text.slice(Math.max(0, m.index! - 6), m.index))) return false; // what a command writes
      return /[*<{]/.test(text[m.index! + p.length] ?? '') ? !existsAsPrefix(p) : !exists(p);
    })
    .map((m) => `${where}: ${m[0]}`);
}

test('relative links in the READMEs resolve', () => {
  const broken = DOCS.flatMap((doc) => {
    const text = fs.readFileSync(path.join(root, doc), 'utf8');
    return [...text.matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1].split('#')[0])
      .filter((t) => t && !/^[a-z]+:/i.test(t) && !fs.existsSync(path.join(root, path.dirname(doc), t)))
      .map((t) => `${doc}: ${t}`);
  });
  assert.deepEqual(broken, []);
});

test('repository paths named in the READMEs and in src/ comments exist', () => {
  const fromDocs = DOCS.flatMap((doc) => missingPaths(fs.readFileSync(path.join(root, doc), 'utf8'), doc));
  const fromSrc = tsFiles(path.join(root, 'src')).flatMap((f) => {
    const rel = path.relative(root, f).split(path.sep).join('/');
    const ours = (p: string) => SRC_COMMENT_PATH.test(p) && !ELSEWHERE.some((x) => x.file === rel && x.path === p);
    return missingPaths(fs.readFileSync(f, 'utf8'), rel, ours);
  });
  assert.deepEqual([...fromDocs, ...fromSrc], []);
});

test('the path pattern finds what the docs write', () => {
  const found = [...'see `src/eval/suite/t2i.ts`, docs/eval-metrics.md and checkpoints/base.'.matchAll(REPO_PATH)].map((m) => m[0]);
  assert.deepEqual(found, ['src/eval/suite/t2i.ts', 'docs/eval-metrics.md', 'checkpoints/base']);
  assert.deepEqual(missingPaths('docs/eval-metrics.md, src/judges/real*.ts, src/judges/nosuch*.ts, src/model/ops', 'x'), ['x: docs/eval-metrics.md', 'x: src/judges/nosuch']);
  assert.deepEqual([..."import x from '../notebooks/setup'; ./src/a".matchAll(REPO_PATH)], [], 'relative paths are not repository paths');
  assert.deepEqual(missingPaths('cmrp experiment --out results/nosuch', 'x'), [], "a command's output is not a reference");
});
