/**
 * Persona facts -> knowledge QA (`<P>_knowledge_qa.json`), knowledge MCQ
 * (`<P>_knowledge_qa_test.json`), memorization and personality test questions.
 * Every answer is read off the persona, and every evidence string is literal profile text.
 */
import { Rng } from '../../util/rng';
import type { CharacterSpec } from './character';
import { FACT_POOLS, pronouns, traitDef } from './persona';
import { appearanceFacts, habitSentences, personalFacts, preferenceFacts, traitSentence, ProfileFact } from './profile';
import { sampleCatchphrase } from './style';
import { ANIME_HAIR, FUR, HUMAN_HAIR } from './vocab';
import type { Exchange } from './dialogue';
import { emotionSnippet } from './labels';

export type Difficulty = 'easy' | 'medium' | 'hard';

export interface QaItem {
  id: string;
  question: string;
  answer: string;
  evidence: string;
  type: string;
  difficulty: Difficulty;
  reasoning_steps: string[];
  confidence: number;
}

export interface McqItem {
  id: string;
  question: string;
  options: { A: string; B: string; C: string; D: string };
  answer_key: 'A' | 'B' | 'C' | 'D';
  difficulty: Difficulty;
  evidence: string;
  rationale: string;
}

/** One fact, asked several ways: variant i of every seed is used before variant i+1 of any. */
interface QaSeed {
  readonly variants: ReadonlyArray<readonly [question: string, answer: string]>;
  readonly evidence: string;
  readonly type: string;
  readonly difficulty: Difficulty;
  readonly inferred?: boolean;
}

const noArticle = (s: string): string => s.replace(/^(a|an|the) /, '');
const listText = (xs: readonly string[]): string => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function factMap(c: CharacterSpec): Record<string, ProfileFact> {
  return Object.fromEntries([...personalFacts(c), ...appearanceFacts(c), ...preferenceFacts(c)].map((f) => [f.key, f]));
}

