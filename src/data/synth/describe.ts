/** Short English phrases for identity attributes, shared by profiles, prompts and QA. */
import type { Identity } from './character';

export function article(noun: string): string {
  return /^[aeiou]/i.test(noun) ? `an ${noun}` : `a ${noun}`;
}

const PATTERN_ADJ: Record<string, string> = { plain: 'plain', stripes: 'striped', dots: 'polka-dot', checks: 'checked' };
const PLURAL_ACCESSORIES = new Set(['glasses', 'headphones']);

export function patternAdj(pattern: string): string {
  return PATTERN_ADJ[pattern] ?? pattern;
}

/** "glasses", "a top hat". */
export function accessoryNoun(accessory: string): string {
  return PLURAL_ACCESSORIES.has(accessory) ? accessory : article(accessory);
}

/** What the character wears on its torso: outfit, school uniform, or a vest for animals. */
export function outfitNoun(id: Identity): string {
  return id.kind === 'animal' ? 'vest' : id.kind === 'anime' ? 'uniform' : 'outfit';
}

/** 'hair' or 'fur'. */
export function hairNoun(id: Identity): string {
  return id.kind === 'animal' ? 'fur' : 'hair';
}

/** "a human", "an anime-style character", "a cat". */
export function kindNoun(id: Identity): string {
  if (id.kind === 'human') return 'a person';
  if (id.kind === 'anime') return 'an anime-style character';
  return article(id.body);
}

/** "a red striped outfit" */
export function outfitPhrase(id: Identity): string {
  return article(`${id.outfitColor} ${id.outfitPattern === 'plain' ? '' : patternAdj(id.outfitPattern) + ' '}${outfitNoun(id)}`);
}

/** "auburn curly hair" / "orange fur with spots". */
export function hairPhrase(id: Identity): string {
  if (id.kind === 'animal') return id.hairStyle === 'plain coat' ? `${id.hairColor} fur` : `${id.hairColor} fur with ${id.hairStyle === 'eye patch' ? 'an eye patch' : id.hairStyle}`;
  return `${id.hairColor} ${id.hairStyle} hair`;
}

/** The full look in one phrase, for generation instructions and profiles. */
export function lookPhrase(id: Identity): string {
  const skin = id.kind === 'human' ? `, ${id.skinTone} skin` : '';
  return `${hairPhrase(id)}, ${id.eyeColor} eyes${skin}, ${outfitPhrase(id)} and ${accessoryNoun(id.accessory)}`;
}
