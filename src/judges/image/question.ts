/**
 * VQA question parser: a question of the synthetic world's templates (GRPO `vqa_questions` from
 * src/data/synth/grpo.ts, the image QA and MCQ of src/data/synth/imageqa.ts) → the attribute it
 * asks about and how:
 *
 *   yes_no  "Is Pip holding a book?"          → prop = book            (yes iff P(prop = book) > 0.5)
 *           "Is Pip not in a green forest?"   → scene = forest, negated (yes iff P(...) <= 0.5)
 *   choice  "What is Pip holding?" + choices  → prop over the choices  (argmax of their probabilities)
 *   open    the same without choices          → prop over every value  (answered with its phrase)
 *
 * The subject's name is whatever stands in the name slot (names may hold spaces, as in the real
 * release). A question whose template, phrase or choices do not map onto the judge's closed
 * label space is not applicable: `parseQuestion` returns null and scorers count it apart.
 * Negation comes from the phrasing ("Is X not …"), not from `is_negative`, which in the data
 * marks questions whose expected answer is "no" (also "Is X holding a book?" for a guitar).
 */
import { ACCESSORIES, ANIME_HAIR, EXPRESSIONS, EYES, FUR, HUMAN_HAIR, OUTFIT, PATTERNS, PROPS, SCENES, SKIN, SPECIES } from '../../data/synth/vocab';
import { accessoryNoun, patternAdj, article } from '../../data/synth/describe';
import type { Attribute, Labels } from '../core/attributes';

/** A question as it comes in the GRPO jsonl (snake_case) or from the RoleScape loader (camelCase). */
export interface VqaQuestionInput {
  question: string;
  type?: string;
  answer?: string;
  choices?: readonly string[] | null;
  weight?: number;
  is_negative?: boolean;
  isNegative?: boolean;
}

export type QuestionForm = 'yes_no' | 'choice' | 'open';

export interface ParsedQuestion {
  form: QuestionForm;
  attribute: Attribute;
  /** yes_no: the value the question states. */
  value?: string;
  /** yes_no: "Is X not …?" */
  negated: boolean;
  /** choice: each given choice with the value it names. */
  choices?: Array<{ text: string; value: string }>;
  /** The name in the subject slot, or null for questions without one. */
  subject: string | null;
  /** Which template matched (for coverage counts). */
  template: string;
  /** open: which phrase family answers it (the scene's place, its dominant colour, its light, ...). */
  phrase: PhraseKind;
}

type PhraseKind = 'name' | 'at' | 'dominant' | 'light' | 'holding' | 'noun' | 'activity' | 'adjective' | 'accessory' | 'pattern' | 'kind';

const names = (l: ReadonlyArray<{ name: string }>): string[] => l.map((x) => x.name);
const KIND_PHRASE: Record<string, string> = { human: 'a person', anime: 'an anime-style character', ...Object.fromEntries(SPECIES.map((s) => [s, article(s)])) };

/** value → phrase, per attribute and phrase family. */
const PHRASES: Record<string, Record<string, Record<string, string>>> = {
  prop: {
    holding: Object.fromEntries(PROPS.map((p) => [p.name, p.holding])),
    noun: Object.fromEntries(PROPS.map((p) => [p.name, p.noun])),
    activity: Object.fromEntries(PROPS.map((p) => [p.name, p.activity])),
    name: Object.fromEntries(PROPS.map((p) => [p.name, p.name])),
  },
  scene: {
    at: Object.fromEntries(SCENES.map((s) => [s.name, s.at])),
    dominant: Object.fromEntries(SCENES.map((s) => [s.name, s.dominant])),
    light: Object.fromEntries(SCENES.map((s) => [s.name, s.light])),
    name: Object.fromEntries(SCENES.map((s) => [s.name, s.name])),
  },
  expression: { adjective: Object.fromEntries(EXPRESSIONS.map((e) => [e.name, e.adjective])), name: Object.fromEntries(EXPRESSIONS.map((e) => [e.name, e.name])) },
  accessory: { accessory: Object.fromEntries(ACCESSORIES.map((a) => [a, accessoryNoun(a)])), name: Object.fromEntries(ACCESSORIES.map((a) => [a, a])) },
  outfitPattern: { pattern: Object.fromEntries(PATTERNS.map((p) => [p, patternAdj(p)])), name: Object.fromEntries(PATTERNS.map((p) => [p, p])) },
  hairColor: { name: Object.fromEntries([...names(HUMAN_HAIR), ...names(ANIME_HAIR), ...names(FUR)].map((c) => [c, c])) },
  eyeColor: { name: Object.fromEntries(names(EYES).map((c) => [c, c])) },
  outfitColor: { name: Object.fromEntries(names(OUTFIT).map((c) => [c, c])) },
  skinTone: { name: Object.fromEntries([...names(SKIN), 'fair'].map((c) => [c, c])) },
  body: { kind: KIND_PHRASE, name: Object.fromEntries(Object.keys(KIND_PHRASE).map((b) => [b, b])) },
  kind: { name: { human: 'human', anime: 'anime', animal: 'animal' } },
};