function qaSeeds(c: CharacterSpec): QaSeed[] {
  const n = c.id;
  const p = c.persona;
  const id = c.identity;
  const f = factMap(c);
  const h = habitSentences(c);
  const pr = pronouns(p.pronoun);
  const hair = id.kind === 'animal' ? 'fur' : 'hair';
  const seeds: QaSeed[] = [
    { variants: [[`What is ${n}'s full name?`, p.fullName], [`What is ${n}'s complete name?`, p.fullName], [`How would ${n}'s full name appear on an official document?`, p.fullName]], evidence: f.fullName.evidence, type: 'fact', difficulty: 'easy' },
    { variants: [[`What kind of character is ${n}?`, f.kind.value], [`Is ${n} a human, an animal or an anime-style character?`, f.kind.value], [`Is ${n} an ordinary human?`, id.kind === 'human' ? 'Yes' : `No, ${n} is ${f.kind.value === 'anime-style character' ? 'an anime-style character' : `an animal (${id.body})`}`]], evidence: f.kind.evidence, type: 'fact', difficulty: 'easy' },
    { variants: [[`When is ${n}'s birthday?`, p.birthday], [`On what date was ${n} born?`, p.birthday], [`What date does ${n} celebrate a birthday?`, p.birthday]], evidence: f.birthday.evidence, type: 'fact', difficulty: 'easy' },
    { variants: [[`In which month was ${n} born?`, p.birthMonth], [`Which month is ${n}'s birthday in?`, p.birthMonth]], evidence: f.birthday.evidence, type: 'fact', difficulty: 'medium' },
    { variants: [[`Where is ${n}'s hometown?`, p.hometown], [`Where did ${n} grow up?`, p.hometown], [`Which town does ${n} come from?`, p.hometown]], evidence: f.hometown.evidence, type: 'location', difficulty: 'easy' },
    { variants: [[`What is ${n}'s hometown known for?`, p.hometownFeature], [`What is ${p.hometown} famous for?`, p.hometownFeature]], evidence: f.hometown.evidence, type: 'fact', difficulty: 'medium' },
    { variants: [[`What is ${n}'s occupation?`, p.occupation], [`What does ${n} do for a living?`, p.occupation], [`What is ${n}'s job?`, p.occupation]], evidence: f.occupation.evidence, type: 'role', difficulty: 'easy' },
    { variants: [[`Where does ${n} work?`, p.workplace], [`Where would you find ${n} on a working day?`, p.workplace]], evidence: f.occupation.evidence, type: 'fact', difficulty: 'medium' },
    ...p.family.map((r, i): QaSeed => ({
      variants: [[`What is the name of ${n}'s ${r.relation}?`, r.name], [`Who is ${r.name} to ${n}?`, `${cap(pr.poss)} ${r.relation}`], [`What is ${n}'s ${r.relation} known for?`, r.detail.replace(/^who /, '')]],
      evidence: f[`family${i}`].evidence, type: 'relationship', difficulty: i === 0 ? 'easy' : 'medium',
    })),
    { variants: [[`Who is ${n}'s best friend?`, p.bestFriend.name], [`What is special about ${p.bestFriend.name}?`, cap(p.bestFriend.detail.replace(/^who /, ''))], [`Whom does ${n} trust the most?`, p.bestFriend.name]], evidence: f.bestFriend.evidence, type: 'relationship', difficulty: 'easy' },
    { variants: [[`What is ${n}'s signature item?`, p.signatureItem], [`What does ${n} never go anywhere without?`, p.signatureItem], [`What object is ${n} always carrying?`, p.signatureItem]], evidence: f.signatureItem.evidence, type: 'fact', difficulty: 'easy' },
    { variants: [[`Where did ${n}'s ${noArticle(p.signatureItem)} come from?`, cap(p.itemOrigin)], [`How did ${n} get ${pr.poss} ${noArticle(p.signatureItem)}?`, cap(p.itemOrigin)]], evidence: f.signatureItem.evidence, type: 'fact', difficulty: 'medium' },
    { variants: [[`What is ${n}'s favourite food?`, p.favoriteFood], [`Which dish does ${n} love most?`, p.favoriteFood], [`What food should you never take from ${n}?`, p.favoriteFood]], evidence: f.favoriteFood.evidence, type: 'preference', difficulty: 'easy' },
    { variants: [[`What is ${n}'s favourite colour?`, p.favoriteColor], [`Which colour does ${n} like best?`, p.favoriteColor], [`If ${n} painted a room, which colour would it be?`, p.favoriteColor]], evidence: f.favoriteColor.evidence, type: 'preference', difficulty: 'easy' },
    { variants: [[`What special skill does ${n} have?`, p.skill], [`What is ${n} particularly good at?`, p.skill], [`What could ${n} teach you in an afternoon?`, p.skill]], evidence: f.skill.evidence, type: 'capability', difficulty: 'easy' },
    { variants: [[`What is ${n}'s dream?`, cap(p.dream)], [`What does ${n} hope to achieve someday?`, cap(p.dream)], [`What is ${n} working toward?`, cap(p.dream)]], evidence: f.dream.evidence, type: 'fact', difficulty: 'medium' },
    { variants: [[`Name the three things ${n} likes.`, listText(p.likes)], [`What does ${n} enjoy?`, listText(p.likes)]], evidence: f.likes.evidence, type: 'list', difficulty: 'medium' },
    ...p.likes.map((l): QaSeed => ({ variants: [[`Does ${n} enjoy ${l}?`, 'Yes'], [`Is ${l} one of ${n}'s favourite things?`, 'Yes']], evidence: f.likes.evidence, type: 'preference', difficulty: 'easy' })),
    { variants: [[`What does ${n} dislike?`, listText(p.dislikes)], [`Does ${n} enjoy ${p.dislikes[0]}?`, 'No'], [`Which of ${n}'s dislikes is ${p.dislikes[1]}?`, `${cap(p.dislikes[1])} is one of ${n}'s dislikes`]], evidence: f.dislikes.evidence, type: 'preference', difficulty: 'easy' },
    { variants: [[`What is ${n} afraid of?`, listText(p.fears)], [`Is ${n} afraid of ${p.fears[0]}?`, 'Yes'], [`Is ${n} afraid of ${p.fears[1]}?`, 'Yes']], evidence: f.fears.evidence, type: 'limitation', difficulty: 'easy' },
    ...p.traits.map((t): QaSeed => ({
      variants: [[`Would you describe ${n} as ${t}?`, 'Yes'], [`What does ${n} do that shows ${pr.subj} ${pr.be} ${t}?`, traitSentence(c, t)], [`Which personality trait does this describe: "${traitSentence(c, t)}"`, cap(t)]],
      evidence: traitSentence(c, t), type: 'trait', difficulty: 'medium',
    })),
    { variants: [[`What is ${n}'s catchphrase?`, c.voice.catchphrase], [`What does ${n} often say?`, c.voice.catchphrase], [`Which phrase is ${n} known for?`, c.voice.catchphrase]], evidence: h.catchphrase, type: 'linguistic habit', difficulty: 'easy' },
    { variants: [[`What verbal tic does ${n} have?`, h.tic], [`How can you recognise ${n}'s sentences?`, h.tic]], evidence: h.tic, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`Does ${n} speak about ${pr.obj === 'them' ? 'themself' : pr.obj + 'self'} in the third person?`, c.voice.selfReference === 'third' ? 'Yes' : 'No'], [`How does ${n} refer to ${pr.obj === 'them' ? 'themself' : pr.obj + 'self'}?`, h.selfReference]], evidence: h.selfReference, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`What does ${n} call the user?`, `"${c.voice.addressTerm}"`], [`How does ${n} address the people ${pr.subj} ${pr.subj === 'they' ? 'talk' : 'talks'} to?`, `As "${c.voice.addressTerm}"`]], evidence: h.address, type: 'linguistic habit', difficulty: 'easy' },
    { variants: [[`How formal is ${n}'s speech?`, h.formality], [`Does ${n} speak formally or casually?`, h.formality]], evidence: h.formality, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`Does ${n} use emoji?`, c.voice.emoji.length > 0 ? `Yes, such as ${c.voice.emoji.join(' ')}` : 'No']], evidence: h.emoji, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`How does ${n} punctuate?`, h.punctuation]], evidence: h.punctuation, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`How long are ${n}'s sentences?`, h.length]], evidence: h.length, type: 'linguistic habit', difficulty: 'medium' },
    { variants: [[`What colour is ${n}'s ${hair}?`, id.hairColor], [`Describe ${n}'s ${hair}.`, f.hair.value]], evidence: f.hair.evidence, type: 'appearance', difficulty: 'easy' },
    { variants: [[`What colour are ${n}'s eyes?`, id.eyeColor], [`Does ${n} have ${id.eyeColor} eyes?`, 'Yes']], evidence: f.eyes.evidence, type: 'appearance', difficulty: 'easy' },
    { variants: [[`What does ${n} usually wear?`, f.outfit.value], [`What colour is ${n}'s ${id.kind === 'animal' ? 'vest' : id.kind === 'anime' ? 'uniform' : 'outfit'}?`, id.outfitColor], [`What pattern does ${n}'s clothing have?`, id.outfitPattern]], evidence: f.outfit.evidence, type: 'appearance', difficulty: 'easy' },
    { variants: [[`What accessory does ${n} wear?`, f.accessory.value], [`Which accessory makes ${n} easy to spot?`, f.accessory.value], [`Does ${n} wear ${f.accessory.value}?`, 'Yes']], evidence: f.accessory.evidence, type: 'appearance', difficulty: 'easy' },
    { variants: [[`If you wanted to cheer ${n} up with food, what should you bring?`, p.favoriteFood], [`What would make a good birthday treat for ${n}?`, p.favoriteFood]], evidence: f.favoriteFood.evidence, type: 'inference', difficulty: 'medium', inferred: true },
    { variants: [[`Would ${n} enjoy an afternoon surrounded by ${p.fears[0]}?`, `No, ${n} is afraid of ${p.fears[0]}`], [`Why might ${n} avoid ${p.fears[1]}?`, `Because ${n} is afraid of ${p.fears[1]}`]], evidence: f.fears.evidence, type: 'inference', difficulty: 'hard', inferred: true },
    { variants: [[`Which would ${n} rather have: ${p.likes[0]} or ${p.dislikes[0]}?`, cap(p.likes[0])], [`Which would ${n} pick: ${p.dislikes[1]} or ${p.likes[1]}?`, cap(p.likes[1])]], evidence: `${f.likes.evidence}; ${f.dislikes.evidence}`, type: 'comparison', difficulty: 'medium', inferred: true },
    { variants: [[`Where would you celebrate ${n}'s birthday to surprise ${pr.obj} with home memories?`, `In ${p.hometown}`], [`Which month should you plan ${n}'s party for?`, p.birthMonth]], evidence: `${f.birthday.evidence}; ${f.hometown.evidence}`, type: 'reasoning', difficulty: 'hard', inferred: true },
  ];
  if (id.kind === 'animal') seeds.splice(2, 0, { variants: [[`What species is ${n}?`, id.body], [`What kind of animal is ${n}?`, id.body]], evidence: f.kind.evidence, type: 'fact', difficulty: 'easy' });
  if (id.kind === 'human') seeds.push({ variants: [[`What is ${n}'s skin tone?`, id.skinTone]], evidence: f.skin.evidence, type: 'appearance', difficulty: 'easy' });
  return seeds;
}

