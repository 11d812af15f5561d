/**
 * Role-play exchanges (one user turn, one character turn), in the character's voice.
 *  - Image exchanges: the character's line names the drawn expression (emotion word), the
 *    drawn scene (place phrase) and the prop, and nothing else from those label spaces;
 *    lines that disagree with the picture are rejected and re-drawn.
 *  - Text exchanges: small talk grounded in persona facts (likes, family, fears, ...).
 */
import { Rng } from '../../util/rng';
import type { CharacterSpec } from './character';
import type { ImageLabel } from './plan';
import { expressionDef, propDef, sceneDef } from './vocab';
import { detectExpressions, detectProps, detectScenes } from './labels';
import { pronouns, traitDef } from './persona';
import { renderLine, Speaker } from './style';
import { article } from './describe';

export interface Exchange {
  readonly user: string;
  readonly machine: string;
}

export function speaker(c: CharacterSpec): Speaker {
  return { name: c.id, pronouns: pronouns(c.persona.pronoun), voice: c.voice };
}

// ---------------- image exchanges ----------------

const EMOTION_CLAUSES = ['{I} {am} so {w} right now', '{I} {v:feel} {w} today', 'honestly, {I} {am} {w} at the moment', 'this whole moment has {me} feeling {w}', '{I} could not be more {w}'];
const PLACE_CLAUSES = ['{I} {am} {place} right now', '{I} spent the afternoon {place}', 'the view {place} is something else', 'everything looks different {place}', 'here {I} {am}, {place}'];
const PROP_CLAUSES: Record<string, readonly string[]> = {
  book: ['{I} {am} reading {my} favourite book', '{I} brought a book along', 'this book has {my} full attention'],
  umbrella: ['{I} {am} holding {my} umbrella up high', '{my} umbrella comes everywhere with {me}', '{I} opened {my} umbrella just in case'],
  guitar: ['{I} {am} strumming {my} guitar', '{I} brought {my} guitar to play a tune', 'this guitar needs a new song'],
  ball: ['{I} {am} bouncing a ball around', '{I} found a ball to play with', 'this ball will not stay still'],
  cup: ['{I} {am} sipping a cup of tea', 'a warm cup of tea is in {my} hands', '{I} poured {myself} a cup of tea'],
  sword: ['{I} {am} practising with {my} sword', '{my} sword needs the practice', '{I} polished {my} sword this morning'],
  flower: ['{I} picked a flower', '{I} {am} holding a flower for you', 'this flower smells wonderful'],
  camera: ['{I} {am} taking photos with {my} camera', '{my} camera is clicking away', '{I} brought {my} camera to catch the moment'],
  balloon: ['{I} {am} holding a red balloon', '{I} got a balloon', 'this balloon keeps tugging at {my} hand'],
  'ice cream': ['{I} {am} eating an ice cream cone', 'this ice cream is melting fast', '{I} bought {myself} an ice cream cone'],
};
const IMAGE_USER = [
  'What are you up to right now?', 'Where are you today?', "What's going on over there?", 'How is your day going?', 'Can you show me what you are doing?',
  'Send me a picture of where you are!', 'What have you got there?', 'How are you feeling right now?', 'Tell me about this moment.', 'Where did you end up this afternoon?',
  'You look different today. What happened?', 'Quick, describe your afternoon!',
];

/** The words of `text` must name exactly the drawn expression, scene and prop. */
export function agreesWithImage(text: string, label: ImageLabel): boolean {
  const one = (found: string[], want: string): boolean => found.length === 1 && found[0] === want;
  return one(detectExpressions(text), label.expression) && one(detectScenes(text), label.scene) && one(detectProps(text), label.prop);
}

export function imageExchange(c: CharacterSpec, label: ImageLabel, rng: Rng): Exchange {
  const sp = speaker(c);
  const ex = expressionDef(label.expression);
  const sc = sceneDef(label.scene);
  for (let attempt = 0; attempt < 200; attempt++) {
    const clauses = [
      rng.pick(EMOTION_CLAUSES).replace('{w}', rng.pick(ex.words)),
      rng.pick(PLACE_CLAUSES).replace('{place}', rng.pick(sc.phrases)),
      rng.pick(PROP_CLAUSES[propDef(label.prop).name]),
    ];
    const machine = renderLine(clauses, sp, rng);
    if (agreesWithImage(machine, label)) return { user: rng.pick(IMAGE_USER), machine };
  }
  throw new Error(`synth: no line for ${c.id} agrees with ${JSON.stringify(label)}`);
}

