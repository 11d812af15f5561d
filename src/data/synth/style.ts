/**
 * A character's voice: a small spec of measurable habits (catchphrase and its rate, a verbal
 * tic, sentence length, punctuation, emoji, formality, self-reference, casing), and the
 * renderer that turns neutral clause templates into a line in that voice.
 *
 * Clause templates use self tokens so one template serves every voice:
 *   {I} {me} {my} {mine} {myself}   the speaker ("I" or, in third person, the name)
 *   {am} {was} {have} {do} {v:verb} verbs agreeing with the speaker ("am"/"is", "love"/"loves")
 */
import { Rng } from '../../util/rng';
import type { Kind } from './vocab';
import { isLabelFree } from './labels';
import { PronounSet } from './persona';

export type TicKind = 'suffix' | 'opener' | 'filler';
export type SentenceLength = 'short' | 'medium' | 'long';
export type Punctuation = 'exclaim' | 'ellipsis' | 'plain' | 'question';
export type Formality = 'formal' | 'neutral' | 'casual';

export interface VoiceSpec {
  readonly catchphrase: string;
  /** Fraction of the character's lines that contain the catchphrase. */
  readonly catchphraseRate: number;
  readonly catchphrasePosition: 'start' | 'end';
  /** The tic as it appears in text: "-nya" (suffix), "Hmm," (opener), ", like," (filler). */
  readonly tic: string;
  readonly ticKind: TicKind;
  /** Per sentence for suffix/filler tics, per line for openers. */
  readonly ticRate: number;
  readonly sentenceLength: SentenceLength;
  /** Typical words per sentence for this length (for style judges). */
  readonly wordsPerSentence: readonly [number, number];
  readonly punctuation: Punctuation;
  /** Empty when the character never uses emoji. */
  readonly emoji: readonly string[];
  /** Fraction of lines that end with an emoji. */
  readonly emojiRate: number;
  readonly formality: Formality;
  /** 'third': the character calls itself by name ("Pip is hungry"). */
  readonly selfReference: 'first' | 'third';
  /** How the character addresses the user ("friend", "boss"). */
  readonly addressTerm: string;
  readonly addressRate: number;
  /** 'lower': writes everything in lower case. */
  readonly casing: 'normal' | 'lower';
}

const OATHS = ['Great', 'Holy', 'Sweet', 'Blazing', 'Merciful', 'Jumping'];
const OATH_ADJ = ['galloping', 'rattling', 'buttered', 'thundering', 'whistling', 'crackling', 'tumbling', 'sizzling', 'wobbling', 'giggling'];
const OATH_NOUN = ['teapots', 'lanterns', 'pickles', 'comets', 'turnips', 'biscuits', 'buttons', 'marbles', 'kettles', 'acorns', 'pancakes', 'thimbles', 'noodles', 'gumdrops'];
const NUMBERS = ['seven', 'nine', 'three', 'twelve', 'forty'];
const MOTTO_NOUN = ['turnip', 'thunder', 'lantern', 'pancake', 'compass', 'dragon', 'acorn', 'kettle', 'comet', 'noodle'];

/** Several shapes of catchphrase, so catchphrases differ in form and not only in words. */
export function sampleCatchphrase(rng: Rng): string {
  switch (rng.int(0, 4)) {
    case 0:
      return `${rng.pick(OATHS)} ${rng.pick(OATH_ADJ)} ${rng.pick(OATH_NOUN)}!`;
    case 1:
      return `By the ${rng.pick(NUMBERS)} ${rng.pick(OATH_NOUN)}!`;
    case 2:
      return `That's the ${rng.pick(MOTTO_NOUN)} spirit!`;
    case 3:
      return `${cap(rng.pick(OATH_NOUN))} never lie.`;
    default:
      return `Onward, ${rng.pick(OATH_ADJ)} ${rng.pick(MOTTO_NOUN)}!`;
  }
}

