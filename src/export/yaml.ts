/**
 * YAML for the official pipeline, which reads it with PyYAML (`yaml.safe_load`). PyYAML follows
 * YAML 1.1, where `1e-7` is a string (a float needs a dot: `1.0e-07`); the `yaml` package writes
 * JSON's `1e-7`. Numbers that need an exponent are therefore written `m.me±dd`. Comments are
 * attached by dotted key path: `before` goes on the line(s) above the key, `inline` after its value.
 */
import { Document, isMap, isScalar, type Pair, type ScalarTag } from 'yaml';

export interface YamlComments {
  /** Lines at the top of the file (without '#'). */
  top?: string;
  /** 'reward_weights.dino_threshold_low' -> comments on that key. */
  keys?: Record<string, { before?: string; inline?: string }>;
}

/** 1e-7 -> "1.0e-07", 2.5e21 -> "2.5e+21": what both YAML 1.1 and 1.2 read as a float. */
export function pyYamlFloat(value: number): string {
  const [m, e] = value.toExponential().split('e');
  const exp = e.replace(/^[-+]/, '');
  return `${m.includes('.') ? m : `${m}.0`}e${e.startsWith('-') ? '-' : '+'}${exp.padStart(2, '0')}`;
}

const exponentFloat: ScalarTag = {
  identify: (v) => typeof v === 'number' && Number.isFinite(v) && /e/i.test(String(v)),
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^\b$/, // never used to parse: the core schema reads these back
  resolve: (s) => Number(s),
  stringify: ({ value }) => pyYamlFloat(Number(value)),
};

/** The YAML text of `value` with the comments placed; throws if a commented key does not exist. */
export function toYaml(value: unknown, comments: YamlComments = {}): string {
  const doc = new Document(value, { customTags: (tags) => [exponentFloat, ...tags] });
  if (comments.top) doc.commentBefore = prefixLines(comments.top);
  for (const [keyPath, c] of Object.entries(comments.keys ?? {})) {
    const pair = findPair(doc, keyPath.split('.'));
    if (!pair) throw new Error(`toYaml: no key ${keyPath} to comment`);
    if (c.before && isScalar(pair.key)) pair.key.commentBefore = prefixLines(c.before);
    if (c.inline) {
      const v = pair.value as { comment?: string | null } | null;
      if (isScalar(pair.value)) pair.value.comment = ` ${c.inline}`;
      else if (isScalar(pair.key)) pair.key.comment = ` ${c.inline}`; // collections: after the key
      else if (v) v.comment = ` ${c.inline}`;
    }
  }
  return doc.toString({ lineWidth: 0 });
}

/** `# `-style: the yaml package adds '#', we add the space after it. */
function prefixLines(text: string): string {
  return text
    .split('\n')
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
}

function findPair(doc: Document, keys: string[]): Pair | null {
  let node: unknown = doc.contents;
  let pair: Pair | null = null;
  for (const k of keys) {
    if (!isMap(node)) return null;
    pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === k) ?? null;
    if (!pair) return null;
    node = pair.value;
  }
  return pair;
}
