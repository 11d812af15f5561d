/**
 * `--out` belongs to one run. A small manifest (`<out>/.cmrp-run.json`: kind, character, config,
 * base) says whose run a folder holds; a command refuses a non-empty folder that is not a run of
 * the same kind, character and config (naming the difference), and refuses a file, unless
 * `--force`, which says what it removes (never from `/`, home, the working directory or the project:
 * util/dangerous-out.ts). A lock (`<out>/.cmrp.lock`, the holder's pid) refuses a
 * second concurrent run; a lock whose process is gone (kill -9) is taken over. Both files move with
 * the folder when a checkpoint replaces it (util/fs.ts CARRIED_FILES). At start a run removes the
 * `<out>.tmp-PID-TS` / `<out>.old-PID-TS` siblings that a killed run of a dead process left.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UserError } from './errors';
import { writeJsonAtomic } from './fs';
import { dangerousOut } from './dangerous-out';

export const RUN_MANIFEST = '.cmrp-run.json';
export const RUN_LOCK = '.cmrp.lock';
export const RUN_FORMAT = 'cmrp-run/1';

/** What makes two runs the same run; fields left undefined are not compared. */
export interface RunIdentity {
  kind: string;
  character?: string;
  config?: unknown;
  base?: string;
}

export interface OutOptions {
  /** Replace whatever is there (said on `log`). */
  force?: boolean;
  log?: (line: string) => void;
  /** Recognise a folder written before manifests existed (e.g. a checkpoint's config.json meta). */
  legacy?: (dir: string) => RunIdentity | null;
  /** No run lock: runs that each write only their own files may share the folder (`notebooks run`). */
  shared?: boolean;
  /** The folder's recorded config under today's key names (a run recorded before a key was renamed is the same run). */
  upgradeConfig?: (config: unknown) => unknown;
}

export interface OutClaim {
  dir: string;
  /** The folder already held this run (a resume). */
  existing: boolean;
  release(): void;
}

const held = new Set<string>();
process.on('exit', () => {
  for (const f of held) releaseLockFile(f);
});

/** Is `pid` a live process on this machine? */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove `<target>.tmp-PID-TS` and `<target>.old-PID-TS` siblings whose process is gone; returns them. */
export function cleanStaleSiblings(target: string): string[] {
  const abs = path.resolve(target);
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const m = /^\.(tmp|old)-(\d+)-\d+$/.exec(n.slice(base.length));
    if (!n.startsWith(base) || !m || (Number(m[2]) !== process.pid && pidAlive(Number(m[2])))) continue;
    if (Number(m[2]) === process.pid) continue; // our own, in use
    fs.rmSync(path.join(parent, n), { recursive: true, force: true });
    removed.push(path.join(parent, n));
  }
  return removed;
}