export const TICS: Record<TicKind, readonly string[]> = {
  suffix: ['-nya', ' desu', '~pyon', '-kupo', ' yo', '-chan', ' ne', '-wan'],
  opener: ['Hmm,', 'Well,', 'Ahem,', 'Oho,', 'Heh,', 'Welp,', 'Listen,', 'Look,'],
  filler: [', like,', ', you know,', ', um,', ', so to speak,', ', mind you,', ', honestly,'],
};
const EMOJI = ['✨', '🌟', '🍀', '🐾', '🎶', '🌙', '🔥', '💫', '🍓', '🌈', '⚡', '🦋', '🍩', '🎀', '👑'];
const ADDRESS: Record<Kind, readonly string[]> = {
  human: ['friend', 'dearie', 'boss', 'pal', 'partner', 'good sir or madam', 'old chap'],
  anime: ['senpai', 'partner', 'apprentice', 'dear traveler', 'comrade', 'master'],
  animal: ['hooman', 'tall friend', 'snack-giver', 'servant', 'buddy', 'big one'],
};
const WORDS_PER_SENTENCE: Record<SentenceLength, readonly [number, number]> = { short: [3, 8], medium: [8, 16], long: [16, 34] };

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

export function sampleVoice(rng: Rng, kind: Kind): VoiceSpec {
  const ticKind: TicKind = rng.pick(kind === 'anime' ? ['suffix', 'suffix', 'opener', 'filler'] : kind === 'animal' ? ['suffix', 'opener', 'filler'] : ['opener', 'filler', 'filler', 'suffix']);
  const sentenceLength = rng.pick(['short', 'medium', 'long'] as const);
  const useEmoji = rng.chance(kind === 'anime' ? 0.7 : 0.4);
  let catchphrase = sampleCatchphrase(rng);
  while (!isLabelFree(catchphrase)) catchphrase = sampleCatchphrase(rng);
  return {
    catchphrase,
    catchphraseRate: round2(0.25 + 0.35 * rng.next()),
    catchphrasePosition: rng.pick(['start', 'end'] as const),
    tic: rng.pick(TICS[ticKind]),
    ticKind,
    ticRate: round2(ticKind === 'opener' ? 0.4 + 0.4 * rng.next() : 0.3 + 0.4 * rng.next()),
    sentenceLength,
    wordsPerSentence: WORDS_PER_SENTENCE[sentenceLength],
    punctuation: rng.pick(['exclaim', 'ellipsis', 'plain', 'question'] as const),
    emoji: useEmoji ? rng.sample(EMOJI, 3) : [],
    emojiRate: useEmoji ? round2(0.4 + 0.5 * rng.next()) : 0,
    formality: rng.pick(['formal', 'neutral', 'casual'] as const),
    selfReference: rng.chance(kind === 'animal' ? 0.6 : 0.25) ? 'third' : 'first',
    addressTerm: rng.pick(ADDRESS[kind]),
    addressRate: round2(0.15 + 0.25 * rng.next()),
    casing: rng.chance(0.15) ? 'lower' : 'normal',
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** The categorical habits that make two voices tell-apart-able. */
export function voiceHabits(v: VoiceSpec): string[] {
  return [v.ticKind, v.sentenceLength, v.punctuation, v.emoji.length > 0 ? 'emoji' : 'no-emoji', v.formality, v.selfReference, v.casing];
}

// ---------------- rendering ----------------

export interface Speaker {
  readonly name: string;
  readonly pronouns: PronounSet;
  readonly voice: VoiceSpec;
}

const THIRD_SG: Record<string, string> = { am: 'is', was: 'was', have: 'has', do: 'does' };

function thirdPersonVerb(v: string): string {
  if (/(s|sh|ch|x|z|o)$/.test(v)) return v + 'es';
  if (/[^aeiou]y$/.test(v)) return v.slice(0, -1) + 'ies';
  return v + 's';
}

/** Expand self tokens in one clause; in third person the first mention is the name. */
export function expandSelf(clause: string, sp: Speaker): string {
  const third = sp.voice.selfReference === 'third';
  let named = false;
  return clause.replace(/\{(I|me|my|mine|myself|am|was|have|do|v:[a-z]+)\}/g, (_m, tok: string) => {
    if (!third) {
      if (tok.startsWith('v:')) return tok.slice(2);
      return tok;
    }
    if (tok.startsWith('v:')) return thirdPersonVerb(tok.slice(2));
    if (tok in THIRD_SG) return THIRD_SG[tok];
    if (tok === 'I') return (named = true), sp.name;
    if (tok === 'myself') return sp.pronouns.obj === 'them' ? 'themself' : sp.pronouns.obj + 'self';
    const first = !named;
    named = true;
    if (tok === 'me') return first ? sp.name : sp.pronouns.obj;
    if (tok === 'my') return first ? `${sp.name}'s` : sp.pronouns.poss;
    return first ? `${sp.name}'s` : sp.pronouns.poss === 'her' ? 'hers' : sp.pronouns.poss === 'his' ? 'his' : 'theirs';
  });
}

/** Contract only before another word: "here I am," and "who I am." stay whole. */
const CONTRACTIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bI am(?= \w)/g, "I'm"], [/\bit is(?= \w)/g, "it's"], [/\bIt is(?= \w)/g, "It's"], [/\bdo not\b/g, "don't"], [/\bdoes not\b/g, "doesn't"],
  [/\bcannot\b/g, "can't"], [/\bI have(?= \w)/g, "I've"], [/\bthat is(?= \w)/g, "that's"], [/\bThat is(?= \w)/g, "That's"], [/\byou are(?= \w)/g, "you're"],
  [/\bI will(?= \w)/g, "I'll"], [/\bis not\b/g, "isn't"], [/\blet us\b/g, "let's"], [/\bwhat is(?= \w)/g, "what's"], [/\bthere is(?= \w)/g, "there's"], [/\bwould not\b/g, "wouldn't"],
];
const CASUAL_SWAPS: ReadonlyArray<readonly [RegExp, string]> = [[/\bvery\b/g, 'so'], [/\breally\b/g, 'super'], [/\bgoing to\b/g, 'gonna'], [/\bkind of\b/g, 'kinda']];
const FORMAL_SWAPS: ReadonlyArray<readonly [RegExp, string]> = [[/\breally\b/g, 'truly'], [/\bvery\b/g, 'most'], [/\bgreat\b/g, 'splendid'], [/\ba lot\b/g, 'a good deal'], [/\bokay\b/g, 'acceptable']];
const FORMAL_OPENERS = ['indeed,', '{I} must say,', 'certainly,', 'if {I} may,'];
/** The casual mirror of the formal openers: measurable even in third person (no "I'm" there). */
const CASUAL_OPENERS = ['yeah,', 'oh man,', 'okay so,', 'ngl,'];
const CONNECTORS = [', and', '; also,', ', and on top of that,', ' and'];
const ELABORATIONS = [', if {I} may say so', ', all things considered', ', as anyone who knows {me} would tell you', ', to be perfectly honest', ', when you think about it'];
const TAGS = [", don't you think", ', right', ", wouldn't you agree", ', no'];
/** Formal voices never contract, not even in their question tags. */
const FORMAL_TAGS = [', would you not agree', ', is that not so', ', do you not think'];

