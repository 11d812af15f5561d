/**
 * Measure a voice from its lines: the numbers a style judge or a catchphrase-rate metric
 * compares against the exported VoiceSpec (and, later, against a model's generations).
 */
import type { VoiceSpec } from './style';

/** Style markers that need no voice spec: measurable on any character's lines (real RoleScape too). */
export interface StyleStats {
  readonly lines: number;
  /** Mean words per sentence (catchphrase removed when one is given). */
  readonly wordsPerSentence: number;
  /** Fractions of sentences ending in "!", "...", "?". */
  readonly exclaimRate: number;
  readonly ellipsisRate: number;
  readonly questionRate: number;
  /** Fraction of lines with at least one emoji. */
  readonly emojiRate: number;
  /** Contractions ("I'm", "don't") per line. */
  readonly contractionsPerLine: number;
  /** Fraction of lines with a formal marker ("indeed,", "truly", "would you not agree"). */
  readonly formalRate: number;
  /** Fraction of lines with a casual marker (a contraction, "yeah,", "super", "gonna"). */
  readonly casualRate: number;
  /** Fraction of lines that use the speaker's name (third-person habit). */
  readonly nameRate: number;
  /** Fraction of lines using "I"/"me"/"my" (first-person habit). */
  readonly firstPersonRate: number;
  /** Fraction of lines without any upper-case letter. */
  readonly lowercaseRate: number;
}

/** StyleStats plus the rates of a known voice's catchphrase and tic. */
export interface VoiceStats extends StyleStats {
  /** Fraction of lines containing the catchphrase (case-insensitive). */
  readonly catchphraseRate: number;
  /** Fraction of lines containing the tic. */
  readonly ticRate: number;
}

const EMOJI = /\p{Extended_Pictographic}/u;
const FORMAL = /\b(indeed|certainly|truly|splendid)\b|\bmust say,|\bif \w+ may,|would you not agree|is that not so|do you not think/i;
const CASUAL = /\b(yeah|oh man|okay so|ngl|super|gonna|kinda)\b|\b(i'm|i've|i'll|don't|doesn't|can't|isn't|it's|that's|you're|let's|what's|there's|wouldn't)\b/i;
const CONTRACTION = /\b\w+'(m|s|re|ve|ll|t|d)\b/gi;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function measureVoice(lines: readonly string[], voice: Pick<VoiceSpec, 'catchphrase' | 'tic'>, name: string): VoiceStats {
  const n = Math.max(1, lines.length);
  const cp = voice.catchphrase.toLowerCase();
  const tic = voice.tic.replace(/^[,\s]+|[,\s]+$/g, '').toLowerCase();
  return {
    ...measureStyle(lines, name, voice.catchphrase),
    catchphraseRate: lines.filter((l) => l.toLowerCase().includes(cp)).length / n,
    ticRate: lines.filter((l) => l.toLowerCase().includes(tic)).length / n,
  };
}

/** Generic style markers of `name`'s lines; a known catchphrase is removed before sentence stats. */
export function measureStyle(lines: readonly string[], name: string, catchphrase?: string): StyleStats {
  const n = Math.max(1, lines.length);
  const stripCp = (l: string): string => (catchphrase ? l.replace(new RegExp(escape(catchphrase), 'ig'), '') : l);
  const nameRe = new RegExp(`\\b${escape(name)}\\b`, 'i');
  let sentences = 0;
  let words = 0;
  let excl = 0;
  let ell = 0;
  let quest = 0;
  let contractions = 0;
  const count = (pred: (l: string) => boolean): number => lines.filter(pred).length / n;
  for (const line of lines) {
    const body = stripCp(line).replace(/\p{Extended_Pictographic}/gu, '').trim();
    for (const s of body.split(/(?<=[.!?])\s+/).filter((x) => x.length > 0)) {
      sentences++;
      words += s.split(/\s+/).length;
      if (/!$/.test(s)) excl++;
      else if (/\.\.\.$/.test(s)) ell++;
      else if (/\?$/.test(s)) quest++;
    }
    contractions += (body.match(CONTRACTION) ?? []).filter((c) => !/'s$/i.test(c) || /\b(it|that|what|there|let)'s$/i.test(c)).length;
  }
  const ns = Math.max(1, sentences);
  return {
    lines: lines.length,
    wordsPerSentence: words / ns,
    exclaimRate: excl / ns,
    ellipsisRate: ell / ns,
    questionRate: quest / ns,
    emojiRate: count((l) => EMOJI.test(l)),
    contractionsPerLine: contractions / n,
    formalRate: count((l) => FORMAL.test(stripCp(l))),
    casualRate: count((l) => CASUAL.test(stripCp(l))),
    nameRate: count((l) => nameRe.test(l)),
    firstPersonRate: count((l) => /\b(i|me|my)\b/i.test(l.replace(/\bi'(m|ve|ll|d)\b/gi, 'I'))),
    lowercaseRate: count((l) => !/\p{Lu}/u.test(l)),
  };
}
