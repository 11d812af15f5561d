/**
 * Per-image texts derived from the image's ground-truth labels: the visual QA pairs and MCQs
 * of `<P>_with_image.json` (and `_vqa.jsonl`), the thinking process, the generation
 * instruction and the t2i instruction. Every answer is what the drawing shows.
 */
import { Rng } from '../../util/rng';
import type { CharacterSpec } from './character';
import type { ImageLabel } from './plan';
import { EXPRESSIONS, OUTFIT, PROPS, SCENES, ANIME_HAIR, FUR, HUMAN_HAIR, expressionDef, propDef, sceneDef } from './vocab';
import { accessoryNoun, hairNoun, hairPhrase, kindNoun, lookPhrase, outfitNoun, outfitPhrase, patternAdj } from './describe';
import { traitSentence } from './profile';
import { emotionSnippet } from './labels';
import { traitDef } from './persona';

export interface QaPair {
  question: string;
  answer: string;
  type: 'objective' | 'subjective';
}

export interface ImageMcq {
  id: string;
  question: string;
  options: { A: string; B: string; C: string; D: string };
  answer_key: 'A' | 'B' | 'C' | 'D';
  difficulty: 'easy' | 'medium' | 'hard';
  rationale: string;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Objective QA first (most important first), then subjective; `objective`/`subjective` cap the counts. */
export function imageQaPairs(c: CharacterSpec, l: ImageLabel, line: string, objective: number, subjective: number): QaPair[] {
  const n = c.id;
  const id = c.identity;
  const ex = expressionDef(l.expression);
  const sc = sceneDef(l.scene);
  const pr = propDef(l.prop);
  const o = (question: string, answer: string): QaPair => ({ question, answer, type: 'objective' });
  const s = (question: string, answer: string): QaPair => ({ question, answer, type: 'subjective' });
  const eyes = l.expression === 'sleepy' ? `${n}'s eyes are closed in this image; when open they are ${id.eyeColor}.` : `${n} has ${id.eyeColor} eyes.`;
  const objectives = [
    o(`What is ${n}'s facial expression in the image?`, `${n} looks ${ex.adjective}, with ${ex.look}.`),
    o(`Where is ${n} in the image?`, `${n} is ${sc.at}: ${sc.look}.`),
    o(`What is ${n} doing in the image?`, `${n} is ${pr.activity}.`),
    o(`What colour is ${n}'s ${hairNoun(id)}?`, `${n} has ${hairPhrase(id)}.`),
    o(`What is ${n} wearing?`, `${n} is wearing ${outfitPhrase(id)}.`),
    o(`What accessory is ${n} wearing?`, `${n} is wearing ${accessoryNoun(id.accessory)}.`),
    o(`What is ${n} holding?`, `${n} is holding ${pr.look}.`),
    o(`What colour are ${n}'s eyes?`, eyes),
    o(`What kind of character is shown in the image?`, `${n} is ${kindNoun(id)}, drawn in a flat vector style.`),
    o(`What is the dominant colour of the background?`, `The background is mostly ${sc.dominant}.`),
    o(`What is the lighting like in the image?`, `The scene has ${sc.light}.`),
    o(`What pattern is on ${n}'s ${outfitNoun(id)}?`, id.outfitPattern === 'plain' ? `The ${outfitNoun(id)} is plain, with no pattern.` : `The ${outfitNoun(id)} is ${patternAdj(id.outfitPattern)}.`),
    o(`Is ${n} facing the viewer?`, `Yes, ${n} faces the viewer directly in a centred, full-body view.`),
    ...(id.kind === 'human' ? [o(`What is ${n}'s skin tone?`, `${n} has ${id.skinTone} skin.`)] : []),
  ];
  const t = c.persona.traits[0];
  const subjectives = [
    s(`How does ${n} seem to feel in this moment?`, `${n} seems ${ex.adjective}: the drawing shows ${ex.look}, matching the words "${emotionSnippet(line)}".`),
    s(`How does this scene reflect ${n}'s personality?`, `${n} is ${t}. ${traitSentence(c, t)} Being ${sc.at} gives that side of ${n} room to show.`),
    s(`Based on the image and dialogue, what might ${n} do next?`, `${n} will probably keep ${pr.activity} ${sc.at} for a while, then perhaps ${traitDef(c.persona.traits[1]).advice}.`),
    s(`Why might ${n} have ${pr.noun} here?`, `Because ${n} is ${pr.activity} ${sc.at}, and ${pr.noun.replace(/^(a|an) /, 'the ')} suits that moment.`),
  ];
  return [...objectives.slice(0, objective), ...subjectives.slice(0, subjective)];
}

const KEYS = ['A', 'B', 'C', 'D'] as const;

function options(rng: Rng, answer: string, pool: readonly string[]): { options: ImageMcq['options']; key: ImageMcq['answer_key'] } {
  const opts = rng.sample(pool.filter((x) => x !== answer), 3);
  const k = rng.int(0, 3);
  opts.splice(k, 0, answer);
  return { options: { A: cap(opts[0]), B: cap(opts[1]), C: cap(opts[2]), D: cap(opts[3]) }, key: KEYS[k] };
}

export function imageMcqs(c: CharacterSpec, l: ImageLabel, rng: Rng, count: number): ImageMcq[] {
  const n = c.id;
  const id = c.identity;
  const hairPool = (id.kind === 'human' ? HUMAN_HAIR : id.kind === 'anime' ? ANIME_HAIR : FUR).map((x) => x.name);
  const specs: Array<[string, string, readonly string[], ImageMcq['difficulty'], string]> = [
    [`What is ${n}'s facial expression?`, expressionDef(l.expression).adjective, EXPRESSIONS.map((e) => e.adjective), 'easy', `The drawing shows ${expressionDef(l.expression).look}.`],
    [`Where is ${n}?`, sceneDef(l.scene).at, SCENES.map((x) => x.at), 'easy', `The background shows ${sceneDef(l.scene).look}.`],
    [`What is ${n} holding?`, propDef(l.prop).noun, PROPS.map((p) => p.noun), 'easy', `${n}'s hand holds ${propDef(l.prop).look}.`],
    [`What colour is ${n}'s ${hairNoun(id)}?`, id.hairColor, hairPool, 'medium', `The ${hairNoun(id)} is clearly ${id.hairColor}.`],
    [`What colour is ${n}'s ${outfitNoun(id)}?`, id.outfitColor, OUTFIT.map((x) => x.name), 'medium', `The ${outfitNoun(id)} is ${id.outfitColor}.`],
  ];
  return specs.slice(0, count).map(([question, answer, pool, difficulty, why], i) => {
    const { options: opts, key } = options(rng, answer, pool);
    return { id: `q${i + 1}`, question, options: opts, answer_key: key, difficulty, rationale: `${why} So the answer is ${key}.` };
  });
}

export function thinkingProcess(c: CharacterSpec, l: ImageLabel): string {
  const n = c.id;
  const ex = expressionDef(l.expression);
  const sc = sceneDef(l.scene);
  const pr = propDef(l.prop);
  return [
    `${n}'s response says ${n} feels ${ex.adjective}, so the face shows ${ex.look}.`,
    `${n} is ${sc.at}, so the background is ${sc.look}, with ${sc.light}.`,
    `${n} is ${pr.activity}, so ${pr.look} is in ${n}'s hand.`,
    `To keep ${n} recognisable, the drawing keeps ${n}'s identity: ${kindNoun(c.identity)} with ${lookPhrase(c.identity)}.`,
    'The composition is a centred, front-facing, full-body view in a flat vector style.',
  ].join(' ');
}

export function generationInstruction(c: CharacterSpec, l: ImageLabel): string {
  const ex = expressionDef(l.expression);
  return `${c.id}, ${kindNoun(c.identity)} with ${lookPhrase(c.identity)}, ${ex.adjective} expression, ${propDef(l.prop).activity}, ${sceneDef(l.scene).at}, centred front-facing full-body view, flat vector illustration.`;
}

/** The short prompt of `<P>_t2i_instruction.json` and `_pure_t2i.jsonl`. */
export function t2iInstruction(c: CharacterSpec, l: ImageLabel): string {
  const id = c.identity;
  return `${c.id} ${propDef(l.prop).activity} ${sceneDef(l.scene).at}, looking ${expressionDef(l.expression).adjective}, ${hairPhrase(id)}, ${id.eyeColor} eyes, wearing ${outfitPhrase(id)} and ${accessoryNoun(id.accessory)}, flat vector style`;
}