// ---------------- text exchanges ----------------

type Topic = (c: CharacterSpec, rng: Rng) => { user: string; clauses: string[] };

const noArticle = (s: string): string => s.replace(/^(a|an|the) /, '');
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

const OPINION_SUBJECTS = ['rainy days', 'early mornings', 'crowded trains', 'surprise parties', 'winter', 'summer holidays', 'karaoke', 'spicy food', 'alarm clocks', 'long letters', 'museums', 'camping trips', 'homework', 'fancy restaurants', 'road trips', 'thunderstorms', 'board games', 'street food'];
const PROBLEMS = ["I failed my exam.", "I can't sleep lately.", 'My friend is upset with me.', "I'm nervous about a job interview.", 'I lost my keys again.', 'I want to learn something new.', 'I feel stuck.', 'I broke my favourite mug.'];
const GREETINGS = ['Good morning!', 'Hey, how are you?', 'Long time no see!', 'Hi there!', 'Good evening!', 'Hello again!'];
const GOODBYES = ['I have to go now.', 'See you tomorrow!', 'Good night!', 'Talk to you later.'];

const TOPICS: readonly Topic[] = [
  (c, r) => ({
    user: r.pick(['What do you like to do in your free time?', 'What makes a perfect day for you?', 'Got any favourite things?', 'What do you enjoy most?']),
    clauses: r.sample([`{I} really {v:love} ${c.persona.likes[0]}`, `nothing compares to ${c.persona.likes[1]}`, `{I} never {v:get} bored of ${c.persona.likes[2]}`, `a close second is ${c.persona.likes[r.int(0, 2)]}`], 2),
  }),
  (c, r) => ({
    user: r.pick(["Is there anything you can't stand?", "What's your least favourite thing?", 'What ruins your day?']),
    clauses: r.sample([`{I} cannot stand ${c.persona.dislikes[0]}`, `do not even get {me} started on ${c.persona.dislikes[1]}`, `${c.persona.dislikes[r.int(0, 1)]}? Absolutely not`], 2),
  }),
  (c, r) => ({
    user: r.pick(['Is there anything that scares you?', 'What are you afraid of?', 'Do you have any secret fears?']),
    clauses: r.sample([`{I} {am} honestly afraid of ${c.persona.fears[0]}`, `just thinking about ${c.persona.fears[1]} makes {my} knees wobble`, `please keep ${c.persona.fears[r.int(0, 1)]} far away from {me}`], 2),
  }),
  (c, r) => {
    const rel = r.pick(c.persona.family);
    return {
      user: r.pick(['Tell me about your family.', 'Who is the most interesting person in your family?', 'Who do you miss from home?', 'Do you have any relatives nearby?']),
      clauses: r.sample([`{my} ${rel.relation} ${rel.name} is the one ${rel.detail}`, `${rel.name} is {my} ${rel.relation}, and {I} {v:adore} them`, `{I} still {v:visit} ${rel.name} whenever {I} can`], 2),
    };
  },
  (c, r) => ({
    user: r.pick(['Where did you grow up?', 'Where are you from?', "What's your hometown like?", 'Tell me about home.']),
    clauses: r.sample([`{I} grew up in ${c.persona.hometown}`, `${c.persona.hometown} is famous for ${c.persona.hometownFeature}`, `{I} still {v:miss} ${c.persona.hometown} sometimes`, `if you ever visit ${c.persona.hometown}, look for ${c.persona.hometownFeature}`], 2),
  }),
  (c, r) => ({
    user: r.pick(['What do you do for a living?', "What's your job?", "How's work been?", 'What keeps you busy these days?']),
    clauses: r.sample([`{I} {am} ${article(c.persona.occupation)} at ${c.persona.workplace}`, `most days {I} {am} busy at ${c.persona.workplace}`, `being ${article(c.persona.occupation)} suits {me} perfectly`], 2),
  }),
  (c, r) => ({
    user: r.pick(['When is your birthday?', 'How do you like to celebrate your birthday?', 'Is your birthday coming up?']),
    clauses: r.sample([`{my} birthday is on ${c.persona.birthday}`, `every ${c.persona.birthMonth} {I} {v:celebrate} with ${c.persona.favoriteFood}`, `{I} always {v:ask} for ${c.persona.favoriteFood} on {my} birthday`], 2),
  }),
  (c, r) => ({
    user: r.pick(["What's that thing you always carry?", `Tell me about your ${noArticle(c.persona.signatureItem)}.`, 'Why do you never go anywhere without that?', `Is your ${noArticle(c.persona.signatureItem)} important to you?`]),
    clauses: r.sample([`${c.persona.signatureItem} goes everywhere with {me}`, `{my} ${noArticle(c.persona.signatureItem)} was ${c.persona.itemOrigin}`, `{I} would never trade {my} ${noArticle(c.persona.signatureItem)}`], 2),
  }),
  (c, r) => ({
    user: r.pick(["What's your favourite food?", 'What should we eat tonight?', 'If you could eat one thing forever, what would it be?']),
    clauses: r.sample([`${c.persona.favoriteFood} is the answer, always`, `{I} would walk across town for ${c.persona.favoriteFood}`, `nothing beats a plate of ${c.persona.favoriteFood}`], 2),
  }),
  (c, r) => ({
    user: r.pick(["What's your favourite colour?", 'If you painted your room, what colour would it be?']),
    clauses: r.sample([`${c.persona.favoriteColor} is {my} favourite colour`, `anything in ${c.persona.favoriteColor} catches {my} eye`, `{I} would paint everything ${c.persona.favoriteColor}`], 2),
  }),
  (c, r) => ({
    user: r.pick(['What are you good at?', 'Do you have any hidden talents?', 'Can you teach me something?']),
    clauses: r.sample([`{I} {am} rather good at ${c.persona.skill}`, `{I} {have} been practising ${c.persona.skill} for years`, `{I} could teach you ${c.persona.skill} in an afternoon`], 2),
  }),
  (c, r) => ({
    user: r.pick(["What's your biggest dream?", 'Where do you see yourself in ten years?', 'What do you want more than anything?']),
    clauses: r.sample([`{my} dream is ${c.persona.dream}`, `someday {I} {v:hope} ${c.persona.dream}`, `every day {I} {v:work} toward it, one step at a time`], 2),
  }),
  (c, r) => ({
    user: r.pick(['Who is your best friend?', 'Who do you trust most?', 'Who do you call when things go wrong?']),
    clauses: r.sample([`{my} best friend is ${c.persona.bestFriend.name}, ${c.persona.bestFriend.detail}`, `${c.persona.bestFriend.name} and {I} go way back`, `{I} would trust ${c.persona.bestFriend.name} with anything`], 2),
  }),
  (c, r) => ({
    user: r.pick(['Why do you always say that catchphrase?', 'What does your catchphrase even mean?', 'Where did your catchphrase come from?']),
    clauses: r.sample([`it just slips out whenever something big happens`, `{I} picked it up years ago and it stuck`, `"${c.voice.catchphrase.replace(/[.!]+$/, '')}" is simply who {I} {am}`], 2),
  }),
  (c, r) => {
    const [t1, t2, t3] = r.sample(c.persona.traits, 3);
    return {
      user: r.pick(['How would you describe yourself?', 'What are you like, really?', 'What do your friends say about you?']),
      clauses: r.sample([`people say {I} {am} ${t1} and ${t2}`, `{I} {v:suppose} {I} {am} a bit ${t3}`, traitDef(t1).behaviour], 2),
    };
  },
  (c, r) => {
    const subj = r.pick(OPINION_SUBJECTS);
    const t = traitDef(r.pick(c.persona.traits));
    return {
      user: r.pick([`What do you think about ${subj}?`, `How do you feel about ${subj}?`, `Are you a fan of ${subj}?`]),
      clauses: [`{I} {v:find} ${subj} ${t.verdict}`, r.pick([`then again, {I} would rather be enjoying ${c.persona.likes[r.int(0, 2)]}`, `ask ${c.persona.bestFriend.name} and you will hear the opposite`, `that is {my} honest opinion`])],
    };
  },
  (c, r) => {
    const t = traitDef(r.pick(c.persona.traits));
    return { user: r.pick(PROBLEMS), clauses: r.sample([`{my} advice? ${cap(t.advice)}`, `{I} always {v:say} this: ${t.advice}`, `you can do this, {I} {am} sure of it`, `come find {me} if you need help`], 2) };
  },
  (c, r) => ({
    user: r.pick(GREETINGS),
    clauses: r.sample([`good to see you again`, `{I} was just thinking about ${c.persona.likes[r.int(0, 2)]}`, `{I} {have} been busy at ${c.persona.workplace}`, `come in, come in`, `you are right on time`], 2),
  }),
  (c, r) => ({
    user: r.pick(['Nice weather today, right?', "It's raining again.", 'What a windy day!']),
    clauses: r.sample([`weather like this is perfect for ${c.persona.likes[r.int(0, 2)]}`, `{I} {v:blame} the clouds personally`, `{I} {have} seen worse back in ${c.persona.hometown}`], 2),
  }),
  (c, r) => {
    const rel = r.pick(c.persona.family);
    return {
      user: r.pick(['Tell me a story from when you were little.', "What's your favourite memory?", "What's the funniest thing that ever happened to you?"]),
      clauses: r.sample([`back in ${c.persona.hometown}, {my} ${rel.relation} took {me} to see ${c.persona.hometownFeature}`, `{I} once spent a whole day ${c.persona.skill} with ${c.persona.bestFriend.name}`, `${rel.name} still laughs about it`], 2),
    };
  },
  (c, r) => ({
    user: r.pick(["You're amazing, you know that?", 'Thanks for being there for me.', 'You did a great job today.']),
    clauses: r.sample([`oh, stop it, you will make {me} blush`, `that means a lot coming from you`, `{I} {do} try {my} best`, `${c.persona.bestFriend.name} would say the same about you`], 2),
  }),
  (c, r) => ({
    user: r.pick(['What are you doing this weekend?', 'Any plans for tomorrow?', 'Free this evening?']),
    clauses: r.sample([`{I} {am} planning a day of ${c.persona.likes[r.int(0, 2)]}`, `{I} might visit ${c.persona.bestFriend.name}`, `first, a big plate of ${c.persona.favoriteFood}`, `maybe {I} will practise ${c.persona.skill}`], 2),
  }),
  (_c, r) => ({
    user: r.pick(GOODBYES),
    clauses: r.sample([`take care out there`, `do not forget to come back soon`, `{I} will be right here`, `say hello to everyone for {me}`], 2),
  }),
];

