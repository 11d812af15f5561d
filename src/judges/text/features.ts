/**
 * Hashed sparse features of one line of text, the input of both text judges. Nothing here knows
 * any character's voice or the label vocabulary: the judges learn what matters.
 *
 *  - style (case kept), per namespace (STYLE_NAMESPACES): character 2..4-grams over the whole
 *    line (punctuation, emoji, casing, "~pyon", "-nya", ", like," live here), raw whitespace
 *    tokens with their punctuation, the first and last token, lower-cased words and word pairs,
 *    sentence-length bucket and final punctuation per sentence, and line shape (length, sentence
 *    count, no upper case, emoji count). Each feature is hashed with its namespace into `dim`
 *    buckets and weighs 1 + log(count); the style judge learns how much each kind counts.
 *  - emotion (lower-cased): character 3..5-grams inside each word with boundary marks ("<gla",
 *    "lad>"), so "gladly" and "snowing" share buckets with "glad" and "snow"; whole words and
 *    word pairs. Weight 1 per occurrence, not normalized: one emotion word should count the same
 *    in a short and in a long line.
 *
 * Hash: FNV-1a over UTF-16 code units with a murmur3 finalizer, modulo `dim`.
 */

/** Emotion features: hash buckets and the cap on distinct features per line. */
export interface FeatureConfig {
  /** Number of hash buckets (rows of the embedding table). */
  readonly dim: number;
  /** At most this many distinct features per line (the heaviest kept). */
  readonly maxFeatures: number;
}

/** A line as (bucket, weight) pairs, buckets unique. */
export interface SparseLine {
  readonly ids: Int32Array;
  readonly weights: Float32Array;
}

/** FNV-1a over UTF-16 code units, then a final avalanche (murmur3 fmix32). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const EMOJI = /\p{Extended_Pictographic}/u;
const WORD = /[\p{L}\p{N}]+(?:['’-][\p{L}\p{N}]+)*/gu;

/** Bucket for a length: 1-2, 3-4, 5-7, 8-11, 12-16, 17-23, 24-33, 34+ (roughly log-spaced). */
function lengthBucket(n: number): number {
  const edges = [3, 5, 8, 12, 17, 24, 34];
  let b = 0;
  while (b < edges.length && n >= edges[b]) b++;
  return b;
}

function addNgrams(out: Map<string, number>, prefix: string, chars: readonly string[], lo: number, hi: number): void {
  for (let n = lo; n <= hi; n++) {
    for (let i = 0; i + n <= chars.length; i++) {
      const g = prefix + chars.slice(i, i + n).join('');
      out.set(g, (out.get(g) ?? 0) + 1);
    }
  }
}

function bump(out: Map<string, number>, key: string, by = 1): void {
  out.set(key, (out.get(key) ?? 0) + by);
}

/**
 * Namespaces of the style features, in a fixed order (the judge learns one weight per namespace;
 * changing this list changes the checkpoint format).
 */
export const STYLE_NAMESPACES = [
  'char2', // character bigrams, case kept
  'char3',
  'char4',
  'token', // raw whitespace tokens with punctuation ("Hmm,", "desu.", "Bo")
  'first', // first token of the line
  'last', // last token (often an emoji or a tic)
  'word', // lower-cased words
  'bigram', // lower-cased word pairs
  'slen', // sentence-length bucket, one per sentence
  'end', // final punctuation, one per sentence
  'slenEnd', // both together
  'shape', // line length, sentence count, no upper case, emoji count
] as const;
export type StyleNamespace = (typeof STYLE_NAMESPACES)[number];

