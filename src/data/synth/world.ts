/**
 * The world split: a larger cast for base pretraining and judge training. It rebuilds the
 * evaluation cast of the same seed and excludes its ids (also as words of full names and as
 * relatives' names) and its identity signatures, so no evaluation character leaks into it.
 */
import { Rng } from '../../util/rng';
import { CharacterSpec, sampleCharacter, signature } from './character';
import { evalCast } from './cast';
import type { Kind } from './vocab';

export const WORLD_DEFAULT_SIZE = 240;
/** The largest world `cmrp data synth --split world` and pretraining configs accept. */
export const WORLD_MAX_SIZE = 20_000;

/** Roughly the evaluation mix (9:4:7). */
const WORLD_KINDS: readonly Kind[] = ['human', 'human', 'human', 'human', 'human', 'human', 'human', 'human', 'human', 'animal', 'animal', 'animal', 'animal', 'anime', 'anime', 'anime', 'anime', 'anime', 'anime', 'anime'];

export interface WorldExclusions {
  /** Lower-cased evaluation ids. */
  readonly ids: ReadonlySet<string>;
  readonly signatures: ReadonlySet<string>;
}

export function evalExclusions(seed: number): WorldExclusions {
  const cast = evalCast(seed);
  return { ids: new Set(cast.map((c) => c.id.toLowerCase())), signatures: new Set(cast.map((c) => signature(c.identity))) };
}

export function worldCast(seed: number, count: number): CharacterSpec[] {
  const ex = evalExclusions(seed);
  const takenIds = new Set(ex.ids);
  const takenSignatures = new Set(ex.signatures);
  const rng = new Rng(seed).fork('world-cast');
  const out: CharacterSpec[] = [];
  for (let i = 0; i < count; i++) {
    const c = sampleCharacter(rng, rng.pick(WORLD_KINDS), { takenIds, takenSignatures });
    takenIds.add(c.id.toLowerCase());
    takenSignatures.add(signature(c.identity));
    out.push(c);
  }
  return out;
}