/** Exactly `count` QA items (100 for evaluation characters), covering every fact first. */
export function knowledgeQa(c: CharacterSpec, count: number): QaItem[] {
  const seeds = qaSeeds(c);
  const out: QaItem[] = [];
  const seen = new Set<string>();
  for (let round = 0; out.length < count; round++) {
    let added = 0;
    for (const s of seeds) {
      if (out.length >= count || round >= s.variants.length) continue;
      const [question, answer] = s.variants[round];
      if (seen.has(question)) continue;
      seen.add(question);
      added++;
      const steps = s.inferred
        ? [`The profile states: "${s.evidence}".`, `From this, the answer is: ${answer}.`]
        : [`The profile states: "${s.evidence}".`];
      out.push({ id: `qa_${String(out.length + 1).padStart(3, '0')}`, question, answer, evidence: s.evidence, type: s.type, difficulty: s.difficulty, reasoning_steps: steps, confidence: s.inferred ? 0.8 : 1.0 });
    }
    if (added === 0) throw new Error(`synth: ${c.id}: only ${out.length} knowledge QA items, need ${count}`);
  }
  return out;
}

const KEYS = ['A', 'B', 'C', 'D'] as const;

function mcq(rng: Rng, idx: number, question: string, answer: string, pool: readonly string[], evidence: string, difficulty: Difficulty): McqItem {
  const distractors = rng.sample([...new Set(pool)].filter((x) => x.toLowerCase() !== answer.toLowerCase()), 3);
  const k = rng.int(0, 3);
  const opts = [...distractors];
  opts.splice(k, 0, answer);
  return {
    id: `mcq_${String(idx).padStart(3, '0')}`,
    question,
    options: { A: opts[0], B: opts[1], C: opts[2], D: opts[3] },
    answer_key: KEYS[k],
    difficulty,
    evidence,
    rationale: `The profile states "${evidence}", so the answer is ${KEYS[k]}; the other options are not mentioned for this character.`,
  };
}

