/**
 * Held-out scoring of the text judges and their baselines, and the report's text form.
 *
 *  - Style: each character's test lines are attributed among itself and up to 19 other
 *    characters of the same set (seeded choice), every centroid from TRAINING-split lines only.
 *    Scored with the learned weights, the IDF prior they started from, and plain weights.
 *  - Emotion: image-linked lines against their index.json labels, text-only lines against
 *    none/none, the same image lines with seeded typos, and hand-written paraphrases; the
 *    keyword detector of src/data/synth/labels.ts (first hit, else none) alongside.
 */
import { detectExpressions, detectScenes } from '../../data/synth';
import { Rng } from '../../util/rng';
import type { CharacterLines, LabeledLine } from './corpus';
import { EmotionJudge, NONE, addTypos } from './emotion';
import type { StyleJudge, StyleWeighting } from './style';

// ---------------- style ----------------

export interface AttributionResult {
  readonly characters: number;
  /** Candidates per attribution (the character and the others drawn with it). */
  readonly candidates: number;
  readonly chance: number;
  readonly queries: number;
  readonly accuracy: Record<StyleWeighting, number>;
  /** Learned-weight accuracy per character. */
  readonly perCharacter: Record<string, number>;
}

/** Attribute every character's test lines among `group` candidates of the same set. */
export function evaluateAttribution(judge: StyleJudge, chars: readonly CharacterLines[], group: number, seed: number): AttributionResult | null {
  // sorted by id: the candidate draws depend on the set of characters, not on their order
  const usable = chars.filter((c) => c.trainLines.length > 0 && c.testLines.length > 0).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (usable.length < 2) return null;
  const k = Math.min(group, usable.length);
  const rng = new Rng(seed).fork('style-eval-candidates');
  const draws = usable.map((c) => [c, ...rng.sample(usable.filter((x) => x !== c), k - 1)]);
  const accuracy = {} as Record<StyleWeighting, number>;
  const perCharacter: Record<string, number> = {};
  let queries = 0;
  for (const weighting of ['learned', 'prior', 'plain'] as const) {
    const j = judge.withWeighting(weighting);
    const centroids = new Map(usable.map((c) => [c.id, j.centroid(c.trainLines)]));
    let ok = 0;
    queries = 0;
    usable.forEach((c, i) => {
      const cands = draws[i];
      const prepared = { ids: cands.map((x) => x.id), centroids: cands.map((x) => centroids.get(x.id)!) };
      const hits = j.attributeLines(c.testLines, prepared).filter((r) => r.id === c.id).length;
      ok += hits;
      queries += c.testLines.length;
      if (weighting === 'learned') perCharacter[c.id] = hits / c.testLines.length;
    });
    accuracy[weighting] = ok / queries;
  }
  return { characters: usable.length, candidates: k, chance: 1 / k, queries, accuracy, perCharacter };
}

// ---------------- emotion ----------------

export interface LabelScores {
  /** Image lines: predicted expression / scene equals the drawn one; both at once. */
  readonly expression: number;
  readonly scene: number;
  readonly both: number;
  /** Text-only lines: share judged none for expression and for scene. */
  readonly noneOnText: number;
}

export interface EmotionResult {
  readonly imageLines: number;
  readonly textLines: number;
  readonly judge: LabelScores;
  readonly keyword: LabelScores;
}

type Predict = (texts: readonly string[]) => Array<{ expression: string; scene: string }>;

export function keywordPredict(texts: readonly string[]): Array<{ expression: string; scene: string }> {
  return texts.map((t) => ({ expression: detectExpressions(t)[0] ?? NONE, scene: detectScenes(t)[0] ?? NONE }));
}

function labelScores(predict: Predict, image: readonly LabeledLine[], text: readonly string[]): LabelScores {
  const pi = predict(image.map((l) => l.text));
  const pt = predict(text);
  const share = (n: number, d: number): number => (d === 0 ? NaN : n / d);
  return {
    expression: share(pi.filter((p, i) => p.expression === image[i].expression).length, image.length),
    scene: share(pi.filter((p, i) => p.scene === image[i].scene).length, image.length),
    both: share(pi.filter((p, i) => p.expression === image[i].expression && p.scene === image[i].scene).length, image.length),
    noneOnText: share(pt.filter((p) => p.expression === NONE && p.scene === NONE).length, text.length),
  };
}

