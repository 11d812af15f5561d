/**
 * Which code made a result: the git commit of the project (short hash), with `+dirty` when the
 * code (src/, the package files) differs from it; null outside a git checkout. Cached cells keep the
 * version that made them, so a report can say when its cells came from different code (the cache
 * keys cover inputs, not code).
 */
import { execFileSync } from 'node:child_process';
import { projectRoot } from './paths';

const CODE_PATHS = ['src', 'package.json', 'package-lock.json', 'tsconfig.json'];
let cached: string | null | undefined;

export function codeVersion(): string | null {
  if (cached !== undefined) return cached;
  const git = (args: string[]) => execFileSync('git', ['-C', projectRoot(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const head = git(['rev-parse', '--short=12', 'HEAD']);
    const dirty = git(['status', '--porcelain', '--untracked-files=no', '--', ...CODE_PATHS]) !== '';
    cached = dirty ? `${head}+dirty` : head;
  } catch {
    cached = null; // no git, or not a checkout (e.g. an npm-installed copy)
  }
  return cached;
}
