/**
 * Every failure a user can cause is one line and exit 2: UserErrors, commander's usage errors, and
 * file-system errors (a read-only folder, a file where a folder belongs, a full disk), which are
 * turned into `<path>: <what happened> (<code>); <what to do>`. Anything else is a bug (exit 70).
 */
import { CommanderError } from 'commander';
import { UserError } from '../util/errors';

const FS_ADVICE: Record<string, string> = {
  EACCES: 'permission denied; check the permissions or choose another path',
  EPERM: 'operation not permitted; check the permissions or choose another path',
  EROFS: 'the file system is read-only; choose a writable path',
  ENOSPC: 'no space left on the device; free some space or choose another path',
  EDQUOT: 'disk quota exceeded; free some space or choose another path',
  ENOTDIR: 'a file is where a folder is expected; choose another path',
  EISDIR: 'a folder is where a file is expected; choose another path',
  ENOENT: 'no such file or folder',
  EEXIST: 'already exists; choose another path',
  ENOTEMPTY: 'the folder is not empty; choose another path',
  ELOOP: 'too many symbolic links; fix the link',
  EMFILE: 'too many open files; retry',
  ENAMETOOLONG: 'the name is too long; choose a shorter path',
  EBUSY: 'busy; retry when it is free',
  EXDEV: 'cannot move across devices; keep --out on one file system',
};

/** A user-facing one-line message and exit code for `err`, or null when it is a bug. */
export function userFacing(err: unknown): { message: string; code: number } | null {
  if (err instanceof UserError) return { message: err.message, code: err.exitCode };
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string' && FS_ADVICE[e.code] && typeof e.syscall === 'string') {
    const dest = (e as { dest?: string }).dest;
    const where = e.path ? `${e.path}${dest ? ` -> ${dest}` : ''}` : e.syscall;
    return { message: `${where}: ${FS_ADVICE[e.code]} (${e.code} in ${e.syscall})`, code: 2 };
  }
  return null;
}

/**
 * Help and --version end in exit 0; every other commander error (already printed) in 2. A group
 * called without its subcommand (`cmrp`, `cmrp data`) prints help as an error (commander's exit 1):
 * a usage error like any other, so 2.
 */
export function commanderExit(err: CommanderError): number {
  if (err.code === 'commander.help') return err.exitCode === 0 ? 0 : 2;
  return ['commander.helpDisplayed', 'commander.version'].includes(err.code) ? 0 : 2;
}
