/**
 * What the judges classify: one head per labelled attribute of the synthetic world, each over a
 * closed label space read from the world's `index.json` (`labelSpaces`), so a judge is defined by
 * the corpus it was trained on and carries its class names in its saved config.
 *
 * `kind` is not a head of its own: it is a function of `body` (human, anime, or an animal
 * species), so P(kind) is the sum of the body probabilities.
 */
import type { SynthIndex } from '../../data/synth';
import { UserError } from '../../util/errors';

/** Attribute heads, in output order. */
export const HEADS = ['body', 'hairColor', 'hairStyle', 'eyeColor', 'skinTone', 'outfitColor', 'outfitPattern', 'accessory', 'expression', 'scene', 'prop'] as const;
export type Head = (typeof HEADS)[number];

/** Every attribute a question can ask about: the heads plus the derived `kind`. */
export const ATTRIBUTES = ['kind', ...HEADS] as const;
export type Attribute = (typeof ATTRIBUTES)[number];

/** The identity attributes (what stays fixed across one character's images). */
export const IDENTITY_ATTRIBUTES: readonly Attribute[] = ['kind', 'body', 'hairColor', 'hairStyle', 'eyeColor', 'skinTone', 'outfitColor', 'outfitPattern', 'accessory'];

/** Class names per head. */
export type LabelSpace = Record<Head, string[]>;

/** One image's labels: a value per attribute. */
export type Labels = Record<Attribute, string>;

const KINDS = ['human', 'anime', 'animal'] as const;
export type Kind = (typeof KINDS)[number];

/** human / anime / animal from a body value. */
export function kindOfBody(body: string): Kind {
  return body === 'human' || body === 'anime' ? body : 'animal';
}

const union = (lists: Record<string, readonly string[]>): string[] => [...new Set(Object.values(lists).flat())];

/** The label space of a synthetic world, as the judges index it (union over kinds where it is per kind). */
export function labelSpaceOf(ls: SynthIndex['labelSpaces']): LabelSpace {
  return {
    body: [...ls.bodies],
    hairColor: union(ls.hairColors),
    hairStyle: union(ls.hairStyles),
    eyeColor: union(ls.eyeColors),
    skinTone: union(ls.skinTones),
    outfitColor: [...ls.outfitColors],
    outfitPattern: [...ls.outfitPatterns],
    accessory: [...ls.accessories],
    expression: ls.expressions.map((e) => e.name),
    scene: ls.scenes.map((s) => s.name),
    prop: ls.props.map((p) => p.name),
  };
}

/** Number of classes per head and their offsets in the concatenated logits. */
export function headLayout(space: LabelSpace): { sizes: number[]; offsets: number[]; total: number } {
  const sizes = HEADS.map((h) => space[h].length);
  const offsets: number[] = [];
  let total = 0;
  for (const s of sizes) offsets.push(total), (total += s);
  return { sizes, offsets, total };
}

/**
 * Whether an attribute can be seen in an image with these labels: eye colour is hidden when the
 * character sleeps (closed eyes). The generator never asks about it then, and training masks it.
 */
export function observable(attr: Attribute, labels: Pick<Labels, 'expression'>): boolean {
  return !(attr === 'eyeColor' && labels.expression === 'sleepy');
}

/** Two label spaces must agree exactly for a judge to be applied to a dataset. */
export function checkSameSpace(judge: LabelSpace, data: LabelSpace, where: string): void {
  for (const h of HEADS) {
    const a = judge[h].join('|'), b = data[h].join('|');
    if (a !== b) throw new UserError(`${where}: labelSpaces.${h} differs from the judge's (judge: ${judge[h].join(', ')}; data: ${data[h].join(', ')})`);
  }
}