export function evaluateEmotion(judge: EmotionJudge, image: readonly LabeledLine[], text: readonly string[]): EmotionResult {
  return {
    imageLines: image.length,
    textLines: text.length,
    judge: labelScores((t) => judge.judgeLines(t), image, text),
    keyword: labelScores(keywordPredict, image, text),
  };
}

/** The same image lines with seeded typos (`rate` per letter). */
export function withTypos(lines: readonly LabeledLine[], rate: number, seed: number): LabeledLine[] {
  const rng = new Rng(seed).fork('typos');
  return lines.map((l) => ({ ...l, text: addTypos(l.text, rate, rng) }));
}

/**
 * Hand-written lines outside the generator's templates (written once, kept fixed, never used for
 * training or for choosing settings): inflections ("happier", "blossoms", "Snowing"), new frames, emotion or place alone,
 * typos, and a line naming neither. Labels are the synthetic label spaces plus none.
 */
export const PARAPHRASES: ReadonlyArray<{ text: string; expression: string; scene: string }> = [
  { text: "I'm so glad we came to the beach!", expression: 'happy', scene: 'beach' },
  { text: "We finally made it to the beach and I couldn't be happier!", expression: 'happy', scene: 'beach' },
  { text: 'Sitting under the blossoms, feeling pretty gloomy today.', expression: 'sad', scene: 'cherry garden' },
  { text: 'Snowing hard up here and I am totally astonished by it.', expression: 'surprised', scene: 'snowfield' },
  { text: 'Drowsily flipping pages in the library.', expression: 'sleepy', scene: 'library' },
  { text: 'The forests here leave me calm and steady.', expression: 'neutral', scene: 'forest' },
  { text: 'What a shock, a whole kitchen full of cake!', expression: 'surprised', scene: 'kitchen' },
  { text: 'Floating in orbit with nothing but stars, I feel cheerfully light.', expression: 'happy', scene: 'space' },
  { text: 'I got annoyed waiting at the seashore.', expression: 'angry', scene: 'beach' },
  { text: 'Just chatting with you, nothing special going on.', expression: NONE, scene: NONE },
  { text: 'irritatedd and stuck in the desrt', expression: 'angry', scene: 'desert' },
  { text: "Honestly? Miserable. That's all I'll say.", expression: 'sad', scene: NONE },
  { text: 'Guess where I am: downtown, with all the neon signs!', expression: NONE, scene: 'city night' },
  { text: "The coral reef is so quiet, and I'm half-asleep already.", expression: 'sleepy', scene: 'underwater' },
  { text: 'Nothing could make me angrier than this messy kitchen.', expression: 'angry', scene: 'kitchen' },
  { text: 'So delighted to see the dunes again!', expression: 'happy', scene: 'desert' },
  { text: 'Feeling composed while the waves roll in at the shore.', expression: 'neutral', scene: 'beach' },
  { text: 'A startled little yelp escaped me in the woods.', expression: 'surprised', scene: 'forest' },
  { text: 'Tired, tired, tired. Bed, please.', expression: 'sleepy', scene: NONE },
  { text: 'Fuming. Absolutely fuming.', expression: 'angry', scene: NONE },
];

export interface ParaphraseResult {
  readonly n: number;
  readonly judge: { expression: number; scene: number; both: number };
  readonly keyword: { expression: number; scene: number; both: number };
  readonly items: Array<{ text: string; expected: [string, string]; judge: [string, string]; keyword: [string, string] }>;
}

export function evaluateParaphrases(judge: EmotionJudge, items = PARAPHRASES): ParaphraseResult {
  const pj = judge.judgeLines(items.map((p) => p.text));
  const pk = keywordPredict(items.map((p) => p.text));
  const acc = (ps: Array<{ expression: string; scene: string }>) => ({
    expression: ps.filter((p, i) => p.expression === items[i].expression).length / items.length,
    scene: ps.filter((p, i) => p.scene === items[i].scene).length / items.length,
    both: ps.filter((p, i) => p.expression === items[i].expression && p.scene === items[i].scene).length / items.length,
  });
  return {
    n: items.length,
    judge: acc(pj),
    keyword: acc(pk),
    items: items.map((p, i) => ({ text: p.text, expected: [p.expression, p.scene], judge: [pj[i].expression, pj[i].scene], keyword: [pk[i].expression, pk[i].scene] })),
  };
}
