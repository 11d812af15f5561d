/**
 * A character spec: name, kind, visual identity, persona and voice. Everything else
 * (dialogues, QA, images) is derived from the spec plus a named random stream.
 */
import { Rng } from '../../util/rng';
import {
  ACCESSORIES, ANIME_HAIR, EYE_BY_KIND, FUR, HAIR_STYLE_BY_KIND, HUMAN_HAIR, OUTFIT, PATTERNS, SKIN, SPECIES, Kind,
} from './vocab';
import { sampleName } from './names';
import { Persona, samplePersona } from './persona';
import { VoiceSpec, sampleVoice } from './style';

/** The visual identity: what a reference image shows and an identity judge must recognise. */
export interface Identity {
  readonly kind: Kind;
  /** 'human' | 'anime' | an animal species. */
  readonly body: string;
  /** Hair colour, or fur colour for animals. */
  readonly hairColor: string;
  /** Hair style; for animals the coat marking. */
  readonly hairStyle: string;
  readonly eyeColor: string;
  /** Skin tone for humans, 'fair' for anime, 'fur' for animals. */
  readonly skinTone: string;
  readonly outfitColor: string;
  readonly outfitPattern: string;
  readonly accessory: string;
}

export const IDENTITY_KEYS = ['kind', 'body', 'hairColor', 'hairStyle', 'eyeColor', 'skinTone', 'outfitColor', 'outfitPattern', 'accessory'] as const;

/** Animal coat markings (the animal counterpart of a hair style). */
export const ANIMAL_MARKINGS = ['plain coat', 'eye patch', 'spots', 'tabby stripes'] as const;

export interface CharacterSpec {
  /** Folder name = file prefix = the name used in text. */
  readonly id: string;
  readonly kind: Kind;
  readonly identity: Identity;
  readonly persona: Persona;
  readonly voice: VoiceSpec;
}

/** The full tuple of identity attributes as one string: equal signatures = same look. */
export function signature(id: Identity): string {
  return IDENTITY_KEYS.map((k) => id[k]).join('|');
}

/** How many identity attributes differ. */
export function identityDistance(a: Identity, b: Identity): number {
  return IDENTITY_KEYS.filter((k) => a[k] !== b[k]).length;
}

export function sampleIdentity(rng: Rng, kind: Kind): Identity {
  const names = (l: ReadonlyArray<{ name: string }>): string[] => l.map((c) => c.name);
  const hairColor = rng.pick(names(kind === 'human' ? HUMAN_HAIR : kind === 'anime' ? ANIME_HAIR : FUR));
  let outfitColor = rng.pick(names(OUTFIT));
  // an outfit the same colour as the hair would merge with it at 32x32
  while (outfitColor === hairColor) outfitColor = rng.pick(names(OUTFIT));
  return {
    kind,
    body: kind === 'animal' ? rng.pick(SPECIES) : kind,
    hairColor,
    hairStyle: kind === 'animal' ? rng.pick(ANIMAL_MARKINGS) : rng.pick(HAIR_STYLE_BY_KIND[kind]),
    eyeColor: rng.pick(EYE_BY_KIND[kind]),
    skinTone: kind === 'human' ? rng.pick(names(SKIN)) : kind === 'anime' ? 'fair' : 'fur',
    outfitColor,
    outfitPattern: rng.pick(PATTERNS),
    accessory: rng.pick(ACCESSORIES),
  };
}

export interface SampleOptions {
  /** Lower-cased names that may not be used as an id, inside a full name, or for a relative. */
  readonly takenIds: ReadonlySet<string>;
  /** Identity signatures that may not be used. */
  readonly takenSignatures: ReadonlySet<string>;
  /** Reject identities closer than this to any of `others` (eval characters stay tell-apart-able). */
  readonly minDistance?: number;
  readonly others?: readonly Identity[];
}

export function sampleCharacter(rng: Rng, kind: Kind, opts: SampleOptions): CharacterSpec {
  const name = sampleName(rng, kind, opts.takenIds);
  let identity = sampleIdentity(rng, kind);
  for (let tries = 0; ; tries++) {
    const sig = signature(identity);
    const close = (opts.others ?? []).some((o) => identityDistance(o, identity) < (opts.minDistance ?? 0));
    if (!opts.takenSignatures.has(sig) && !close) break;
    if (tries > 10_000) throw new Error(`synth: cannot find a fresh ${kind} identity`);
    identity = sampleIdentity(rng, kind);
  }
  return { id: name.id, kind, identity, persona: samplePersona(rng, kind, name.fullName, new Set([...opts.takenIds, name.id.toLowerCase()])), voice: sampleVoice(rng, kind) };
}
