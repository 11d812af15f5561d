/**
 * Text -> label detectors. The generator uses them to reject lines whose words disagree with
 * the drawn image; tests and judges use them to check that agreement from the outside.
 */
import { EXPRESSIONS, PROPS, SCENES } from './vocab';

interface Def {
  readonly name: string;
  readonly words: readonly string[];
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function compile(defs: readonly Def[]): Array<{ name: string; re: RegExp }> {
  return defs.map((d) => ({ name: d.name, re: new RegExp(`(^|[^\\p{L}-])(${d.words.map(escape).join('|')})(?![\\p{L}-])`, 'iu') }));
}

const EXPR_RE = compile(EXPRESSIONS);
const SCENE_RE = compile(SCENES);
const PROP_RE = compile(PROPS);

function detect(res: Array<{ name: string; re: RegExp }>, text: string): string[] {
  return res.filter((r) => r.re.test(text)).map((r) => r.name);
}

/** Expression labels whose emotion words occur in `text` (in vocab order). */
export function detectExpressions(text: string): string[] {
  return detect(EXPR_RE, text);
}

/** Scene labels whose place words occur in `text`. */
export function detectScenes(text: string): string[] {
  return detect(SCENE_RE, text);
}

/** Prop labels whose words occur in `text`. */
export function detectProps(text: string): string[] {
  return detect(PROP_RE, text);
}

/** True when the text names no expression, scene or prop: safe filler for an image line. */
export function isLabelFree(text: string): boolean {
  return detectExpressions(text).length === 0 && detectScenes(text).length === 0 && detectProps(text).length === 0;
}

/**
 * The part of a line that states the emotion: the sentence holding an emotion word, cut
 * before the next clause (",", ";", " and ") so a quote of it does not give away place or prop.
 */
export function emotionSnippet(text: string): string {
  const sentences = text.split(/(?<=[.!?])\s+/);
  const hit = sentences.find((s) => detectExpressions(s).length > 0) ?? sentences[0];
  const word = EXPR_RE.map((r) => r.re.exec(hit)).find((m) => m !== null);
  const from = word ? (word.index ?? 0) + word[0].length : 0;
  const rest = hit.slice(from);
  const cut = rest.search(/[,;]| and | also/);
  return cut < 0 ? hit : hit.slice(0, from + cut);
}
