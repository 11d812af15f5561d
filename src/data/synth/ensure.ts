/**
 * The embedded default dataset: built on first use (deterministic in the seed), then read.
 * Commands and notebooks call `ensureSynthDataset()` instead of assuming `make data` ran.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../util/errors';
import { readJsonFile } from '../../util/fs';
import { defaultSynthDir } from '../../util/paths';
import { manifest, FORMAT } from './manifest';
import { synthesize } from './index';
import { CHARACTER_PLACEMENT, samePlacement, type PlacementJitter } from './placement';
import { evalCast } from './cast';
import { signature } from './character';

export type SynthIndex = ReturnType<typeof manifest>;

/** Read and sanity-check `<dir>/index.json` of a synthetic world. */
export function readSynthIndex(dir: string): SynthIndex {
  const file = path.join(dir, 'index.json');
  const idx = readJsonFile<Partial<SynthIndex>>(file, 'the synthetic dataset index', `; rebuild it with \`cmrp data synth --out ${dir}\``);
  if (idx.format !== FORMAT) throw new UserError(`${file}: format: expected "${FORMAT}", found ${JSON.stringify(idx.format)}`);
  if (!Array.isArray(idx.characters)) throw new UserError(`${file}: characters: expected an array`);
  return idx as SynthIndex;
}

/**
 * The synthetic eval world at `dir` (default data/synth), built with `seed` and `placement`
 * (default CHARACTER_PLACEMENT, the committed base's) when it is missing or was built with another
 * seed, placement or cast (a clone's data/synth from before the base moved its figures, or from
 * before a look-alike was redrawn). Returns its index.
 */
export async function ensureSynthDataset(opts: { dir?: string; seed?: number; placement?: PlacementJitter; quiet?: boolean } = {}): Promise<SynthIndex> {
  const dir = opts.dir ?? defaultSynthDir();
  const seed = opts.seed ?? 0;
  const placement = opts.placement ?? CHARACTER_PLACEMENT;
  if (fs.existsSync(path.join(dir, 'index.json'))) {
    const idx = readSynthIndex(dir);
    if (isCurrentEvalIndex(idx, seed, placement)) return idx;
  }
  await synthesize({ out: dir, seed, split: 'eval', placement, quiet: opts.quiet ?? true });
  return readSynthIndex(dir);
}

/** An eval index built with `seed` and `placement`, every character with the look `evalCast(seed)` gives it today. */
export function isCurrentEvalIndex(idx: SynthIndex, seed: number, placement: PlacementJitter): boolean {
  if (idx.seed !== seed || idx.split !== 'eval' || !samePlacement(idx.placement, placement)) return false;
  const cast = new Map(evalCast(seed).map((c) => [c.id, signature(c.identity)]));
  return idx.characters.every((c) => cast.get(c.id) === signature(c.identity));
}

/**
 * A command's `--eval DIR`: the default data/synth is kept current (ensureSynthDataset); any other
 * folder is the user's and is only built when missing, never rewritten.
 */
export async function ensureEvalFolder(dir: string): Promise<SynthIndex> {
  if (path.resolve(dir) === path.resolve(defaultSynthDir()) || !fs.existsSync(path.join(dir, 'index.json'))) return ensureSynthDataset({ dir, seed: 0 });
  return readSynthIndex(dir);
}