/** Lower-cased phrase → value, over every phrase family of an attribute. */
const LOOKUP: Record<string, Map<string, string>> = Object.fromEntries(
  Object.entries(PHRASES).map(([attr, fams]) => [attr, new Map(Object.values(fams).flatMap((m) => Object.entries(m).map(([v, p]) => [norm(p), v] as [string, string])))]),
);

function norm(s: string): string {
  return s.trim().toLowerCase().replace(/\s+/g, ' ').replace(/[.!]+$/, '');
}

const alt = (attr: string, fam: PhraseKind): string =>
  Object.values(PHRASES[attr][fam])
    .sort((a, b) => b.length - a.length)
    .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('|');

const OUTFIT_NOUN = '(?:outfit|uniform|vest)';

interface Template {
  id: string;
  form: 'yes_no' | 'ask'; // ask: choice when choices are given, else open
  attribute: Attribute;
  phrase: PhraseKind;
  re: RegExp; // groups: subject (optional), not (yes_no, optional), phrase (yes_no)
}

const T = (id: string, form: Template['form'], attribute: Attribute, phrase: PhraseKind, src: string): Template => ({ id, form, attribute, phrase, re: new RegExp(`^${src}\\?$`, 'i') });

/** Most specific first: "Is X's outfit striped?" before "Is X <place>?". */
const TEMPLATES: Template[] = [
  T('pattern-yn', 'yes_no', 'outfitPattern', 'pattern', `is (?<subject>.+?)'s ${OUTFIT_NOUN} (?<not>not )?(?<phrase>${alt('outfitPattern', 'pattern')})`),
  T('accessory-yn', 'yes_no', 'accessory', 'accessory', `is (?<subject>.+?) (?<not>not )?wearing (?<phrase>${alt('accessory', 'accessory')})`),
  T('prop-yn', 'yes_no', 'prop', 'holding', `is (?<subject>.+?) (?<not>not )?(?<phrase>${alt('prop', 'holding')})`),
  T('scene-yn', 'yes_no', 'scene', 'at', `is (?<subject>.+?) (?<not>not )?(?<phrase>${alt('scene', 'at')})`),
  T('body-yn', 'yes_no', 'body', 'kind', `is (?<subject>.+?) (?<not>not )?(?<phrase>${alt('body', 'kind')})`),
  T('expression-yn', 'yes_no', 'expression', 'adjective', `does (?<subject>.+?) (?<not>not )?look (?<phrase>${alt('expression', 'adjective')})`),
  T('hair-yn', 'yes_no', 'hairColor', 'name', `does (?<subject>.+?) (?<not>not )?have (?<phrase>${alt('hairColor', 'name')}) (?:hair|fur)`),
  T('eyes-yn', 'yes_no', 'eyeColor', 'name', `does (?<subject>.+?) (?<not>not )?have (?<phrase>${alt('eyeColor', 'name')}) eyes`),
  T('hair-ask', 'ask', 'hairColor', 'name', `what colou?r is (?<subject>.+?)'s (?:hair|fur)`),
  T('outfit-ask', 'ask', 'outfitColor', 'name', `what colou?r is (?<subject>.+?)'s ${OUTFIT_NOUN}`),
  T('eyes-ask', 'ask', 'eyeColor', 'name', `what colou?r are (?<subject>.+?)'s eyes`),
  T('prop-ask', 'ask', 'prop', 'noun', `what is (?<subject>.+?) holding`),
  T('activity-ask', 'ask', 'prop', 'activity', `what is (?<subject>.+?) doing(?: in the image)?`),
  T('scene-ask', 'ask', 'scene', 'at', `where is (?<subject>.+?)(?: in the image)?`),
  T('expression-ask', 'ask', 'expression', 'adjective', `what is (?<subject>.+?)'s facial expression(?: in the image)?`),
  T('animal-ask', 'ask', 'body', 'name', `what kind of animal is (?<subject>.+?)`),
  T('character-ask', 'ask', 'body', 'kind', `what kind of character is shown in the image`),
  T('accessory-ask', 'ask', 'accessory', 'accessory', `what accessory is (?<subject>.+?) wearing`),
  T('pattern-ask', 'ask', 'outfitPattern', 'pattern', `what pattern is on (?<subject>.+?)'s ${OUTFIT_NOUN}`),
  T('skin-ask', 'ask', 'skinTone', 'name', `what is (?<subject>.+?)'s skin tone`),
  T('background-ask', 'ask', 'scene', 'dominant', `what is the dominant colou?r of the background`),
  T('lighting-ask', 'ask', 'scene', 'light', `what is the lighting like in the image`),
];