/** `count` (10 for evaluation characters) four-option questions, answer position random. */
export function knowledgeMcq(c: CharacterSpec, rng: Rng, count: number): McqItem[] {
  const n = c.id;
  const p = c.persona;
  const f = factMap(c);
  const towns = FACT_POOLS.townA.flatMap((a) => FACT_POOLS.townB.map((b) => a + b));
  const hairPool = (c.kind === 'human' ? HUMAN_HAIR : c.kind === 'anime' ? ANIME_HAIR : FUR).map((x) => x.name);
  const catchphrases = Array.from({ length: 12 }, () => sampleCatchphrase(rng));
  type Spec = [string, string, readonly string[], string, Difficulty];
  const specs: Spec[] = [
    [`In which month was ${n} born?`, p.birthMonth, FACT_POOLS.month, f.birthday.evidence, 'easy'],
    [`Which town is ${n} from?`, p.hometown, towns, f.hometown.evidence, 'easy'],
    [`What is ${n}'s occupation?`, p.occupation, FACT_POOLS.occupation, f.occupation.evidence, 'easy'],
    [`What is ${n}'s favourite food?`, p.favoriteFood, FACT_POOLS.food, f.favoriteFood.evidence, 'easy'],
    [`Which item does ${n} always carry?`, p.signatureItem, FACT_POOLS.item, f.signatureItem.evidence, 'medium'],
    [`Which of these is ${n} afraid of?`, p.fears[0], FACT_POOLS.fear.filter((x) => !p.fears.includes(x)), f.fears.evidence, 'medium'],
    [`Which of these does ${n} enjoy?`, p.likes[0], FACT_POOLS.like.filter((x) => !p.likes.includes(x)), f.likes.evidence, 'medium'],
    [`What special skill does ${n} have?`, p.skill, FACT_POOLS.skill, f.skill.evidence, 'medium'],
    [`What is ${n}'s dream?`, p.dream, FACT_POOLS.dream, f.dream.evidence, 'hard'],
    [`What is ${n}'s catchphrase?`, c.voice.catchphrase, catchphrases, habitSentences(c).catchphrase, 'medium'],
    [`What colour is ${n}'s ${c.kind === 'animal' ? 'fur' : 'hair'}?`, c.identity.hairColor, hairPool, f.hair.evidence, 'easy'],
    [`What is ${n}'s favourite colour?`, p.favoriteColor, FACT_POOLS.color, f.favoriteColor.evidence, 'easy'],
  ];
  return rng.shuffle(specs).slice(0, count).map(([q, a, pool, ev, d], i) => mcq(rng, i + 1, q, a, pool, ev, d));
}

