/**
 * The evaluation cast for a seed: 20 characters, 9 human, 4 animal, 7 anime, pairwise
 * distinct in look (>= 3 identity attributes apart within a kind, one of them a large-area
 * attribute) and in voice (unique catchphrase and tic, >= 2 differing habits). Pure function of
 * the seed, so the world generator can rebuild it to exclude its names and identity signatures.
 */
import { Rng } from '../../util/rng';
import { CharacterSpec, Identity, identityDistance, sampleCharacter, sampleIdentity, signature } from './character';
import { voiceHabits, sampleVoice, VoiceSpec } from './style';
import type { Kind } from './vocab';

export const EVAL_SIZE = 20;
/** Identity attributes two characters of a kind differ in, at least. */
const MIN_DISTANCE = 3;

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

/**
 * What a 32-px drawing shows over many pixels. Hair colour, hair style and eye colour are a few
 * pixels each: Alneette and Peven (seed 0), apart in those three alone, were one look to the
 * identity judges (28 of 32 of the renderer's drawings of Alneette's prompts nearest to Peven).
 */
export const LARGE_AREA_KEYS = ['body', 'skinTone', 'outfitColor', 'outfitPattern', 'accessory'] as const;

/** Two identities of a kind that differ in no large-area attribute. */
export function lookAlike(a: Identity, b: Identity): boolean {
  return a.kind === b.kind && LARGE_AREA_KEYS.every((k) => a[k] === b[k]);
}

/**
 * A look-alike of an earlier character gets a new identity from a stream of its own (its name,
 * persona and voice stay), so every other character is drawn exactly as before the rule.
 */
function redrawLookAlikes(seed: number, cast: CharacterSpec[]): CharacterSpec[] {
  const out = [...cast];
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    if (!out.slice(0, i).some((o) => lookAlike(o.identity, c.identity))) continue;
    const others = out.filter((_, j) => j !== i);
    const rng = new Rng(seed).fork(`eval-cast-look:${c.id}`);
    const taken = new Set(others.map((o) => signature(o.identity)));
    const fits = (id: Identity) => !taken.has(signature(id)) && others.every((o) => o.kind !== id.kind || (identityDistance(o.identity, id) >= MIN_DISTANCE && !lookAlike(o.identity, id)));
    let identity = sampleIdentity(rng, c.kind);
    for (let tries = 0; !fits(identity); tries++) {
      if (tries > 10_000) throw new Error(`synth: cannot find a look for ${c.id} apart from the rest of the cast`);
      identity = sampleIdentity(rng, c.kind);
    }
    out[i] = { ...c, identity };
  }
  return out;
}

export function evalCast(seed: number): CharacterSpec[] {
  const rng = new Rng(seed).fork('eval-cast');
  const out: CharacterSpec[] = [];
  for (const kind of evalKinds()) {
    const c = sampleCharacter(rng, kind, {
      takenIds: new Set(out.map((o) => o.id.toLowerCase())),
      takenSignatures: new Set(out.map((o) => signature(o.identity))),
      minDistance: MIN_DISTANCE,
      others: out.filter((o) => o.kind === kind).map((o) => o.identity),
    });
    let voice = c.voice;
    while (voiceClash(voice, out.map((o) => o.voice))) voice = sampleVoice(rng, kind);
    out.push({ ...c, voice });
  }
  return redrawLookAlikes(seed, out);
}
