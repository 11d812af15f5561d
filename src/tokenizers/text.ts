/**
 * The text tokenizer: byte-level BPE (GPT-2 style) with a small byte alphabet and nibble fallback.
 *
 * Text is split into pieces by GPT-2's pre-tokenizer regex (words with their leading space,
 * numbers, punctuation runs, whitespace), each piece is turned into UTF-8 bytes and the learned
 * merges are applied in rank order. `decode(encode(s)) === s` for every JavaScript string.
 *
 * Departure from GPT-2, for a ~1k vocabulary: the base alphabet is not all 256 bytes but only the
 * bytes that occur in the fitting corpus (about 90 for the synthetic world: ASCII plus the bytes
 * of its emoji and accents), which leaves the slots to merges. A byte outside the alphabet (a CJK
 * character or a curly quote in real RoleScape text) is written as two fallback tokens, its high
 * and its low nibble: 32 fallback tokens replace 256 byte tokens, and nothing is ever unknown.
 *
 * Token ids: [0, 16) high nibbles, [16, 32) low nibbles, [32, 32 + A) the alphabet's bytes in
 * ascending order, then one id per merge in the order they were learned.
 */
import { pushUtf8, utf8Decode } from './utf8';

export const TEXT_TOKENIZER_TYPE = 'byte-bpe';
/** GPT-2's pre-tokenizer: contractions, letters, numbers, other symbols, whitespace. */
export const PRETOKENIZER = 'gpt2';
const PIECE_RE = /'(?:s|t|re|ve|m|ll|d)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export const N_FALLBACK = 32;
const HI = 0;
const LO = 16;

/** What `tokenizers.json` stores for the text tokenizer. */
export interface TextTokenizerJson {
  type: typeof TEXT_TOKENIZER_TYPE;
  pretokenizer: typeof PRETOKENIZER;
  /** Byte values with a token of their own, ascending. */
  alphabet: number[];
  /** Pairs of token ids, in learning order: merge i creates token 32 + alphabet.length + i. */
  merges: [number, number][];
}

export interface EncodeStats {
  tokens: number;
  /** Fallback tokens (two per byte outside the alphabet). */
  fallbackTokens: number;
  /** Bytes written as fallback tokens. */
  fallbackBytes: number;
  bytes: number;
}

/** Split text into pre-tokenizer pieces (their concatenation is the text). */
export function pretokenize(text: string): string[] {
  return text.match(PIECE_RE) ?? [];
}

const pairKey = (a: number, b: number): number => a * 65536 + b;

export class TextTokenizer {
  /** Number of text tokens (fallback + alphabet + merges). */
  readonly vocabSize: number;
  readonly alphabet: readonly number[];
  readonly merges: readonly (readonly [number, number])[];
  private readonly byteToId: Int32Array;
  private readonly rank = new Map<number, number>();
  private readonly bytesOf: Uint8Array[] = [];
  private readonly cache = new Map<string, Int32Array>();
  private readonly firstMerge: number;

  constructor(alphabet: readonly number[], merges: readonly (readonly [number, number])[]) {
    for (let i = 0; i < alphabet.length; i++) {
      const b = alphabet[i];
      if (!Number.isInteger(b) || b < 0 || b > 255) throw new RangeError(`alphabet[${i}]: expected a byte value 0-255, found ${b}`);
      if (i > 0 && b <= alphabet[i - 1]) throw new RangeError(`alphabet[${i}]: expected ascending distinct byte values, found ${alphabet[i - 1]} then ${b}`);
    }
    if (N_FALLBACK + alphabet.length + merges.length > 65536) throw new RangeError(`merges: ${merges.length} merges make more than 65536 tokens`);
    this.alphabet = alphabet.slice();
    this.merges = merges.map(([a, b]) => [a, b] as const);
    this.byteToId = new Int32Array(256).fill(-1);
    alphabet.forEach((b, i) => (this.byteToId[b] = N_FALLBACK + i));
    for (let i = 0; i < 16; i++) {
      this.bytesOf.push(new Uint8Array(0), new Uint8Array(0)); // fallback tokens have no bytes of their own
    }
    for (const b of alphabet) this.bytesOf.push(Uint8Array.of(b));
    this.firstMerge = N_FALLBACK + alphabet.length;
    merges.forEach(([a, b], i) => {
      const id = this.firstMerge + i;
      for (const [name, x] of [['first', a], ['second', b]] as const) {
        if (!Number.isInteger(x) || x < N_FALLBACK || x >= id) throw new RangeError(`merges[${i}]: ${name} id ${x} must be an earlier non-fallback token (${N_FALLBACK} to ${id - 1})`);
      }
      const key = pairKey(a, b);
      if (this.rank.has(key)) throw new RangeError(`merges[${i}]: pair [${a}, ${b}] repeats merge ${this.rank.get(key)}`);
      this.rank.set(key, i);
      const ab = new Uint8Array(this.bytesOf[a].length + this.bytesOf[b].length);
      ab.set(this.bytesOf[a]);
      ab.set(this.bytesOf[b], this.bytesOf[a].length);
      this.bytesOf.push(ab);
    });
    this.vocabSize = this.firstMerge + merges.length;
  }

