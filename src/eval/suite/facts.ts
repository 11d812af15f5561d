/**
 * Which persona facts answer a synthetic character's memorization question. The generator
 * (src/data/synth/knowledge.ts, `memorizationQuestions`) asks two kinds:
 *   - fact questions, fixed templates over the persona ("When is your birthday?" -> birthday);
 *   - recall questions quoting the emotion part of one of the character's TRAINING image lines
 *     ("Earlier you said "<quote>". Where were you at the time?") and asking for what the quote
 *     leaves out: the place (the image's scene) or the prop held / the activity.
 * A fact is a list of alternative strings (any one counts: a scene's synonyms, either fear).
 * The templates mirror knowledge.ts; a test checks every generated question maps to facts.
 */
import type { Scene } from '../../data/rolescape/types';
import { emotionSnippet } from '../../data/synth';
import type { SynthTruth } from '../../data/synth/truth';
import { containsPhrase } from '../../metrics/text';

export type Fact = readonly string[];

const noArticle = (s: string): string => s.replace(/^(a|an|the) /i, '');

/** Fact-question templates: the question pattern and the facts that answer it. */
function factTemplates(t: SynthTruth): Array<[RegExp, Fact[]]> {
  const p = t.entry.persona;
  return [
    [/^What is your full name\?$/, [[p.fullName]]],
    [/^When is your birthday\?$/, [[p.birthday]]],
    [/^Where did you grow up, and what is it known for\?$/, [[p.hometown], [p.hometownFeature.replace(/^its /, '')]]],
    [/^What do you do at .+\?$/, [[p.occupation]]],
    [/^Tell me about your .+\.$/, [[p.family[0].name], [p.family[0].detail.replace(/^who /, '')]]],
    [/^Where did your .+ come from\?$/, [[noArticle(p.itemOrigin)]]],
    [/^What is your favourite food\?$/, [[p.favoriteFood]]],
    [/^Who is .+ to you\?$/, [[p.bestFriend.relation]]],
    [/^What are you most afraid of\?$/, [[...p.fears]]],
    [/^What is your biggest dream\?$/, [[p.dream.replace(/^to /, '')]]],
    [/^What special skill do you have\?$/, [[p.skill]]],
    [/^Which three things do you like most\?$/, p.likes.map((l) => [l])],
    [/^What is your favourite colour\?$/, [[p.favoriteColor]]],
    [/^What do you always say when something big happens\?$/, [[t.entry.style.catchphrase]]],
  ];
}

const RECALL: Array<[RegExp, 'scene' | 'prop']> = [
  [/^Earlier you said "(.+)"\. Where were you at the time\?$/, 'scene'],
  [/^What were you holding when you said "(.+)"\?$/, 'prop'],
  [/^What were you doing when you told me "(.+)"\?$/, 'prop'],
];

/** Scenes or props of the training image lines the quote comes from, as their words. */
function recallFact(quote: string, want: 'scene' | 'prop', t: SynthTruth, trainScenes: readonly Scene[]): Fact | null {
  const ids = new Set<string>();
  for (const s of trainScenes) {
    for (const turn of s.turns) {
      if (turn.role !== 'machine' || turn.imageId === null) continue;
      if (emotionSnippet(turn.text).replace(/[.!?]+$/, '') === quote) ids.add(turn.imageId);
    }
  }
  const words = new Set<string>();
  for (const id of ids) {
    const img = t.entry.images.train.find((i) => i.imageId === id);
    if (!img) continue;
    const def = want === 'scene' ? t.labelSpaces.scenes.find((x) => x.name === img.scene) : t.labelSpaces.props.find((x) => x.name === img.prop);
    for (const w of def?.words ?? []) words.add(w);
  }
  // two training lines can share a quote: then either of their answers counts
  return words.size ? [...words] : null;
}

/** The facts answering a memorization question, or null when it is not a known template. */
export function memorizationFacts(question: string, t: SynthTruth, trainScenes: readonly Scene[]): Fact[] | null {
  const q = question.trim();
  for (const [re, want] of RECALL) {
    const m = re.exec(q);
    if (m) {
      const f = recallFact(m[1], want, t, trainScenes);
      return f ? [f] : null;
    }
  }
  for (const [re, facts] of factTemplates(t)) if (re.test(q)) return facts;
  return null;
}

/** Share of the facts found in the answer (a fact is found when any alternative occurs as words). */
export function factRecall(answer: string, facts: readonly Fact[]): number {
  if (facts.length === 0) throw new Error('factRecall: no facts to look for');
  return facts.filter((alts) => alts.some((a) => containsPhrase(answer, a))).length / facts.length;
}