function applyFormality(s: string, f: Formality, rng: Rng): string {
  if (f === 'casual') {
    for (const [re, to] of [...CONTRACTIONS, ...CASUAL_SWAPS]) s = s.replace(re, to);
  } else if (f === 'formal') {
    for (const [re, to] of FORMAL_SWAPS) s = s.replace(re, to);
  } else if (rng.chance(0.5)) {
    for (const [re, to] of CONTRACTIONS.slice(0, 4)) s = s.replace(re, to);
  }
  return s;
}

/** Group clauses into sentence cores (no final punctuation) by the voice's sentence length. */
function sentenceCores(clauses: string[], sp: Speaker, rng: Rng): string[] {
  const len = sp.voice.sentenceLength;
  // short voices keep every clause as its own sentence (at most three)
  if (len === 'short') return clauses.slice(0, 3);
  const join = (a: string, b: string): string => `${a}${rng.pick(CONNECTORS)} ${b}`;
  if (len === 'medium') {
    const out: string[] = [];
    for (let i = 0; i < clauses.length; ) {
      if (i + 1 < clauses.length && rng.chance(0.6)) {
        out.push(join(clauses[i], clauses[i + 1]));
        i += 2;
      } else {
        out.push(clauses[i]);
        i += 1;
      }
    }
    return out;
  }
  let joined = clauses[0];
  for (const c of clauses.slice(1)) joined = join(joined, c);
  if (rng.chance(0.7)) joined += expandSelf(rng.pick(ELABORATIONS), sp);
  return [joined];
}

