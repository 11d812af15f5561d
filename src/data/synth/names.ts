/**
 * Invented names from syllables, per kind. The space is large (thousands per kind) so that a
 * world of hundreds of characters never needs to reuse an evaluation character's name.
 */
import { Rng } from '../../util/rng';
import type { Kind } from './vocab';
import { isLabelFree } from './labels';

export interface CharacterName {
  /** Folder name, file prefix and the name used in dialogue: one word, letters only. */
  readonly id: string;
  /** Full name for the profile. */
  readonly fullName: string;
}

const HUMAN_ON = ['Al', 'Be', 'Cal', 'Da', 'El', 'Fen', 'Ga', 'Hal', 'Is', 'Jo', 'Ka', 'Le', 'Ma', 'Ne', 'Or', 'Pe', 'Ro', 'Sa', 'Te', 'Vi', 'Wen', 'Ze', 'Tam', 'Bri', 'Cor', 'Mir'];
const HUMAN_MID = ['', '', 'ri', 'la', 'ne', 'so', 've', 'mi', 'da', 'lo', 'ma'];
const HUMAN_END = ['n', 'ra', 'ssa', 'th', 'lie', 'na', 'ric', 'mond', 'ette', 'o', 'an', 'is', 'ia', 'el', 'wyn', 'dric'];
const HUMAN_SUR = ['Voss', 'Hartley', 'Quill', 'Marlow', 'Penhallow', 'Ashdown', 'Bellamy', 'Crane', 'Dunmore', 'Everhart', 'Fairweather', 'Greaves', 'Holloway', 'Ingram', 'Jessop', 'Kestrel', 'Merriweather', 'Northcott', 'Oakes', 'Pembrook', 'Ravensworth', 'Sallow', 'Thorne', 'Underhill', 'Vance', 'Whitlock', 'Yardley', 'Zeller'];

const JP = ['a', 'ka', 'ki', 'ko', 'sa', 'shi', 'su', 'ta', 'chi', 'na', 'ni', 'no', 'ha', 'hi', 'mi', 'mo', 'ya', 'yu', 'ri', 'ra', 'ru', 're', 'wa', 'ne', 'to', 'ma', 'se', 'ho', 'ku', 'ai', 'ren', 'kai', 'sora', 'hoshi'];
const JP_SUR_END = ['moto', 'yama', 'kawa', 'mura', 'saki', 'hara', 'zuki', 'gami', 'shima', 'no'];

const PET_ON = ['Bis', 'Mo', 'Pud', 'Wag', 'Tof', 'Nib', 'Bun', 'Pip', 'Cru', 'Mar', 'Fig', 'Dum', 'Sno', 'Wal', 'Tum', 'Pop', 'Zig', 'Bram', 'Nut', 'Lo'];
const PET_END = ['cuit', 'chi', 'ding', 'gles', 'fee', 'bles', 'ny', 'per', 'mpet', 'shmallow', 'gy', 'pling', 'ble', 'do', 'ly', 'kin', 'sy', 'o'];
const PET_TITLE = ['Sir', 'Lady', 'Captain', 'Professor', 'Duke', 'Madame', 'Little', 'Grand'];
const PET_SUR = ['Puddleton', 'Whiskerby', 'Fluffington', 'Barkley', 'Crumbsworth', 'Pawsley', 'Snugglebottom', 'Wigglesworth', 'Mufflepaw', 'Tumbleweed'];

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function humanName(rng: Rng): CharacterName {
  const id = rng.pick(HUMAN_ON) + rng.pick(HUMAN_MID) + rng.pick(HUMAN_END);
  const middle = cap(rng.pick(HUMAN_ON).toLowerCase() + rng.pick(HUMAN_END));
  return { id, fullName: `${id} ${middle} ${rng.pick(HUMAN_SUR)}` };
}

function animeName(rng: Rng): CharacterName {
  const id = cap(Array.from({ length: rng.int(2, 3) }, () => rng.pick(JP)).join('').slice(0, 9));
  const surname = cap(rng.pick(JP) + rng.pick(JP) + rng.pick(JP_SUR_END));
  return { id, fullName: `${surname} ${id}` };
}

function animalName(rng: Rng): CharacterName {
  // a third syllable now and then widens the space for large worlds
  const id = rng.pick(PET_ON) + rng.pick(PET_END) + (rng.chance(0.3) ? rng.pick(PET_END) : '');
  return { id, fullName: `${rng.pick(PET_TITLE)} ${id} ${rng.pick(PET_SUR)}` };
}

/**
 * A fresh name of this kind: neither its id nor any word of its full name is in `taken`
 * (lower-cased), so a taken name never appears inside another character's name either.
 */
export function sampleName(rng: Rng, kind: Kind, taken: ReadonlySet<string>): CharacterName {
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const n = kind === 'human' ? humanName(rng) : kind === 'anime' ? animeName(rng) : animalName(rng);
    // ids of 4+ letters never collide with short English words ("Isn" vs "isn't")
    if (n.id.length < 4 || n.fullName.split(' ').some((w) => taken.has(w.toLowerCase())) || !isLabelFree(n.fullName)) continue;
    return n;
  }
  throw new Error(`synth: ran out of ${kind} names`);
}

/** Given names for family members and friends, avoiding `avoid` (lower-cased character ids). */
export function sampleGivenName(rng: Rng, kind: Kind, avoid: ReadonlySet<string> = new Set()): string {
  for (;;) {
    const name = kind === 'anime' ? animeName(rng).id : kind === 'animal' ? animalName(rng).id : humanName(rng).id;
    if (!avoid.has(name.toLowerCase())) return name;
  }
}