/** The value a phrase names for an attribute (case-insensitive, any phrase family), or null. */
export function valueOfPhrase(attribute: Attribute, phrase: string): string | null {
  return LOOKUP[attribute]?.get(norm(phrase)) ?? null;
}

/** The phrase an open answer uses for a value (falls back to the value itself). */
export function phraseOf(attribute: Attribute, value: string, phrase: PhraseKind = 'name'): string {
  return PHRASES[attribute]?.[phrase]?.[value] ?? value;
}

/** Parse a question (text, or an entry with type and choices); null when not applicable. */
export function parseQuestion(input: string | VqaQuestionInput): ParsedQuestion | null {
  const q = typeof input === 'string' ? { question: input } : input;
  if (typeof q.question !== 'string') return null;
  const text = q.question.trim().replace(/\s+/g, ' ').replace(/^<image>\s*/i, '');
  const type = q.type ?? null;
  // the release's open-ended questions expect free text ("cozy coffee shop"): not ours to grade
  if (type === 'open_ended') return null;
  for (const t of TEMPLATES) {
    const m = t.re.exec(text);
    if (!m) continue;
    const g = m.groups ?? {};
    const subject = g.subject ?? null;
    if (t.form === 'yes_no') {
      if (type && type !== 'yes_no') return null;
      const value = valueOfPhrase(t.attribute, g.phrase);
      if (value === null) return null;
      return { form: 'yes_no', attribute: t.attribute, value, negated: Boolean(g.not), subject, template: t.id, phrase: t.phrase };
    }
    if (type === 'yes_no') return null;
    const given = q.choices ?? null;
    if (given && given.length > 0) {
      const choices = given.map((c) => ({ text: String(c), value: valueOfPhrase(t.attribute, String(c)) }));
      if (choices.some((c) => c.value === null)) return null; // a choice outside the label space
      return { form: 'choice', attribute: t.attribute, negated: false, choices: choices as Array<{ text: string; value: string }>, subject, template: t.id, phrase: t.phrase };
    }
    return { form: 'open', attribute: t.attribute, negated: false, subject, template: t.id, phrase: t.phrase };
  }
  return null;
}

/** The answer the labels imply: "yes"/"no", the matching choice's text, or the open phrase. */
export function answerFromLabels(p: ParsedQuestion, labels: Labels): string | null {
  const truth = labels[p.attribute];
  if (p.form === 'yes_no') return (truth === p.value) !== p.negated ? 'yes' : 'no';
  if (p.form === 'choice') return p.choices!.find((c) => c.value === truth)?.text ?? null;
  return phraseOf(p.attribute, truth, p.phrase);
}

/** Template ids, for coverage reports. */
export const TEMPLATE_IDS = TEMPLATES.map((t) => t.id);