/** Questions whose answers must be recalled from the profile and from the training dialogues. */
export function memorizationQuestions(c: CharacterSpec, imageLines: readonly Exchange[], rng: Rng, count: number): string[] {
  const p = c.persona;
  const rel = p.family[0];
  const facts = [
    'What is your full name?', 'When is your birthday?', `Where did you grow up, and what is it known for?`, `What do you do at ${p.workplace}?`,
    `Tell me about your ${rel.relation}.`, `Where did your ${noArticle(p.signatureItem)} come from?`, 'What is your favourite food?',
    `Who is ${p.bestFriend.name} to you?`, 'What are you most afraid of?', 'What is your biggest dream?', 'What special skill do you have?',
    'Which three things do you like most?', `What is your favourite colour?`, `What do you always say when something big happens?`,
  ];
  // quote only the emotion part, so the question asks for the place or prop it does not state
  const recalls = imageLines.map((e) => {
    const quote = emotionSnippet(e.machine).replace(/[.!?]+$/, '');
    return rng.pick([`Earlier you said "${quote}". Where were you at the time?`, `What were you holding when you said "${quote}"?`, `What were you doing when you told me "${quote}"?`]);
  });
  const pool = [...rng.shuffle(facts).slice(0, Math.ceil(count / 2)), ...rng.shuffle(recalls)];
  return rng.shuffle(pool.slice(0, count));
}

/** Situations that should draw out the character's traits (quoted, like the real files). */
export function personalityQuestions(c: CharacterSpec, rng: Rng, count: number): string[] {
  const p = c.persona;
  const t = traitDef(rng.pick(p.traits));
  const pool = [
    `I just spilled juice on your ${noArticle(p.signatureItem)}. What do you say?`, `Want to skip ${p.likes[0]} today and do chores instead?`,
    `I think there is something to do with ${p.fears[0]} in the next room. Can you check?`, 'I entered you in a talent show without asking. Are you mad?',
    'Can you keep a secret for me?', `I actually enjoy ${p.dislikes[0]}.`, 'Why should I trust you?', `Someone at ${p.workplace} says you are terrible at your job.`,
    "Let's do something completely new today.", `I ate the last ${p.favoriteFood} without asking.`, 'What would you do if you won a million coins?',
    `${p.bestFriend.name} forgot your birthday this year.`, 'Tell me honestly, what do you think of me?', "We're lost. What now?", 'Can you help me with my homework?',
    `I don't believe you're any good at ${p.skill}.`, 'Do you ever get lonely?', `Is it true you gave up on your dream ${p.dream}?`, 'The party is cancelled.',
    'Someone is being rude to a stranger on the street. What do you do?', 'Describe your perfect day in one sentence.', 'Would you rather be famous or be loved?',
    `People say being ${t.name} is a weakness. Do you agree?`, 'You have one hour of free time. How do you spend it?',
  ];
  return rng.shuffle(pool).slice(0, count).map((q) => `"${q}"`);
}
