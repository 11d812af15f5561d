/**
 * Profile texts: `<P>_full_profile.txt` (markdown like the real ones), the simplified
 * personality profile, and the one-paragraph `description` heading every JSON file.
 * The facts are kept as (label, value, evidence) so knowledge QA can quote them verbatim.
 */
import type { CharacterSpec } from './character';
import { pronouns, traitDef } from './persona';
import { expandSelf, Speaker } from './style';
import { accessoryNoun, article, hairPhrase, outfitPhrase } from './describe';

export interface ProfileFact {
  readonly key: string;
  readonly label: string;
  readonly value: string;
  /** The literal profile text that states the fact (markdown stripped). */
  readonly evidence: string;
}

/** The character as narrated in the third person (profiles are written about, not by, it). */
export function narrator(c: CharacterSpec): Speaker {
  return { name: c.id, pronouns: pronouns(c.persona.pronoun), voice: { ...c.voice, selfReference: 'third' } };
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** "Pip asks questions about absolutely everything." */
export function traitSentence(c: CharacterSpec, trait: string): string {
  return cap(expandSelf(traitDef(trait).behaviour, narrator(c))) + '.';
}

export function personalFacts(c: CharacterSpec): ProfileFact[] {
  const p = c.persona;
  const id = c.identity;
  const f = (key: string, label: string, value: string): ProfileFact => ({ key, label, value, evidence: `${label}: ${value}` });
  const facts = [
    f('fullName', 'Full Name', p.fullName),
    f('kind', 'Kind', id.kind === 'animal' ? `animal (${id.body})` : id.kind === 'anime' ? 'anime-style character' : 'human'),
    f('birthday', 'Birthday', p.birthday),
    f('hometown', 'Hometown', `${p.hometown}, known for ${p.hometownFeature}`),
    f('occupation', 'Occupation', `${p.occupation} at ${p.workplace}`),
    ...p.family.map((r, i) => f(`family${i}`, 'Family', `${article(r.relation)} named ${r.name}, ${r.detail}`)),
    f('bestFriend', 'Best Friend', `${p.bestFriend.name}, ${p.bestFriend.detail}`),
    f('signatureItem', 'Signature Item', `${p.signatureItem} (${p.itemOrigin})`),
    f('favoriteFood', 'Favourite Food', p.favoriteFood),
    f('favoriteColor', 'Favourite Colour', p.favoriteColor),
    f('skill', 'Special Skill', p.skill),
    f('dream', 'Dream', p.dream),
  ];
  return facts;
}

export function appearanceFacts(c: CharacterSpec): ProfileFact[] {
  const id = c.identity;
  const f = (key: string, label: string, value: string): ProfileFact => ({ key, label, value, evidence: `${label}: ${value}` });
  return [
    f('hair', id.kind === 'animal' ? 'Fur' : 'Hair', hairPhrase(id)),
    f('eyes', 'Eyes', `${id.eyeColor}`),
    ...(id.kind === 'human' ? [f('skin', 'Skin', id.skinTone)] : []),
    f('outfit', 'Outfit', outfitPhrase(id)),
    f('accessory', 'Accessory', accessoryNoun(id.accessory)),
  ];
}

export function preferenceFacts(c: CharacterSpec): ProfileFact[] {
  const p = c.persona;
  const f = (key: string, label: string, value: string): ProfileFact => ({ key, label, value, evidence: `${label}: ${value}` });
  return [f('likes', 'Likes', p.likes.join(', ')), f('dislikes', 'Dislikes', p.dislikes.join(', ')), f('fears', 'Fears', p.fears.join(', '))];
}

/** Sentences about the voice; each is quotable evidence for a "linguistic habit" question. */
export function habitSentences(c: CharacterSpec): Record<string, string> {
  const v = c.voice;
  const n = c.id;
  const pr = pronouns(c.persona.pronoun);
  const ticText = v.tic.replace(/^[,\s]+|[,\s]+$/g, '');
  const tic =
    v.ticKind === 'suffix' ? `${n} tends to end sentences with "${ticText}".` : v.ticKind === 'opener' ? `${n} likes to open with "${ticText}".` : `${n} sprinkles "${ticText}" into the middle of sentences.`;
  const formality = { formal: `${n} speaks formally and avoids contractions.`, neutral: `${n} speaks in a plain, everyday register.`, casual: `${n} speaks casually, full of contractions and slang.` }[v.formality];
  const length = { short: `${n} keeps sentences short and punchy.`, medium: `${n} uses sentences of a comfortable, medium length.`, long: `${n} speaks in long, winding sentences.` }[v.sentenceLength];
  const punct = {
    exclaim: `${n} uses a lot of exclamation marks.`,
    ellipsis: `${n} often trails off with an ellipsis.`,
    plain: `${n} punctuates plainly, ending sentences with full stops.`,
    question: `${n} often turns statements into questions to seek agreement.`,
  }[v.punctuation];
  return {
    catchphrase: `${n}'s catchphrase is "${v.catchphrase}"`,
    tic,
    formality,
    length,
    punctuation: punct,
    emoji: v.emoji.length > 0 ? `${n} likes to add emoji such as ${v.emoji.join(' ')}.` : `${n} never uses emoji.`,
    selfReference: v.selfReference === 'third' ? `${n} refers to ${pr.obj === 'them' ? 'themself' : pr.obj + 'self'} in the third person.` : `${n} speaks of ${pr.obj === 'them' ? 'themself' : pr.obj + 'self'} in the first person.`,
    address: `${n} calls the user "${v.addressTerm}".`,
    casing: v.casing === 'lower' ? `${n} writes everything in lower case.` : `${n} writes with ordinary capitalisation.`,
  };
}

/** The paragraph that heads every JSON file and fills "Character Description:" prompts. */
export function description(c: CharacterSpec): string {
  const p = c.persona;
  const [t1, t2] = p.traits;
  const who =
    c.kind === 'animal'
      ? `${c.id} is a ${t1} and ${t2} ${c.identity.hairColor} ${c.identity.body} who serves as ${article(p.occupation)} at ${p.workplace}.`
      : `${c.id} is a ${t1} and ${t2} ${p.occupation} from ${p.hometown}${c.kind === 'anime' ? ', drawn in anime style' : ''}.`;
  const habits = habitSentences(c);
  return [
    who,
    traitSentence(c, p.traits[2]),
    `${c.id} loves ${p.likes[0]} and never goes anywhere without ${p.signatureItem}.`,
    `${habits.catchphrase}.`,
    habits.selfReference,
  ].join(' ');
}

const bullets = (facts: ProfileFact[]): string => facts.map((f) => `*   **${f.label}:** ${f.value}`).join('\n');

export function fullProfile(c: CharacterSpec): string {
  const p = c.persona;
  const h = habitSentences(c);
  const traits = p.traits.map((t) => traitSentence(c, t)).join(' ');
  return [
    `### **Character Profile: ${c.id}**`,
    '',
    '**Personal Details:**',
    '',
    bullets(personalFacts(c)),
    '',
    '**Appearance:**',
    '',
    bullets(appearanceFacts(c)),
    '',
    '**Personality Traits:**',
    '',
    `${c.id} is ${p.traits.slice(0, -1).join(', ')} and ${p.traits[p.traits.length - 1]}. ${traits}`,
    '',
    '**Preferences:**',
    '',
    bullets(preferenceFacts(c)),
    '',
    '**Linguistic Habits:**',
    '',
    [`${h.catchphrase}.`, h.tic, h.formality, h.length, h.punctuation, h.emoji, h.selfReference, h.address, h.casing].join(' '),
    '',
  ].join('\n');
}

export function simplifiedProfile(c: CharacterSpec): string {
  const p = c.persona;
  const h = habitSentences(c);
  return [
    '**Personality:**',
    ...p.traits.map((t) => `- ${cap(t)}: ${traitSentence(c, t)}`),
    `- ${h.selfReference}`,
    `- ${h.catchphrase}.`,
    '',
    '**Preferences:**',
    ...p.likes.map((l) => `- Enjoys ${l}.`),
    ...p.dislikes.map((d) => `- Dislikes ${d}.`),
    ...p.fears.map((f) => `- Is afraid of ${f}.`),
    `- Favourite food: ${p.favoriteFood}.`,
    '',
  ].join('\n');
}
