/**
 * Option values parsed at the option: `--shots abc` stops in commander with one line naming the
 * option (`option '--shots <k>' argument 'abc' is invalid. expected a whole number from 1 to 1000`),
 * exit 2, before any data is loaded or the compute backend started.
 */
import * as fs from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { UserError } from '../util/errors';
import { findCharacter, type Character } from '../data/rolescape';
import { pickCharacters } from '../eval/experiments/runner';

/** A whole number in [min, max] (digits only: "1e3", "2.0", "-2", "0x10" are refused). */
export function wholeNumber(min: number, max: number): (raw: string) => number {
  return (raw: string) => {
    const s = raw.trim();
    if (!/^\d+$/.test(s)) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    const n = Number(s);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, found ${n}`);
    return n;
  };
}

/** A non-empty value without control characters (paths, names). */
export function text(raw: string): string {
  // eslint-disable-next-line no-control-regex
  if (!raw.trim() || /[\u0000-\u001f]/.test(raw)) throw new InvalidArgumentError('expected a non-empty value without control characters');
  return raw;
}

/** `--heldout-judges <dir|none>`: null for none, undefined when absent (the caller's default), else a folder that exists. */
export function heldOutJudgesDir(value: string | undefined): string | null | undefined {
  if (value === 'none') return null;
  if (value !== undefined && !fs.existsSync(value)) {
    throw new UserError(`--heldout-judges: ${value}: no such folder (expected a judges folder, a folder of <character>/ judge folders, or none)`);
  }
  return value;
}

/** `--characters`: 'all', the first N in the order the experiment grids take them, or ids / folder names. */
export function chooseCharacters(all: readonly Character[], raw: string): Character[] {
  const which = raw.trim();
  let chosen: Character[];
  if (which === 'all') chosen = [...all];
  else if (/^\d+$/.test(which)) {
    const n = Number(which);
    if (n < 1) throw new UserError(`--characters: expected 'all', a number from 1 to ${all.length}, or names; found "${raw}"`);
    chosen = pickCharacters(all, n);
  } else chosen = which.split(',').map((s) => s.trim()).filter(Boolean).map((name) => findCharacter(all, name));
  if (!chosen.length) throw new UserError(`--characters: no character chosen from "${raw}"`);
  return chosen;
}