/** `n` distinct text-only exchanges; `used` holds character lines already taken (shared across files). */
export function textExchanges(c: CharacterSpec, n: number, rng: Rng, used: Set<string>): Exchange[] {
  const sp = speaker(c);
  const out: Exchange[] = [];
  let topic = rng.int(0, TOPICS.length - 1);
  for (let attempt = 0; out.length < n; attempt++) {
    if (attempt > n * 200) throw new Error(`synth: ${c.id}: only ${out.length} distinct text exchanges of ${n}`);
    // walk the topics in a scrambled cycle so every topic is used about equally
    topic = (topic + 1 + (rng.chance(0.3) ? rng.int(0, 3) : 0)) % TOPICS.length;
    const { user, clauses } = TOPICS[topic](c, rng);
    const machine = renderLine(clauses, sp, rng);
    if (used.has(machine)) continue;
    used.add(machine);
    out.push({ user, machine });
  }
  return out;
}

/** The character's opening line (the "opening" field of every JSON file). */
export function opening(c: CharacterSpec, rng: Rng): string {
  return renderLine([r0(rng, ['{I} {have} been waiting for you', 'oh, a visitor', 'welcome, welcome']), `this is ${c.persona.workplace}`, 'tell {me} what brings you here today'], speaker(c), rng);
}

const r0 = (rng: Rng, xs: readonly string[]): string => rng.pick(xs);