  /** Token ids of `text`. */
  encode(text: string): Int32Array {
    const parts: Int32Array[] = [];
    let n = 0;
    for (const piece of pretokenize(text)) {
      const ids = this.encodePiece(piece);
      parts.push(ids);
      n += ids.length;
    }
    const out = new Int32Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Encode and count fallback tokens (for the real-text report). */
  encodeWithStats(text: string): { ids: Int32Array; stats: EncodeStats } {
    const ids = this.encode(text);
    let fallbackTokens = 0;
    for (const id of ids) if (id < N_FALLBACK) fallbackTokens++;
    const bytes: number[] = [];
    pushUtf8(text, bytes);
    return { ids, stats: { tokens: ids.length, fallbackTokens, fallbackBytes: fallbackTokens / 2, bytes: bytes.length } };
  }

  /** Text of token ids; unpaired fallback nibbles (only a model can produce them) are dropped. */
  decode(ids: ArrayLike<number>): string {
    const bytes: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`decode: token ${id} at position ${i} is not a text token (0 to ${this.vocabSize - 1})`);
      if (id < N_FALLBACK) {
        const next = i + 1 < ids.length ? ids[i + 1] : -1;
        if (id < LO && next >= LO && next < N_FALLBACK) {
          bytes.push(((id - HI) << 4) | (next - LO));
          i++;
        }
        continue;
      }
      for (const b of this.bytesOf[id]) bytes.push(b);
    }
    return utf8Decode(bytes);
  }

  /** The bytes a token stands for (empty for a fallback nibble). */
  tokenBytes(id: number): Uint8Array {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) throw new RangeError(`tokenBytes: ${id} is not a text token (0 to ${this.vocabSize - 1})`);
    return this.bytesOf[id];
  }

  /** A readable form of one token, for tables and notebooks (`<0x9_>`, `<0x_F>` for nibbles). */
  tokenText(id: number): string {
    if (id >= 0 && id < LO) return `<0x${id.toString(16).toUpperCase()}_>`;
    if (id >= LO && id < N_FALLBACK) return `<0x_${(id - LO).toString(16).toUpperCase()}>`;
    return utf8Decode(this.tokenBytes(id));
  }

  isFallback(id: number): boolean {
    return id >= 0 && id < N_FALLBACK;
  }

  toJSON(): TextTokenizerJson {
    return { type: TEXT_TOKENIZER_TYPE, pretokenizer: PRETOKENIZER, alphabet: this.alphabet.slice(), merges: this.merges.map(([a, b]) => [a, b]) };
  }

  static fromJSON(j: TextTokenizerJson): TextTokenizer {
    return new TextTokenizer(j.alphabet, j.merges);
  }

  private encodePiece(piece: string): Int32Array {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    const bytes: number[] = [];
    pushUtf8(piece, bytes);
    // fallback nibbles never merge (they never occur in the fitting corpus), so BPE runs on the
    // stretches between them
    const out: number[] = [];
    let run: number[] = [];
    for (const b of bytes) {
      const id = this.byteToId[b];
      if (id >= 0) {
        run.push(id);
      } else {
        this.applyMerges(run, out);
        run = [];
        out.push(HI + (b >> 4), LO + (b & 15));
      }
    }
    this.applyMerges(run, out);
    const ids = Int32Array.from(out);
    if (this.cache.size >= 100_000) this.cache.clear();
    this.cache.set(piece, ids);
    return ids;
  }

  /** Standard BPE: repeatedly merge the adjacent pair learned earliest. */
  private applyMerges(sym: number[], out: number[]): void {
    while (sym.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < sym.length; i++) {
        const r = this.rank.get(pairKey(sym[i], sym[i + 1]));
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const a = sym[best];
      const b = sym[best + 1];
      sym = mergePair(sym, a, b, this.firstMerge + bestRank);
    }
    for (const s of sym) out.push(s);
  }
}

