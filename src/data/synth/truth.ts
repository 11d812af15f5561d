/**
 * Ground truth for metrics that need to know the character (persona facts, voice, image labels):
 * only the synthetic world has it, in `index.json` at the dataset root. Real RoleScape-20 data has
 * none, and those metrics report null with a reason instead of guessing.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readSynthIndex, type SynthIndex } from './ensure';
import { castFor } from './index';
import type { CharacterSpec } from './character';
import type { Character } from '../rolescape/types';
import { CENTRED_JITTER, type PlacementJitter } from './placement';

export type SynthEntry = SynthIndex['characters'][number];

export interface SynthTruth {
  entry: SynthEntry;
  labelSpaces: SynthIndex['labelSpaces'];
  /** The generator's spec of the character (rebuilt from the index's seed), for its QA templates. */
  spec: CharacterSpec | null;
  /** How far the dataset's figures move (centred unless its index.json says otherwise). */
  placement: PlacementJitter;
}

const cache = new Map<string, SynthIndex | null>();

/** The index at a dataset root, read once per version of the file (a rebuilt world is re-read). */
function indexAt(root: string): SynthIndex | null {
  const file = path.join(root, 'index.json');
  if (!fs.existsSync(file)) return null;
  const key = `${root}@${fs.statSync(file).mtimeMs}`;
  if (!cache.has(key)) cache.set(key, readSynthIndex(root));
  return cache.get(key)!;
}

/** The character's ground truth when it comes from a synthetic world, else null. */
export function synthTruth(c: Character): SynthTruth | null {
  const idx = indexAt(c.root);
  const entry = idx?.characters.find((e) => e.id === c.id);
  if (!idx || !entry) return null;
  // same seed and split -> the same cast; the identity check guards against a stale index
  const spec = castFor(idx.seed, idx.split, idx.split === 'world' ? idx.characters.length : undefined).find((s) => s.id === c.id) ?? null;
  const same = spec !== null && JSON.stringify(spec.identity) === JSON.stringify(entry.identity);
  return { entry, labelSpaces: idx.labelSpaces, spec: same ? spec : null, placement: idx.placement ?? CENTRED_JITTER };
}

/** The reason metrics needing ground truth are unavailable for a character. */
export function noTruthReason(c: Character): string {
  return `no ground truth for "${c.id}": ${c.root} is not a synthetic world (no index.json listing it), e.g. real RoleScape-20 data`;
}
