/**
 * GRPO prompts (`grpo/<P>/<P>_pure_t2i*.jsonl`): a short text-to-image prompt per label
 * combination plus 5-15 weighted VQA questions whose answers follow from the prompt and the
 * character's identity. Negated questions (is_negative, answer "no") punish drawing the wrong
 * prop, place, mood or look, as in the real files.
 */
import { Rng } from '../../util/rng';
import type { CharacterSpec } from './character';
import type { ImageLabel } from './plan';
import { ACCESSORIES, ANIME_HAIR, EXPRESSIONS, FUR, HUMAN_HAIR, OUTFIT, PROPS, SCENES, SPECIES, expressionDef, propDef, sceneDef } from './vocab';
import { accessoryNoun, hairNoun, outfitNoun, patternAdj } from './describe';

export interface VqaQuestion {
  question: string;
  type: 'yes_no' | 'multiple_choice';
  category: 'action' | 'scene' | 'expression' | 'character_attributes';
  answer: string;
  choices?: string[];
  weight: number;
  is_negative: boolean;
}

export interface GrpoPrompt {
  text: string;
  vqa: VqaQuestion[];
}

const TEMPLATES = ['A photo of {P} {act} {at}, looking {adj}', 'A picture of {P} {act} {at}, looking {adj}', 'An illustration of {P} {act} {at} with a {adj} face'];

function fill(template: string, id: string, l: ImageLabel): string {
  return template.replace('{P}', id).replace('{act}', propDef(l.prop).activity).replace('{at}', sceneDef(l.scene).at).replace('{adj}', expressionDef(l.expression).adjective);
}

export function grpoText(c: CharacterSpec, l: ImageLabel, rng: Rng): string {
  return fill(rng.pick(TEMPLATES), c.id, l);
}

/** The prompt in every template: what a user asks for, by name only (no look spelled out). */
export function nameOnlyPrompts(id: string, l: ImageLabel): string[] {
  return TEMPLATES.map((t) => fill(t, id, l));
}

function yesNo(question: string, category: VqaQuestion['category'], yes: boolean, weight: number): VqaQuestion {
  return { question, type: 'yes_no', category, answer: yes ? 'yes' : 'no', weight, is_negative: !yes };
}

function choice(rng: Rng, question: string, category: VqaQuestion['category'], answer: string, pool: readonly string[], weight: number): VqaQuestion {
  const choices = rng.shuffle([answer, ...rng.sample(pool.filter((x) => x !== answer), 3)]);
  return { question, type: 'multiple_choice', category, answer, choices, weight, is_negative: false };
}

/** `count` questions (clamped to 5..15): always one per category, one negative, one multiple choice. */
export function grpoQuestions(c: CharacterSpec, l: ImageLabel, rng: Rng, count: number): VqaQuestion[] {
  const P = c.id;
  const id = c.identity;
  const pr = propDef(l.prop);
  const sc = sceneDef(l.scene);
  const ex = expressionDef(l.expression);
  const hair = hairNoun(id);
  const hairPool = (id.kind === 'human' ? HUMAN_HAIR : id.kind === 'anime' ? ANIME_HAIR : FUR).map((x) => x.name);
  const otherProp = rng.pick(PROPS.filter((p) => p.name !== pr.name));
  const otherScene = rng.pick(SCENES.filter((s) => s.name !== sc.name));
  const otherExpr = rng.pick(EXPRESSIONS.filter((e) => e.name !== ex.name));
  const otherHair = rng.pick(hairPool.filter((h) => h !== id.hairColor));
  const otherAcc = rng.pick(ACCESSORIES.filter((a) => a !== id.accessory));

  const must = [
    yesNo(`Is ${P} ${pr.holding}?`, 'action', true, 1.0),
    yesNo(`Is ${P} ${sc.at}?`, 'scene', true, 1.0),
    yesNo(`Does ${P} look ${ex.adjective}?`, 'expression', true, 0.9),
    choice(rng, `What colour is ${P}'s ${hair}?`, 'character_attributes', id.hairColor, hairPool, 1.0),
    rng.pick([yesNo(`Is ${P} ${otherProp.holding}?`, 'action', false, 0.8), yesNo(`Is ${P} not ${pr.holding}?`, 'action', false, 0.8)]),
  ];
  const extra = [
    choice(rng, `What is ${P} holding?`, 'action', pr.noun, PROPS.map((p) => p.noun), 1.0),
    choice(rng, `Where is ${P}?`, 'scene', sc.at, SCENES.map((s) => s.at), 0.9),
    choice(rng, `What is ${P}'s facial expression?`, 'expression', ex.adjective, EXPRESSIONS.map((e) => e.adjective), 0.8),
    choice(rng, `What colour is ${P}'s ${outfitNoun(id)}?`, 'character_attributes', id.outfitColor, OUTFIT.map((o) => o.name), 0.8),
    yesNo(`Is ${P} wearing ${accessoryNoun(id.accessory)}?`, 'character_attributes', true, 0.9),
    yesNo(`Is ${P} ${otherScene.at}?`, 'scene', false, 0.7),
    yesNo(`Does ${P} look ${otherExpr.adjective}?`, 'expression', false, 0.6),
    yesNo(`Does ${P} have ${otherHair} ${hair}?`, 'character_attributes', false, 0.7),
    yesNo(`Is ${P} wearing ${accessoryNoun(otherAcc)}?`, 'character_attributes', false, 0.6),
    yesNo(`Is ${P} not ${sc.at}?`, 'scene', false, 0.5),
    ...(l.expression === 'sleepy' ? [] : [yesNo(`Does ${P} have ${id.eyeColor} eyes?`, 'character_attributes', true, 0.6)]),
    ...(id.outfitPattern === 'plain' ? [] : [yesNo(`Is ${P}'s ${outfitNoun(id)} ${patternAdj(id.outfitPattern)}?`, 'character_attributes', true, 0.6)]),
    ...(id.kind === 'animal' ? [choice(rng, `What kind of animal is ${P}?`, 'character_attributes', id.body, SPECIES, 1.0)] : []),
  ];
  const n = Math.max(5, Math.min(15, count));
  return [...must, ...rng.shuffle(extra)].slice(0, n);
}