/** One BPE merge: `sym` with each adjacent (a, b), left to right and not overlapping, replaced by `id` (the same step when fitting and encoding). */
function mergePair(sym: readonly number[], a: number, b: number, id: number): number[] {
  const next: number[] = [];
  for (let i = 0; i < sym.length; i++) {
    if (i + 1 < sym.length && sym[i] === a && sym[i + 1] === b) {
      next.push(id);
      i++;
    } else {
      next.push(sym[i]);
    }
  }
  return next;
}

export interface FitTextOptions {
  /** Total text tokens wanted (fallback + alphabet + merges); fewer when merges run out. */
  vocabSize: number;
  /** Stop merging when the most frequent pair occurs fewer times than this in the corpus. */
  minPairCount?: number;
}

/**
 * Learn the alphabet and merges from `texts`. Deterministic: the same texts in the same order
 * give the same tokenizer (ties between equally frequent pairs go to the smaller id pair).
 */
export function fitTextTokenizer(texts: Iterable<string>, opts: FitTextOptions): TextTokenizer {
  const minPairCount = opts.minPairCount ?? 2;
  // 1. piece counts
  const pieceCount = new Map<string, number>();
  for (const t of texts) for (const p of pretokenize(t)) pieceCount.set(p, (pieceCount.get(p) ?? 0) + 1);
  // 2. the alphabet: every byte that occurs
  const seen = new Uint8Array(256);
  const wordBytes: number[][] = [];
  const counts: number[] = [];
  for (const [p, c] of pieceCount) {
    const b: number[] = [];
    pushUtf8(p, b);
    for (const x of b) seen[x] = 1;
    wordBytes.push(b);
    counts.push(c);
  }
  const alphabet: number[] = [];
  for (let b = 0; b < 256; b++) if (seen[b]) alphabet.push(b);
  const byteId = new Int32Array(256);
  alphabet.forEach((b, i) => (byteId[b] = N_FALLBACK + i));
  const words = wordBytes.map((b) => b.map((x) => byteId[x]));
  const nMerges = Math.max(0, opts.vocabSize - N_FALLBACK - alphabet.length);

  // 3. incremental BPE over the unique pieces: pair counts plus, per pair, the words holding it
  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, Set<number>>();
  const addPairs = (w: number, sign: number): void => {
    const s = words[w];
    for (let i = 0; i + 1 < s.length; i++) {
      const k = pairKey(s[i], s[i + 1]);
      const c = (pairCount.get(k) ?? 0) + sign * counts[w];
      if (c === 0) pairCount.delete(k);
      else pairCount.set(k, c);
      if (sign > 0) {
        let set = pairWords.get(k);
        if (!set) pairWords.set(k, (set = new Set()));
        set.add(w);
      }
    }
  };
  for (let w = 0; w < words.length; w++) addPairs(w, 1);

  const merges: [number, number][] = [];
  for (let m = 0; m < nMerges; m++) {
    let bestKey = -1;
    let bestCount = 0;
    for (const [k, c] of pairCount) {
      if (c > bestCount || (c === bestCount && k < bestKey)) {
        bestCount = c;
        bestKey = k;
      }
    }
    if (bestKey < 0 || bestCount < minPairCount) break;
    const a = Math.floor(bestKey / 65536);
    const b = bestKey % 65536;
    const id = N_FALLBACK + alphabet.length + m;
    merges.push([a, b]);
    for (const w of Array.from(pairWords.get(bestKey) ?? [])) {
      const s = words[w];
      let has = false;
      for (let i = 0; i + 1 < s.length; i++) if (s[i] === a && s[i + 1] === b) has = true;
      if (!has) continue;
      addPairs(w, -1);
      words[w] = mergePair(s, a, b, id);
      addPairs(w, 1);
    }
    pairWords.delete(bestKey);
  }
  return new TextTokenizer(alphabet, merges);
}
