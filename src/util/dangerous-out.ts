/**
 * Folders `--force` must never empty: the file-system root, the user's home, the current working
 * directory and the folders above it, and the project root and the folders above it. Each holds far
 * more than any run (a typo such as `--out ~` or `--out .` would otherwise wipe it), so they are
 * refused by name whatever the flags. Paths are compared after resolving symbolic links, so a link
 * to one of them is refused too.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot } from './paths';

const real = (p: string): string => {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};

/** `dir` is `anchor` or a folder above it. */
const isAncestorOrSelf = (dir: string, anchor: string): boolean => dir === anchor || anchor.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);

/** Why removing `dir`'s contents would be a disaster, or null when it is an ordinary folder. */
export function dangerousOut(dir: string): string | null {
  const d = real(dir);
  if (d === path.parse(d).root) return 'it is the root of the file system';
  if (d === real(os.homedir())) return 'it is your home folder';
  const cwd = real(process.cwd());
  if (isAncestorOrSelf(d, cwd)) return d === cwd ? 'it is the current working directory' : 'it holds the current working directory';
  let root: string | null = null;
  try {
    root = real(projectRoot());
  } catch {
    /* outside a checkout: nothing more to protect */
  }
  if (root && isAncestorOrSelf(d, root)) return d === root ? 'it is the cmrp-lab project folder' : 'it holds the cmrp-lab project folder';
  return null;
}
