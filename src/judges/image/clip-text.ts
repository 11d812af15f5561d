/**
 * The CLIP stand-in's text side: a word vocabulary owned by the judge (built from the world's
 * prompts, saved with it) and a tokenizer. Character names are left out of the vocabulary: a new
 * character's name is unknown to the judge, as a customized character's is to CLIP, so names
 * read as <unk> in training too and the encoder learns from the words that describe the image.
 */

export const PAD = '<pad>';
export const UNK = '<unk>';

/** Lower-cased words (hyphenated words kept whole: "polka-dot") and commas. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z]+(?:-[a-z]+)*|,/g) ?? [];
}

/** Vocabulary: PAD, UNK, then every word seen at least `minCount` times, sorted. */
export function buildVocab(texts: readonly string[], exclude: ReadonlySet<string>, minCount = 2): string[] {
  const counts = new Map<string, number>();
  for (const t of texts) for (const w of words(t)) if (!exclude.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const kept = [...counts].filter(([, n]) => n >= minCount).map(([w]) => w).sort();
  return [PAD, UNK, ...kept];
}

export class Tokenizer {
  private readonly ids: Map<string, number>;

  constructor(readonly vocab: readonly string[], readonly maxLen: number) {
    if (vocab[0] !== PAD || vocab[1] !== UNK) throw new Error(`Tokenizer: vocabulary must start with ${PAD}, ${UNK}`);
    this.ids = new Map(vocab.map((w, i) => [w, i]));
  }

  /** Word ids, truncated to maxLen (at least one token: an empty text is one <unk>). */
  encode(text: string): number[] {
    const ids = words(text).map((w) => this.ids.get(w) ?? 1).slice(0, this.maxLen);
    return ids.length ? ids : [1];
  }

  /** Ids padded to the longest text of the batch, [n, len] row-major, and the 0/1 mask of real tokens. */
  batch(texts: readonly string[]): { ids: Int32Array; mask: Float32Array; len: number } {
    const enc = texts.map((t) => this.encode(t));
    const L = Math.max(1, ...enc.map((e) => e.length));
    const ids = new Int32Array(texts.length * L);
    const mask = new Float32Array(texts.length * L);
    enc.forEach((e, b) => {
      e.forEach((id, j) => {
        ids[b * L + j] = id;
        mask[b * L + j] = 1;
      });
    });
    return { ids, mask, len: L };
  }

  /** Share of a text's words that are out of vocabulary. */
  unknownShare(text: string): number {
    const ws = words(text);
    return ws.length ? ws.filter((w) => !this.ids.has(w)).length / ws.length : 0;
  }
}

/** CLIP-T is scored only when its text side knows at least this share of the prompts' content words. */
export const CLIP_T_MIN_COVERAGE = 0.5;

/** Function words left out of the coverage (they say nothing about the picture). */
const FUNCTION_WORDS = new Set('a an the of in on at to by for from with into onto over under near and or but is are was were be its it his her their this that some'.split(' '));

export interface ClipTextCoverage {
  /** Content words in the prompts (repeats counted), and how many the vocabulary holds. */
  words: number;
  known: number;
  share: number;
}

/**
 * How much of the prompts the CLIP-T judge's vocabulary can read: the share of content words (no
 * commas or function words) it knows. Synthetic prompts: ~89%; real RoleScape-20 prompts: ~16%.
 */
export function clipTextCoverage(vocab: readonly string[], prompts: readonly string[]): ClipTextCoverage {
  const known = new Set(vocab);
  const content = prompts.flatMap((p) => words(p).filter((w) => w !== ',' && !FUNCTION_WORDS.has(w)));
  const k = content.filter((w) => known.has(w)).length;
  return { words: content.length, known: k, share: content.length ? k / content.length : 0 };
}
