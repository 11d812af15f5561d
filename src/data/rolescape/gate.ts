/**
 * The data check every command that trains, scores or exports runs on the character it uses: the
 * same loader and issues as `cmrp data validate`, so a folder validate rejects is never trained on
 * or scored silently. Errors stop the command (listed as validate lists them) unless the caller
 * allows invalid data; warnings are summed up in one line, once.
 */
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { formatIssue, type DataIssue } from './issues';
import { loadRoleScape } from './load';
import type { Character } from './types';

export interface GateOptions {
  /** Proceed on errors (they are still printed). */
  allowInvalid?: boolean;
  /** Where the one-line summaries go (default: stderr). */
  warn?: (line: string) => void;
}

/** Errors listed in a stopped command's message; the rest are counted and left to validate. */
export const GATE_LIST_MAX = 20;

/** `dir` as one shell word, so the suggested command can be pasted as it is. */
const shellWord = (dir: string) => (/^[\w@%+=:,./-]+$/.test(dir) ? dir : `'${dir.replace(/'/g, `'\\''`)}'`);

const squash = (s: string) => s.toLowerCase().replace(/[\s_-]+/g, '');

/** A loaded character by id, train folder name or grpo folder name (as `loadCharacter` finds it). */
export function findCharacter(chars: readonly Character[], name: string): Character {
  const n = squash(name);
  const names = (c: Character) => [c.id, path.basename(c.folders.train), c.folders.grpo ? path.basename(c.folders.grpo) : ''];
  const hit = chars.find((c) => c.id === name) ?? chars.find((c) => names(c).some((x) => x && squash(x) === n));
  if (!hit) throw new UserError(`unknown character "${name}"; available: ${chars.map((c) => c.id).sort().join(', ') || '(none)'}`);
  return hit;
}

/** The issues that concern `c`: its own, and those in its folders. */
export function characterIssues(c: Character, issues: readonly DataIssue[]): DataIssue[] {
  const folders = [c.folders.train, c.folders.test, c.folders.grpo].filter((f): f is string => !!f).map((f) => f + '/');
  return issues.filter((i) => i.character === c.id || (i.character === undefined && folders.some((f) => (i.file + '/').startsWith(f))));
}

/** Stop on `c`'s data errors (unless allowed); one line for its warnings. */
export function gateCharacter(c: Character, issues: readonly DataIssue[], o: GateOptions = {}): void {
  const warn = o.warn ?? ((l: string) => process.stderr.write(l + '\n'));
  const mine = characterIssues(c, issues);
  const errors = mine.filter((i) => i.severity === 'error');
  const warnings = mine.filter((i) => i.severity === 'warning');
  if (warnings.length) {
    const kinds = new Map<string, number>();
    for (const w of warnings) kinds.set(w.code, (kinds.get(w.code) ?? 0) + 1);
    warn(`${c.id}: ${warnings.length} data warning(s) (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); \`cmrp data validate ${c.root}\` lists them`);
  }
  if (!errors.length) return;
  // a long list is cut, but says where the whole one is (validate prints every error)
  const more = errors.length - GATE_LIST_MAX;
  const list = errors.slice(0, GATE_LIST_MAX).map((i) => `  ${formatIssue(i)}`).concat(more > 0 ? [`  … and ${more} more; run \`cmrp data validate ${shellWord(c.root)}\` for all ${errors.length}`] : []);
  if (o.allowInvalid) {
    warn(`${c.id}: ${errors.length} data error(s), proceeding (--allow-invalid):\n${list.join('\n')}`);
    return;
  }
  throw new UserError(`${c.id}: ${errors.length} data error(s) in ${c.root} (as \`cmrp data validate\` reports them; --allow-invalid proceeds anyway):\n${list.join('\n')}`);
}

/** Load one character by id or folder name and gate it; returns it with every character of the folder when `all`. */
export async function loadCheckedCharacter(root: string, name: string, o: GateOptions & { all?: boolean } = {}): Promise<{ character: Character; characters: Character[] }> {
  const { characters, issues } = await loadRoleScape(root, o.all ? {} : { characters: [name] });
  const c = findCharacter(characters, name);
  gateCharacter(c, issues, o);
  return { character: c, characters };
}