function punctuate(core: string, sp: Speaker, rng: Rng): string {
  switch (sp.voice.punctuation) {
    case 'exclaim':
      return core + (rng.chance(0.25) ? '!!' : rng.chance(0.85) ? '!' : '.');
    case 'ellipsis':
      return core + (rng.chance(0.7) ? '...' : '.');
    case 'question':
      return rng.chance(0.5) ? `${core}${rng.pick(sp.voice.formality === 'formal' ? FORMAL_TAGS : TAGS)}?` : core + '.';
    default:
      return core + '.';
  }
}

/**
 * Render clause templates as one line in the speaker's voice. Clauses are sentence-like
 * fragments without final punctuation, lower-case unless they start with a name
 * ("{I} {am} so glad right now", "Ashford is famous for ..."); sentences are capitalised here.
 */
export function renderLine(clauses: readonly string[], sp: Speaker, rng: Rng): string {
  const v = sp.voice;
  const expanded = clauses.map((c) => applyFormality(expandSelf(c, sp), v.formality, rng));
  const cores = sentenceCores(expanded, sp, rng).map((c) => applyFormality(c, v.formality, rng));
  const addressAt = rng.chance(v.addressRate) ? rng.int(0, cores.length - 1) : -1;
  // register markers per line (not per sentence), so long and short voices show them equally often
  const registerAt = v.formality !== 'neutral' && rng.chance(0.45) ? rng.int(0, cores.length - 1) : -1;
  const sentences = cores.map((core, i) => {
    let s = core;
    if (v.ticKind === 'filler' && rng.chance(v.ticRate)) {
      const sp1 = s.indexOf(' ');
      if (sp1 > 0 && !/[,;"?]/.test(s.slice(0, sp1))) s = s.slice(0, sp1) + v.tic + s.slice(sp1);
    }
    if (i === addressAt) s += `, ${v.addressTerm}`;
    if (v.ticKind === 'suffix' && rng.chance(v.ticRate)) s += v.tic;
    if (i === registerAt) s = `${v.formality === 'formal' ? expandSelf(rng.pick(FORMAL_OPENERS), sp) : rng.pick(CASUAL_OPENERS)} ${s}`;
    if (i === 0 && v.ticKind === 'opener' && rng.chance(v.ticRate)) s = `${v.tic} ${s}`;
    return punctuate(cap(s), sp, rng);
  });
  let line = sentences.join(' ');
  if (rng.chance(v.catchphraseRate)) line = v.catchphrasePosition === 'start' ? `${v.catchphrase} ${line}` : `${line} ${v.catchphrase}`;
  if (v.emoji.length > 0 && rng.chance(v.emojiRate)) line += ` ${rng.pick(v.emoji)}`;
  return v.casing === 'lower' ? line.toLowerCase() : line;
}