const fmtBytes = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KB` : `${n} B`);

/** Files under `dir` (relative) with their total size. */
function inventory(dir: string): { files: string[]; bytes: number } {
  const files: string[] = [];
  let bytes = 0;
  const walk = (d: string, rel: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (!rel && e.name === RUN_LOCK) continue; // our own lock, taken to remove the rest
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(path.join(d, e.name), r);
      else (files.push(r), (bytes += fs.lstatSync(path.join(d, e.name)).size));
    }
  };
  walk(dir, '');
  return { files, bytes };
}

function describeRemoval(what: string, inv: { files: string[]; bytes: number }): string {
  const shown = inv.files.slice(0, 5).join(', ') + (inv.files.length > 5 ? `, … (${inv.files.length - 5} more)` : '');
  return `--force: removing ${inv.files.length} file(s), ${fmtBytes(inv.bytes)}, from ${what}: ${shown}`;
}

/** Leaf differences between two JSON values, as `a.b: x here, y in the run`. */
export function configDiff(now: unknown, was: unknown, prefix = ''): string[] {
  if (JSON.stringify(now) === JSON.stringify(was)) return [];
  const isObj = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(now) && isObj(was)) {
    const a = now as Record<string, unknown>, b = was as Record<string, unknown>;
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => configDiff(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return [`${prefix || '(config)'}: ${JSON.stringify(now)} now, ${JSON.stringify(was)} in the run`];
}

function identityDiff(now: RunIdentity, was: RunIdentity): string[] {
  const out: string[] = [];
  if (now.kind !== was.kind) out.push(`kind: ${now.kind} now, ${was.kind} in the folder`);
  if (now.character !== undefined && was.character !== undefined && now.character !== was.character) out.push(`character: ${now.character} now, ${was.character} in the run`);
  if (now.base !== undefined && was.base !== undefined && now.base !== was.base) out.push(`base: ${now.base} now, ${was.base} in the run`);
  if (now.config !== undefined && was.config !== undefined) {
    const d = configDiff(now.config, was.config, 'config');
    out.push(...d.slice(0, 4), ...(d.length > 4 ? [`… ${d.length - 4} more config difference(s)`] : []));
  }
  return out;
}

export function readRunManifest(dir: string): RunIdentity | null {
  const f = path.join(dir, RUN_MANIFEST);
  if (!fs.existsSync(f)) return null;
  try {
    const m = JSON.parse(fs.readFileSync(f, 'utf8')) as RunIdentity & { format?: string };
    return m.format === RUN_FORMAT && typeof m.kind === 'string' ? m : null;
  } catch {
    return null;
  }
}

function readLock(file: string): { pid: number; host: string; started: string } | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null; // torn or empty: treated as stale
  }
}

function releaseLockFile(file: string): void {
  const l = readLock(file);
  if (l && l.pid === process.pid) fs.rmSync(file, { force: true });
  held.delete(file);
}

/** Take `<dir>/.cmrp.lock`, or refuse naming the live holder; a dead holder's lock is taken over. */
export function acquireLock(dir: string, log: (l: string) => void = () => {}): () => void {
  const file = path.join(dir, RUN_LOCK);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, host: os.hostname(), started: new Date().toISOString() }) + '\n');
      fs.closeSync(fd);
      held.add(file);
      return () => releaseLockFile(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const l = readLock(file);
    if (l && l.pid === process.pid) return () => releaseLockFile(file);
    if (l && l.host === os.hostname() && pidAlive(l.pid)) {
      throw new UserError(`--out ${dir}: in use by another cmrp run (pid ${l.pid}, since ${l.started}); wait for it to end or choose another --out`);
    }
    log(`${dir}: taking over a stale lock${l ? ` of pid ${l.pid} (no longer running)` : ' (unreadable)'}`);
    fs.rmSync(file, { force: true });
  }
  throw new UserError(`--out ${dir}: cannot take the lock ${file}; remove it if no cmrp run uses this folder`);
}

/**
 * Make `dir` this run's --out folder: refuse a file or a foreign/other-run folder (unless force),
 * clean stale siblings, take the lock and record the manifest. Throws UserError in one line.
 */
export function claimOutDir(dir: string, id: RunIdentity, o: OutOptions = {}): OutClaim {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  for (const s of cleanStaleSiblings(dir)) log(`removed ${s} (left by a run that was stopped)`);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let existing = false;
  if (st && !st.isDirectory()) {
    if (!o.force) throw new UserError(`--out ${dir}: is a file, not a folder; choose another --out, or pass --force to replace the file`);
    log(`--force: removing the file ${dir} (${fmtBytes(st.size)})`);
    fs.rmSync(dir, { force: true });
  } else if (st) {
    const entries = fs.readdirSync(dir).filter((n) => n !== RUN_LOCK);
    // a folder holding only a manifest is a run that stopped before writing anything: free to take
    if (entries.length && !(entries.length === 1 && entries[0] === RUN_MANIFEST)) {
      const recorded = readRunManifest(dir) ?? o.legacy?.(dir) ?? null;
      const was = recorded && o.upgradeConfig && recorded.config !== undefined ? { ...recorded, config: o.upgradeConfig(recorded.config) } : recorded;
      const diff = was ? identityDiff(id, was) : null;
      const danger = diff && diff.length === 0 ? null : dangerousOut(dir);
      if (diff && diff.length === 0) existing = true;
      else if (danger) {
        // never offer --force here: emptying this folder would take far more than a run
        throw new UserError(`--out ${dir}: refused, ${danger}${o.force ? '; --force never empties it' : ''}; choose a new folder for --out`);
      } else if (!o.force) {
        const why = diff ? `holds another run (${diff.join('; ')})` : `is not empty and holds no cmrp ${id.kind} run (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''})`;
        throw new UserError(`--out ${dir}: ${why}; choose another --out, or pass --force to replace its contents`);
      } else {
        const release = acquireLock(dir, log); // nobody else may be writing what we remove
        log(describeRemoval(dir, inventory(dir)));
        for (const n of entries) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
        release();
      }
    }
  }
  fs.mkdirSync(dir, { recursive: true });
  const release = o.shared ? () => {} : acquireLock(dir, log);
  if (!o.shared || !readRunManifest(dir)) writeJsonAtomic(path.join(dir, RUN_MANIFEST), { format: RUN_FORMAT, ...id, recorded: new Date().toISOString() });
  return { dir, existing, release };
}

/**
 * A single output file (e.g. eval's report): refuse a folder, and a file that `isOurs` does not
 * recognise (unless force); clean stale `<file>.tmp-*` siblings.
 */
export function claimOutFile(file: string, what: string, isOurs: (file: string) => boolean, o: OutOptions = {}): void {
  const log = o.log ?? ((l: string) => process.stderr.write(l + '\n'));
  for (const s of cleanStaleSiblings(file)) log(`removed ${s} (left by a run that was stopped)`);
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  if (st.isDirectory()) throw new UserError(`--out ${file}: is a folder; ${what} is one file (e.g. ${path.join(file, 'report.json')})`);
  if (!st.isFile() || !isOurs(file)) {
    if (!o.force) throw new UserError(`--out ${file}: exists and is not ${/^[aeiou]/i.test(what) ? 'an' : 'a'} ${what}; choose another --out, or pass --force to replace it`);
    log(`--force: replacing the file ${file} (${fmtBytes(st.size)})`);
  }
}
