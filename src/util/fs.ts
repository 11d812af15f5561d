/** File helpers: atomic writes (never leave a half-written file behind) and JSON I/O. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';

/** Write to a temporary sibling, fsync, then rename over the target (atomic on POSIX). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  const fd = fs.openSync(tmp, 'w');
  try {
    if (typeof data === 'string') fs.writeSync(fd, data);
    else fs.writeSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Parse a JSON file; an unreadable or unparsable file is one UserError line:
 * `<file>: cannot read[ <what>] (<reason>)<hint>`.
 */
export function readJsonFile<T = unknown>(file: string, what = '', hint = ''): T {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
  } catch (err) {
    throw new UserError(`${file}: cannot read${what ? ` ${what}` : ''} (${(err as Error).message.split('\n')[0]})${hint}`);
  }
}

export function writeJsonAtomic(file: string, value: unknown, indent = 2): void {
  writeFileAtomic(file, JSON.stringify(value, null, indent) + '\n');
}

/**
 * Replace a whole directory atomically: build it at `<dir>.tmp-*`, then swap it in.
 * `build` receives the temporary path. On failure the old directory is left untouched.
 */
export async function replaceDirAtomic(dir: string, build: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = `${path.resolve(dir)}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = `${path.resolve(dir)}.old-${process.pid}-${Date.now()}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}