/** Feature strings and counts of a line for the style judge, per namespace. */
export function styleFeatureCounts(text: string): Map<StyleNamespace, Map<string, number>> {
  const out = new Map<StyleNamespace, Map<string, number>>(STYLE_NAMESPACES.map((n) => [n, new Map()]));
  const add = (ns: StyleNamespace, key: string): void => bump(out.get(ns)!, key);
  const line = text.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (line.length === 0) return out;
  const chars = Array.from(` ${line} `); // code points: an emoji is one character
  for (const n of [2, 3, 4] as const) {
    for (let i = 0; i + n <= chars.length; i++) add(`char${n}`, chars.slice(i, i + n).join(''));
  }
  const tokens = line.split(' ');
  for (const t of tokens) add('token', t);
  add('first', tokens[0]);
  add('last', tokens[tokens.length - 1]);
  const words = (line.toLowerCase().match(WORD) ?? []) as string[];
  for (let i = 0; i < words.length; i++) {
    add('word', words[i]);
    if (i + 1 < words.length) add('bigram', `${words[i]} ${words[i + 1]}`);
  }
  const sentences = line.split(/(?<=[.!?…])\s+/).filter((x) => x.length > 0);
  for (const sentence of sentences) {
    const n = (sentence.match(WORD) ?? []).length;
    const body = sentence.replace(/\s*\p{Extended_Pictographic}+\s*$/u, '');
    const end = /\.\.\.$|…$/.test(body) ? '...' : /[!?.~]+$/.exec(body)?.[0].slice(-2) ?? 'none';
    add('slen', String(lengthBucket(n)));
    add('end', end);
    add('slenEnd', `${lengthBucket(n)}${end}`);
  }
  add('shape', `words${lengthBucket(words.length)}`);
  add('shape', `sentences${Math.min(sentences.length, 6)}`);
  if (!/\p{Lu}/u.test(line)) add('shape', 'nocaps');
  add('shape', `emoji${Math.min(Array.from(line).filter((c) => EMOJI.test(c)).length, 3)}`);
  return out;
}

/** A line's style features: hashed bucket, namespace index and 1 + log(count), one entry per feature. */
export interface StyleEntries {
  readonly bucket: Int32Array;
  readonly ns: Uint8Array;
  readonly x: Float32Array;
}

export function styleEntries(text: string, dim: number, maxFeatures = Infinity): StyleEntries {
  const rows: Array<[number, number, number]> = [];
  const counts = styleFeatureCounts(text);
  STYLE_NAMESPACES.forEach((ns, k) => {
    for (const [f, c] of counts.get(ns)!) rows.push([hashString(`${ns}\u0000${f}`) % dim, k, 1 + Math.log(c)]);
  });
  const kept = rows.length > maxFeatures ? rows.sort((a, b) => b[2] - a[2]).slice(0, maxFeatures) : rows;
  return { bucket: Int32Array.from(kept, (r) => r[0]), ns: Uint8Array.from(kept, (r) => r[1]), x: Float32Array.from(kept, (r) => r[2]) };
}

/** Feature strings and counts of a line for the emotion/place judge. */
export function emotionFeatureCounts(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const words = (text.normalize('NFC').toLowerCase().match(WORD) ?? []) as string[];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    bump(out, 'w' + w);
    if (i + 1 < words.length) bump(out, `b${w} ${words[i + 1]}`);
    addNgrams(out, 'c', Array.from(`<${w}>`), 3, 5);
  }
  return out;
}

/** Hash a line's emotion features into at most `maxFeatures` (bucket, count) pairs, buckets merged. */
export function featurize(text: string, cfg: FeatureConfig): SparseLine {
  const byId = new Map<number, number>();
  for (const [f, c] of emotionFeatureCounts(text)) {
    const id = hashString(f) % cfg.dim;
    byId.set(id, (byId.get(id) ?? 0) + c);
  }
  let entries = Array.from(byId.entries());
  if (entries.length > cfg.maxFeatures) entries = entries.sort((a, b) => b[1] - a[1]).slice(0, cfg.maxFeatures);
  return { ids: Int32Array.from(entries, (e) => e[0]), weights: Float32Array.from(entries, (e) => e[1]) };
}

/**
 * Pack lines into a padded batch: ids [B, F] (padding: bucket 0 with weight 0), weights [B, F].
 * F is the longest line's feature count (at least 1).
 */
export function packBatch(lines: readonly SparseLine[]): { ids: Int32Array; weights: Float32Array; batch: number; width: number } {
  const width = Math.max(1, ...lines.map((l) => l.ids.length));
  const ids = new Int32Array(lines.length * width);
  const weights = new Float32Array(lines.length * width);
  lines.forEach((l, b) => {
    ids.set(l.ids, b * width);
    weights.set(l.weights, b * width);
  });
  return { ids, weights, batch: lines.length, width };
}

/** Drop each feature with probability p (training-time augmentation); keeps at least one. */
export function dropFeatures(line: SparseLine, p: number, next: () => number): SparseLine {
  if (p <= 0 || line.ids.length <= 1) return line;
  const keep: number[] = [];
  for (let i = 0; i < line.ids.length; i++) if (next() >= p) keep.push(i);
  if (keep.length === 0) keep.push(0);
  return { ids: Int32Array.from(keep, (i) => line.ids[i]), weights: Float32Array.from(keep, (i) => line.weights[i]) };
}
