/**
 * The evaluation cast for a seed: 20 characters, 9 human, 4 animal, 7 anime, pairwise
 * distinct in look (>= 3 identity attributes apart within a kind) and in voice (unique
 * catchphrase and tic, >= 2 differing habits). Pure function of the seed, so the world
 * generator can rebuild it to exclude its names and identity signatures.
 */
import { Rng } from '../../util/rng';
import { CharacterSpec, sampleCharacter, signature } from './character';
import { voiceHabits, sampleVoice, VoiceSpec } from './style';
import type { Kind } from './vocab';

export const EVAL_SIZE = 20;

/** Interleaved so that a small `--characters N` still mixes kinds (9 H, 7 A = anime, 4 N = animal). */
const EVAL_ORDER = 'HANHAHNAHAHNHAHNAHHA';
const KIND_OF: Record<string, Kind> = { H: 'human', A: 'anime', N: 'animal' };

export function evalKinds(): Kind[] {
  return [...EVAL_ORDER].map((c) => KIND_OF[c]);
}

function voiceClash(v: VoiceSpec, others: readonly VoiceSpec[]): boolean {
  const h = voiceHabits(v);
  return others.some((o) => {
    if (o.catchphrase === v.catchphrase || o.tic === v.tic) return true;
    const ho = voiceHabits(o);
    return h.filter((x, i) => x !== ho[i]).length < 2;
  });
}

export function evalCast(seed: number): CharacterSpec[] {
  const rng = new Rng(seed).fork('eval-cast');
  const out: CharacterSpec[] = [];
  for (const kind of evalKinds()) {
    const c = sampleCharacter(rng, kind, {
      takenIds: new Set(out.map((o) => o.id.toLowerCase())),
      takenSignatures: new Set(out.map((o) => signature(o.identity))),
      minDistance: 3,
      others: out.filter((o) => o.kind === kind).map((o) => o.identity),
    });
    let voice = c.voice;
    while (voiceClash(voice, out.map((o) => o.voice))) voice = sampleVoice(rng, kind);
    out.push({ ...c, voice });
  }
  return out;
}
