/** File helpers: atomic writes (never leave a half-written file behind) and JSON I/O. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from './errors';

/** Files a run keeps in its --out folder across atomic replacements (see util/run-out.ts). */
export const CARRIED_FILES = ['.cmrp-run.json', '.cmrp.lock'];

/**
 * A JSON.parse error without the input it quotes: V8 messages carry a snippet of the text
 * (`Unexpected token 'r', "root:x:0:0:"... is not valid JSON`), which must not reach a log.
 */
export function jsonErrorMessage(err: unknown): string {
  // cut the quoted snippet before the first line: it may itself span lines ("root:x:0:0:root\n" ...)
  const msg = (err instanceof Error ? err.message : String(err)).replace(/, "[\s\S]*$/, '');
  return msg.split('\n')[0].replace(/ is not valid JSON$/, '');
}

/** Write to a temporary sibling, fsync, then rename over the target (atomic on POSIX). */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${Date.now()}`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      if (typeof data === 'string') fs.writeSync(fd, data);
      else fs.writeSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true }); // never leave the temporary file behind
    throw err;
  }
}

/**
 * The one JSON file reader: parse `file`, or throw one UserError line naming it and the problem,
 * `<file>: [cannot read <what>: ]missing | not valid JSON (<reason>) | <i/o error><hint>`.
 * The reason never quotes the file's content.
 */
export function readJsonFile<T = unknown>(file: string, what = '', hint = ''): T {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const problem = code === 'ENOENT' ? 'missing' : code === 'EISDIR' ? 'a folder, not a file' : (err as Error).message.split('\n')[0];
    throw new UserError(`${file}: ${what ? `cannot read ${what}: ` : ''}${problem}${hint}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new UserError(`${file}: ${what ? `cannot read ${what}: ` : ''}not valid JSON (${jsonErrorMessage(err)})${hint}`);
  }
}

export function writeJsonAtomic(file: string, value: unknown, indent = 2): void {
  writeFileAtomic(file, JSON.stringify(value, null, indent) + '\n');
}

/**
 * Replace a whole directory atomically: build it at `<dir>.tmp-*`, then swap it in.
 * `build` receives the temporary path. On failure the old directory is left untouched.
 * The run's manifest and lock (CARRIED_FILES) move into the new folder.
 */
export async function replaceDirAtomic(dir: string, build: (tmpDir: string) => Promise<void> | void): Promise<void> {
  const parent = path.dirname(path.resolve(dir));
  fs.mkdirSync(parent, { recursive: true });
  const tmp = `${path.resolve(dir)}.tmp-${process.pid}-${Date.now()}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    for (const name of CARRIED_FILES) {
      const from = path.join(dir, name);
      if (fs.existsSync(from) && !fs.existsSync(path.join(tmp, name))) fs.copyFileSync(from, path.join(tmp, name));
    }
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  const old = `${path.resolve(dir)}.old-${process.pid}-${Date.now()}`;
  if (fs.existsSync(dir)) fs.renameSync(dir, old);
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}
